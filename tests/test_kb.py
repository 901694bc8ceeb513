"""The knowledge base itself: every planned document exists, is well formed, and its code works."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from kb_rules import (
    KB_ROOT,
    TOPIC_DOCS,
    code_blocks,
    code_problems,
    headings,
    link_problems,
    relative_links,
    structure_problems,
)

ALL_DOCS = ["README.md", *TOPIC_DOCS]


def test_every_planned_document_exists() -> None:
    missing = [d for d in ALL_DOCS if not (KB_ROOT / d).is_file()]
    assert missing == []


def test_readme_links_every_topic_document() -> None:
    readme = (KB_ROOT / "README.md").read_text(encoding="utf-8")
    assert [d for d in TOPIC_DOCS if f"({d})" not in readme] == []


@pytest.mark.parametrize("doc", TOPIC_DOCS)
def test_topic_document_structure(doc: str) -> None:
    assert structure_problems(KB_ROOT / doc) == []


@pytest.mark.parametrize("doc", ALL_DOCS)
def test_relative_links_resolve(doc: str) -> None:
    assert link_problems(KB_ROOT / doc) == []


@pytest.mark.parametrize("doc", ALL_DOCS)
def test_python_blocks_compile_and_complete_programs_run(doc: str) -> None:
    assert code_problems(KB_ROOT / doc) == []


def test_headings_are_unique_within_each_document() -> None:
    from ingest.chunk import chunk_markdown

    for path in sorted(KB_ROOT.rglob("*.md")):
        anchors = {c.anchor for c in chunk_markdown(path.read_text(encoding="utf-8"), "x.md")}
        assert not any(a.endswith(("-1", "-2")) and a[:-2] in anchors for a in anchors), path


def test_no_raw_html_in_the_kb() -> None:
    offenders = [
        p.relative_to(KB_ROOT).as_posix()
        for p in KB_ROOT.rglob("*.md")
        if "<script" in p.read_text(encoding="utf-8").lower()
    ]
    assert offenders == []


def test_the_whole_kb_ingests_without_warnings(tmp_path: Path) -> None:
    from ingest.config import Settings
    from ingest.sync import sync

    report = sync(Settings(kb_dir=KB_ROOT, data_dir=tmp_path), dry_run=True)
    assert report.skipped == [] and report.warnings == []
    assert report.files == len(ALL_DOCS)


RUFF_CONFIG = KB_ROOT / "ruff.toml"


def test_every_python_block_passes_the_kb_ruff_configuration(tmp_path: Path) -> None:
    """One `ruff check` over all blocks of every document, new ones included."""
    origin: dict[str, tuple[str, int]] = {}
    for doc in sorted(KB_ROOT.rglob("*.md")):
        rel = doc.relative_to(KB_ROOT).as_posix()
        for block in code_blocks(doc.read_text(encoding="utf-8")):
            if block.lang == "python":
                name = f"block_{len(origin):04d}.py"
                (tmp_path / name).write_text(block.code, encoding="utf-8")
                origin[name] = (rel, block.line)
    assert len(origin) > 100  # every document's blocks were collected

    ruff = Path(sys.executable).with_name("ruff")
    run = subprocess.run(
        [str(ruff), "check", "--config", str(RUFF_CONFIG), "--no-cache"]
        + ["--output-format=json", "--quiet", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode in (0, 1), run.stderr
    problems = []
    for v in json.loads(run.stdout or "[]"):
        doc, fence = origin[Path(v["filename"]).name]
        line = fence + v["location"]["row"]  # the line in the markdown file
        problems.append(f"{doc}:{line}: {v['code']} {v['message']} (block at {fence})")
    assert problems == [], "\n".join(problems)


def test_heading_links_point_at_existing_headings() -> None:
    """A `doc.md#anchor` link must match a heading's slug, or the citation jumps nowhere."""
    from ingest.chunk import slugify

    broken = []
    for doc in sorted(KB_ROOT.rglob("*.md")):
        for target in relative_links(doc.read_text(encoding="utf-8")):
            file_part, _, anchor = target.partition("#")
            linked = (doc.parent / file_part).resolve() if file_part else doc
            if not anchor or not linked.is_file():
                continue  # missing files are test_relative_links_resolve's job
            text = linked.read_text(encoding="utf-8")
            slugs = {slugify(h) for level in (1, 2, 3, 4) for h in headings(text, level)}
            if anchor not in slugs:
                broken.append(f"{doc.relative_to(KB_ROOT).as_posix()}: {target}")
    assert broken == []
