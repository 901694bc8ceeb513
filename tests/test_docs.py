"""Every console script has help with an example and is named in the README."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT

SCRIPTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_command_has_help_with_an_example(script: str) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / script), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout.lower() and "example" in result.stdout.lower()


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_command_is_documented_in_the_readme(script: str) -> None:
    assert script in (ROOT / "README.md").read_text()


def test_readme_shows_the_two_commands_first() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_the_chat_is_started_with_kb_chat_only() -> None:
    """`streamlit run app/ui/streamlit_app.py` listens on every interface when run outside the
    repository (no .streamlit/config.toml there): no file may offer it."""
    files = [ROOT / "README.md", *ROOT.glob("app/**/*.py"), *ROOT.glob("docs/*.md")]
    assert [f.name for f in files if "streamlit run app" in f.read_text()] == []
