"""A typing slip in a question is read as the word the knowledge base uses: one swapped,
dropped or added letter made the word one the index never uses, and the question was refused
(49 of 113 evaluation questions with one slip)."""

from __future__ import annotations

import pytest

from app.core.spelling import Speller
from ingest.keyword import tokenize

INDEX = (
    "order orders testing strict mode checker red friendly cost entry json like policy delete whole"
    " normalisation serialise dependencies pitfalls page"
)
SPELLER = Speller({stem: 3 for stem in tokenize(INDEX)} | {"order": 9})


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("the odrers page fires a query per row", "the orders page fires a query per row"),
        ("stirct vs lax mode", "strict vs lax mode"),
        ("Stirct mode?", "Strict mode?"),  # a sentence's first word
        ("stress vs spike testnig", "stress vs spike testing"),
        ("what shuold I check?", "what should I check?"),  # a function word
        ("what shoud I ask?", "what should I ask?"),  # ... a letter dropped
        ("it fails becausse of the cost", "it fails because of the cost"),  # ... one added
        ("the whoile order", "the whole order"),  # an index word one slip away wins over "while"
        ("how does the borrow cehcker work", "how does the borrow checker work"),
        ("how do I deltee a row", "how do I delete a row"),  # "delete": no listed English word
        ("a normalization violation?", "a normalisation violation?"),  # as the KB spells it
        ("how do I serialize a datetime", "how do I serialise a datetime"),  # an English word
        ("how to pin deps", "how to pin dependencies"),  # shorthand the index never uses
        ("Any gotchas doing that?", "Any pitfalls doing that?"),  # slang, as shorthand
        ("Burn-rate paigng thresholds?", "Burn-rate paging thresholds?"),  # "page", e dropped
    ],
)
def test_a_slip_is_read_as_the_index_word(typed, read):
    assert SPELLER.corrected(typed) == read


@pytest.mark.parametrize(
    "question",
    [
        "How do I add Sentry to Django?",  # a name the KB lacks
        "We call the page Odrers",  # a name: not "Orders"
        "How do I redact() names?",  # a call
        "How do I store a JSONB column?",
        "search with ILIKE",
        "how do I cache results in redis",  # not "reds"
        "the review feels friendlier",  # not "friendlie"
        "let vs const in JavaScript",  # five letters: not "cost"
        "What does attr.datcalass do?",  # part of an identifier
        "What does `ordrs` return?",  # code
        "How do I bake bread?",  # English words
        "thee order",  # four letters: not "the"
        "ordrs" + "x" * 20_000,  # no word a slip made
    ],
)
def test_names_forms_and_code_are_left_as_typed(question):
    assert SPELLER.corrected(question) == question


def test_shorthand_the_index_uses_is_left_as_typed():
    speller = Speller({stem: 2 for stem in tokenize("perf performance dependencies")})
    assert speller.corrected("perf tips for deps") == "perf tips for dependencies"


LOGS = """# Logging

## Scrubbing PII from logs

Personal data such as emails and card numbers must never reach the logs: scrub PII in a
logging filter before records are formatted, and test the filter with a record that holds an
email address and a card number.

## Frontend

The admin frontend is written in React; its build runs in CI next to the backend tests.
"""


def test_a_word_the_kb_covers_as_typed_is_not_read_as_another(tmp_path, embedder):
    """ "redact" is one letter from "react", which the KB uses; "How do I redact PII from
    logs?" is covered as typed, so it is answered as typed, never as "react PII"."""
    from conftest import small_kb_assistant

    assistant = small_kb_assistant(tmp_path, embedder, {"logging.md": LOGS})
    answer = assistant.ask("How do I redact PII from logs?")
    assert not answer.refused
    assert answer.question == "How do I redact PII from logs?"
    assert "read_as" not in answer.extra
    slipped = assistant.ask("Where do I srcub PII?")  # refused as typed
    assert not slipped.refused
    assert slipped.extra["read_as"] == "Where do I scrub PII?"
    assert slipped.render().startswith("(Read as: Where do I scrub PII?)")  # as kb-ask shows it
