"""Documents and exact sections read back from the index and kb/ (app/core/documents.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.engine import Assistant
from app.mcp.server import KBTools
from ingest.errors import BadRequest
from ingest.sync import sync


@pytest.fixture
def assistant(settings, embedder, kb: Path) -> Assistant:
    body = "\n".join(f"Line {n} of a very long appendix." for n in range(3, 2503))
    (kb / "practice" / "appendix.md").write_text(f"# Appendix\n\n{body}\n")
    sync(settings, embedder=embedder)
    return Assistant(settings, embedder)


def test_long_documents_are_read_by_section_or_as_a_resource(assistant: Assistant) -> None:
    with pytest.raises(BadRequest, match="2502 lines requested; at most 2000"):
        assistant.read_section("practice/appendix.md")
    section, text = assistant.read_section("practice/appendix.md", start_line=2000, end_line=2001)
    assert text.text == "Line 2000 of a very long appendix.\nLine 2001 of a very long appendix."
    whole = KBTools(assistant).document_text("practice/appendix.md")
    assert len(whole.splitlines()) == 2502


def test_an_edited_file_is_shown_as_indexed_with_a_notice(assistant: Assistant, kb: Path) -> None:
    path = kb / "practice" / "testing.md"
    path.write_text("# Rewritten\n\nNothing about mocks here any more.\n" + path.read_text())
    section, text = assistant.read_section("practice/testing.md", anchor="what-to-mock")
    assert text.text.startswith("## What to mock")
    assert "changed since the last ingest" in text.notice
    assert "Rewritten" not in text.text


def test_documents_list_titles_and_heading_lines(assistant: Assistant) -> None:
    docs = {d.source: d for d in assistant.documents()}
    testing = docs["practice/testing.md"]
    assert testing.title == "Testing practice" and testing.section == "practice"
    mock = next(h for h in testing.headings if h.anchor == "what-to-mock")
    assert (mock.start_line, mock.end_line) == (11, 14)
    assert [d.source for d in assistant.documents("web")] == [
        "web/fastapi-basics.md",
        "web/flask-basics.md",
    ]
