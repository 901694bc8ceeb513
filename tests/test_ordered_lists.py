"""An ordered list keeps its numbers in an answer: steps and phases read in order, as the file
numbers them. A quote that skips items, or a list numbered "1." throughout, shows bullets: its
numbers would say the wrong step."""

from __future__ import annotations

from conftest import assert_cites_exact_lines, small_kb_assistant

from app.core.passages import split_units
from app.core.quote import Passage, render
from app.core.retrieve import Hit
from ingest.chunk import chunk_markdown

ROLLBACK = """# Releases

## Rolling back a release

Roll back a bad release in this order:

1. Stop the rollout in the deploy tool so no more instances take the new version.
2. Redeploy the previous image tag:
   - use the tag recorded in the release ticket
   - never rebuild it from the branch
3. Check the error rate and latency dashboards for ten minutes.
4. Write a short incident note with the timeline and the ticket links.
"""

LAZY = """# Releases

## Rolling back a release

Roll back a bad release in this order:

1. Stop the rollout in the deploy tool.
1. Redeploy the previous image tag.
1. Check the error rate and latency dashboards.
"""


def test_an_answer_numbers_the_steps_as_the_file_does(tmp_path, embedder) -> None:
    assistant = small_kb_assistant(tmp_path, embedder, {"releases.md": ROLLBACK})
    answer = assistant.ask("What are the steps to roll back a bad release?")
    assert not answer.refused
    assert (
        "1. Stop the rollout in the deploy tool so no more instances take the new version.\n"
        "2. Redeploy the previous image tag:\n"
        "   - use the tag recorded in the release ticket\n"  # under the item's text: nested
        "   - never rebuild it from the branch\n"
        "3. Check the error rate and latency dashboards for ten minutes.\n"
        "4. Write a short incident note"
    ) in answer.text, answer.text
    assert_cites_exact_lines(answer, ROLLBACK)


def _quoted(markdown: str, first_lines: set[int]) -> str:
    chunk = chunk_markdown(markdown, "releases.md")[-1]
    units = tuple(u for u in split_units(chunk) if u.start_line in first_lines)
    return render([Passage(Hit(chunk, 0.6, 5.0, 0.03, 1), units)], {chunk.id: 1})


def test_a_quote_that_skips_a_step_shows_bullets() -> None:
    text = _quoted(ROLLBACK, {5, 7, 11})  # the lead-in, steps 1 and 3
    assert "- Stop the rollout" in text and "- Check the error rate" in text
    assert "1." not in text and "3." not in text


def test_a_quote_starting_past_the_first_step_keeps_its_numbers() -> None:
    text = _quoted(ROLLBACK, {11, 12})
    assert text.startswith("3. Check the error rate")
    assert "\n4. Write a short incident note" in text


def test_a_list_numbered_one_throughout_shows_bullets() -> None:
    text = _quoted(LAZY, {5, 7, 8, 9})
    assert "- Stop the rollout" in text and "- Check the error rate" in text
    assert "1." not in text
