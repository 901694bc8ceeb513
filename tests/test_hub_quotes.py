"""A changelog names every topic in passing. Its commit lines are no answer to "how do I send a
pull request?" when the contributing guide is found too, but they are the answer to "which
version added it?"."""

from __future__ import annotations

from dataclasses import replace

from conftest import small_kb_assistant

from app.core.headings import release_captions
from app.core.passages import split_units
from app.core.quote import Passage, render
from app.core.retrieve import Hit
from ingest.chunk import chunk_markdown


def release_notes(*features: str) -> str:
    """A changelog of 14 releases whose every entry mentions pull requests, then `features`."""
    lines = ["# Release Notes", ""]
    for n in range(14, 0, -1):
        lines += [f"## 1.{n}.0 (2026-03-{n:02d})", "", "### Internal", ""]
        lines += [f"- Before you send a pull request, run the new pre-push check ({n}).", ""]
    for feature in features:
        lines += ["## 1.15.0 (2026-04-01)", "", "### Features", "", f"- {feature}", ""]
    return "\n".join(lines)


PAGINATION = """# Pagination

## Cursors

List endpoints return pages of 50 rows and an opaque cursor for the next page; clients pass it
back unchanged.
"""

CONTRIBUTING = """# Contributing

## Pull requests

Open an issue first for anything bigger than a typo, then send a pull request from a branch of
your fork with tests for the change; a maintainer reviews it within a week.
"""


def test_a_changelog_line_does_not_answer_a_question_its_words_only_echo(tmp_path, embedder):
    files = {"release-notes.md": release_notes(), "contributing.md": CONTRIBUTING}
    assistant = small_kb_assistant(tmp_path, embedder, files)
    answer = assistant.ask("What should I do before I send a pull request to the project?")
    assert not answer.refused
    assert {c.chunk.source for c in answer.citations} == {"contributing.md"}, answer.text


def test_a_question_about_versions_still_quotes_the_changelog(tmp_path, embedder):
    """A changelog's line says what changed and its heading in which release: the answer shows
    that heading above the line (as the citation names it); a page that is no changelog gets
    no such caption."""
    files = {
        "release-notes.md": release_notes("Add cursor pagination."),
        "pagination.md": PAGINATION,
    }
    assistant = small_kb_assistant(tmp_path, embedder, files)
    answer = assistant.ask("Which version added cursor pagination?")
    assert not answer.refused
    assert "release-notes.md" in {c.chunk.source for c in answer.citations}, answer.text
    assert "*1.15.0 (2026-04-01) › Features*\n\n- Add cursor pagination." in answer.text
    answer = assistant.ask("What page size do list endpoints return?")
    assert answer.text.startswith("List endpoints return pages of 50 rows"), answer.text
    answer = assistant.ask("What changed in 1.3.0?")  # a release only the changelog names
    assert not answer.refused
    assert "(3)" in answer.render(), answer.text


def _passages(text: str, source: str) -> list[Passage]:
    hits = [Hit(c, 0.5, 1.0, 0.1, n) for n, c in enumerate(chunk_markdown(text, source), 1)]
    return [Passage(h, tuple(split_units(h.chunk))[:1]) for h in hits]


def test_release_captions_are_for_changelogs_only_and_once_per_release():
    """A changelog without a title still names its releases; a glossary's "OAuth 2.0" names no
    release; two pieces of one release's section show its caption once."""
    untitled = _passages(release_notes().replace("# Release Notes\n", ""), "CHANGES.md")
    captions = release_captions(untitled, {"CHANGES.md"})
    assert captions[untitled[0].hit.chunk.id] == "1.14.0 (2026-03-14) › Internal"
    glossary = _passages("# Glossary\n\n## OAuth 2.0\n\nA delegation protocol.\n", "glossary.md")
    assert release_captions(glossary, {"CHANGES.md"}) == {}
    first = untitled[0]
    piece = replace(first, hit=replace(first.hit, chunk=replace(first.hit.chunk, id="piece-2")))
    twice = [first, piece]  # a long section's two pieces
    markers = {first.hit.chunk.id: 1, "piece-2": 1}
    text = render(twice, markers, release_captions(twice, {"CHANGES.md"}))
    assert text.count("*1.14.0 (2026-03-14) › Internal*") == 1, text
