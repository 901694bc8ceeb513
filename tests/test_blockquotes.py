"""A markdown blockquote written over several lines ("> one\\n> two"), or under a list item,
reads as prose in an answer: its "> " marker opens the quote and never stands in mid-sentence.
The citation still names the quote's exact lines of the file."""

from __future__ import annotations

import re

import pytest
from conftest import plain, small_kb_assistant

from app.core.engine import Assistant
from app.core.evaluate import junk_markup

VERSIONING = """# Versioning

## Deriving the version from git

Tools derive the next version number from the repository's history. The inputs are:

* Commit messages or tags for major, minor and patch updates.
  > When using commit messages, a convention such as Conventional Commits is recommended
  > so that the tool can tell a breaking change from a fix.
* Branch names for alpha, beta and release candidates.

## Pinning dependencies

> Pin every direct dependency to an exact version in the lock file,
> and let a bot open a pull request for each upgrade.
>
> Review the upgrade's changelog before merging the bot's pull request.

## Tagging releases

- Tag every release on the main branch, after its changelog entry is merged.
> Never move a tag once it is pushed: clients and mirrors cache it.

## Release notes

Publish release notes for every production release, listing user-visible changes.
"""

# A quote marker after the end of a sentence on the same line: a blockquote joined into prose.
MID_SENTENCE_MARKER = re.compile(r"[.!?:,\w][\"')\]*_]*[ \t]+>[ \t]")


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"versioning.md": VERSIONING}
    return small_kb_assistant(tmp_path_factory.mktemp("blockquotes"), embedder, files)


def assert_cited_exactly(answer) -> None:
    lines = VERSIONING.splitlines()
    assert answer.citations
    for cited in answer.citations:
        assert cited.text == "\n".join(lines[cited.start_line - 1 : cited.end_line])


def test_a_quote_under_a_list_item_reads_on_from_the_item(assistant) -> None:
    answer = assistant.ask("Which commit message convention is recommended for versioning?")
    text = plain(answer.text)
    assert "Conventional Commits is recommended so that the tool can tell" in text
    assert not MID_SENTENCE_MARKER.search(answer.text), answer.text
    assert junk_markup(answer.text) == []
    assert_cited_exactly(answer)


def test_a_quote_over_several_lines_reads_as_one_paragraph(assistant) -> None:
    answer = assistant.ask("How should we pin dependencies and handle upgrades?")
    text = plain(answer.text)
    assert "in the lock file, and let a bot open a pull request" in text
    assert not MID_SENTENCE_MARKER.search(answer.text), answer.text
    assert junk_markup(answer.text) == []
    assert_cited_exactly(answer)


def test_a_quote_right_after_a_list_stays_a_quotation_of_its_own(assistant) -> None:
    """Not indented under the item, the quote ends the list: its text is not the item's."""
    answer = assistant.ask("Can I move a release tag after it is pushed?")
    assert "> Never move a tag once it is pushed" in answer.text, answer.text
    assert "is merged. Never move" not in plain(answer.text)
    assert junk_markup(answer.text) == []
    assert_cited_exactly(answer)


@pytest.mark.parametrize(
    "answer",
    [
        "Commit messages or tags for updates. > When using commit messages, a convention ...",
        "Pin every direct dependency. > > Review the changelog before merging.",
    ],
)
def test_the_junk_measure_catches_a_quote_marker_inside_a_sentence(answer: str) -> None:
    assert "quote marker" in junk_markup(answer)


@pytest.mark.parametrize(
    "answer",
    [
        "> Pin every direct dependency to an exact version. [1]",
        "Alert when the error rate is > 5% for ten minutes. [1]",
        "Run it:\n\n```sh\n> git remote -v\n```",
    ],
)
def test_a_quotation_a_comparison_or_a_prompt_in_code_is_not_junk(answer: str) -> None:
    assert junk_markup(answer) == []
