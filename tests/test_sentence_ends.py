"""A sentence that ends inside quotes or brackets keeps its closing mark: an answer quoting
"… a mess." or "(… etc.)" shows them closed, not a stray quote or bracket opening the next
sentence."""

from __future__ import annotations

from conftest import extractive_text, small_kb_assistant

from app.core.passages import split_units
from ingest.chunk import chunk_markdown

FEEDBACK = """# Feedback

## Specific feedback

Vague feedback gives the junior nothing to act on. Weak feedback: "That retry logic was a mess."
Specific feedback names the situation, the behaviour and its impact, so the junior can change
one concrete thing. Keep personal data out of the example (names, emails, tickets etc.)
Share it within a day of the event, in private.
"""

QUESTION = "What is the difference between weak and specific feedback?"


def test_a_quoted_sentence_keeps_its_closing_quote_and_bracket(tmp_path, embedder):
    assistant = small_kb_assistant(tmp_path, embedder, {"feedback.md": FEEDBACK})
    text = extractive_text(assistant, QUESTION)
    assert 'Weak feedback: "That retry logic was a mess."' in text
    assert '. "' not in text and ". )" not in text  # no closing mark split off


ADR = """# Decision records

## Format

Each record has the structure

**[Ascending number]. [Title of decision]**

The title should tell the reader what was decided. Number records in order.
"""


def test_a_bold_line_with_a_full_stop_inside_is_one_unit() -> None:
    """A sentence never ends inside bold: the answer would show "**[Ascending number]." with
    its bold left open and the rest of the line gone."""
    chunk = chunk_markdown(ADR, "adr.md")[-1]
    quotes = [u.quote for u in split_units(chunk)]
    assert "**[Ascending number]. [Title of decision]**" in quotes, quotes
    assert "The title should tell the reader what was decided." in quotes  # others still split


def test_stars_inside_code_do_not_hold_a_sentence_open() -> None:
    chunk = chunk_markdown(
        "# Models\n\n## Keyword arguments\n\nPass `**kwargs` to the model. Then call `save()` on"
        " it. It returns the row.\n",
        "models.md",
    )[-1]
    quotes = [u.quote for u in split_units(chunk)]
    assert quotes == [
        "Pass `**kwargs` to the model.",
        "Then call `save()` on it.",
        "It returns the row.",
    ]
