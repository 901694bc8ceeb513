"""A question about one thing a list holds gets that item with the list's lead-in, not the
whole list; a question that asks for the list still gets all of it."""

from __future__ import annotations

import pytest
from conftest import extractive_text, small_kb_assistant

from app.core.engine import Assistant

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
