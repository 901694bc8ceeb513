"""A question about one thing a list holds gets that item with the list's lead-in, not the
whole list; a question that asks for the list still gets all of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import extractive_text, small_kb_assistant

from app.core.engine import Assistant

ROOT = Path(__file__).resolve().parent.parent

UNIT_TESTS = """# Unit testing

## Things to avoid

Avoid these in unit tests:

- Sleeps - a sleep usually hides a request to a dependency the test should not make; wait on
  a reliable signal instead.
- Reading from disk - it is tempting to keep the expected return value in a file and read it
  to compare the results, but that ties the test to the file system.
- Calling third-party APIs - wrap a library you do not control in an interface and keep its
  network calls out of unit tests.
- Shared global state - a test that changes a module-level variable leaks into the next test.
"""

DISK = "Should a unit test compare its results against an expected-output file on disk?"
ALL = "What are the things to avoid in unit tests?"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"unit-testing.md": UNIT_TESTS}
    return small_kb_assistant(tmp_path_factory.mktemp("compose-narrow"), embedder, files)


def test_a_question_about_one_item_gets_that_item_with_its_lead_in(assistant):
    text = extractive_text(assistant, DISK)
    assert "Reading from disk - it is tempting to keep the expected return value in a file" in text
    assert "Avoid these in unit tests:" in text  # the lead-in the item needs
    assert "Sleeps" not in text
    assert "Shared global state" not in text


def test_a_question_asking_for_the_list_gets_every_item(assistant):
    text = extractive_text(assistant, ALL)
    for item in ("Sleeps", "Reading from disk", "Calling third-party APIs", "Shared global state"):
        assert item in text


def test_a_list_whose_items_are_one_sentence_is_quoted_whole(tmp_path, embedder):
    """Items ending on a comma or "and finally" continue one sentence: narrowed to its best
    items, attrs' list of a validator's arguments stopped at "2. the *attribute* that it's
    validating, and finally"."""
    page = ROOT / "data/eval/corpora/attrs-docs/init.md"
    files = {"init.md": page.read_text(encoding="utf-8")}
    assistant = small_kb_assistant(tmp_path, embedder, files)
    text = assistant.ask("How do I validate an attribute?").text
    assert "2. the *attribute* that it's validating, and finally" in text, text
    assert "3. the *value* that is passed for it." in text, text
