"""The agent modes in docs/agent-modes/ are loadable and name only real tools and documents."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import ROOT

MODES = ROOT / "docs" / "agent-modes"
TOOLS = {"search_kb", "ask_kb", "read_section", "list_documents"}
SECTIONS = "|".join(p.name for p in (ROOT / "kb").iterdir() if p.is_dir())
KB_PATH = re.compile(rf"\b((?:{SECTIONS})/[a-z-]+\.md)\b")
INSTRUCTION_FILES = [
    MODES / ".roomodes",
    MODES / "AGENTS.md",
    *sorted((MODES / "claude" / "agents").glob("*.md")),
]


def test_roomodes_defines_the_senior_and_junior_modes() -> None:
    modes = {m["slug"]: m for m in yaml.safe_load((MODES / ".roomodes").read_text())["customModes"]}
    assert set(modes) == {"senior-python-backend", "junior-python-backend"}
    for mode in modes.values():
        assert {
            "slug",
            "name",
            "roleDefinition",
            "whenToUse",
            "customInstructions",
            "groups",
        } <= set(mode)
        assert "mcp" in mode["groups"] and "search_kb" in mode["customInstructions"]
    senior = modes["senior-python-backend"]["customInstructions"].lower()
    for step in ("break", "acceptance criteria", "several", "review", "teach", "cite"):
        assert step in senior, step


def test_claude_subagents_have_front_matter() -> None:
    for path in (MODES / "claude" / "agents").glob("*.md"):
        front = yaml.safe_load(path.read_text().split("---")[1])
        assert front["name"] == path.stem and len(front["description"]) > 40
        assert "mcp__kb__search_kb" in path.read_text()


@pytest.mark.parametrize("path", INSTRUCTION_FILES, ids=lambda p: p.name)
def test_instructions_name_real_tools_and_documents(path) -> None:
    text = path.read_text()
    named = set(re.findall(r"(?<![a-zA-Z])([a-z]+_kb|read_section|list_documents)\b", text))
    assert named and named <= TOOLS, named - TOOLS
    sources = KB_PATH.findall(text)
    assert sources
    for source in sources:
        assert (ROOT / "kb" / source).is_file(), source
