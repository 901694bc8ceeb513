"""Asked "What does CORS stand for?", an answer quotes the sentence spelling the abbreviation
out, not only the ones saying what it does; the "stand for" wording is not held against the
question."""

from __future__ import annotations

import pytest
from conftest import small_kb_assistant

from app.core.answer_type import ASKS_EXPANSION, spells
from app.core.engine import Assistant

BROWSER = """# Browser clients

## CORS

A CORS policy is a list of the other sites whose pages may call your API from a browser, with
the methods and headers each may use; the browser enforces it and refuses the response when the
API does not allow the calling page's origin. A CORS preflight is the OPTIONS request a browser
sends before a call that is not simple, asking which methods and headers the API accepts from
that origin, and the answer may be cached by the browser for the number of seconds the API sets.

Configure the policy on the API, never in the frontend: list the exact origins, and allow
credentials only for origins you control. A wildcard origin cannot be combined with
credentials, and a policy that echoes back whatever origin asked is a wildcard in disguise:
review the list whenever a new frontend ships, and test the preflight in the deploy pipeline.

The name is a mouthful: CORS means Cross-Origin Resource Sharing, a standard the browsers agreed
on so that sites could relax the same-origin rule without turning it off.

## Cookies

Session cookies should be marked Secure, HttpOnly and SameSite=Lax unless a flow needs more.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    root = tmp_path_factory.mktemp("abbreviations")
    return small_kb_assistant(root, embedder, {"browser.md": BROWSER})


@pytest.mark.parametrize("question", ["What does CORS stand for?", "What is CORS short for?"])
def test_the_answer_spells_the_abbreviation_out(assistant, question):
    answer = assistant.ask(question)
    assert not answer.refused
    assert "Cross-Origin Resource Sharing" in answer.text
    lines = BROWSER.splitlines()
    spelled = next(n for n, line in enumerate(lines, 1) if "Cross-Origin" in line)
    assert any(c.start_line <= spelled <= c.end_line for c in answer.citations)


@pytest.mark.parametrize(
    ("abbreviation", "text", "spelled"),
    [
        ("ORM", "**ORM** means **Object-Relational Mapper**.", True),
        ("CORS", "Browsers implement Cross-Origin Resource Sharing (CORS) for this.", True),
        ("CI", "CI runs the tests; we could, if we needed to, run them by hand.", False),
        ("URL", "The URL comes from django.urls.reverse_lazy at import time.", False),
        ("API", "Any public interface changes need a review.", False),  # never names "API"
    ],
)
def test_only_words_next_to_the_abbreviation_spell_it_out(abbreviation, text, spelled):
    """Initials of ordinary words elsewhere in a sentence ("we could, if ..." for CI) are no
    expansion: the spelled-out words stand within a few words of the abbreviation."""
    assert spells(abbreviation, text) is spelled


def test_what_does_it_mean_is_no_question_about_an_abbreviation(assistant):
    """ "What does it mean when ...?" asks about a situation, not what letters stand for."""
    assert not ASKS_EXPANSION.search("What does it mean when the CORS preflight fails?")
    assert ASKS_EXPANSION.search("What does CORS stand for?")


DATA = """# Data access

## Object-Relational Mapper (ORM)

An ORM maps your classes to tables and your objects to rows, so that the code reads and writes
Python objects while the library writes the SQL. The session tracks the objects you loaded and
flushes their changes in one transaction when you commit.

## Terms

In this guide, ORM means Object-Relational Mapper, and a model is a class mapped to a table.
"""


def test_a_heading_spelling_it_out_does_not_stop_the_answer_from_doing_so(
    tmp_path_factory, embedder
):
    """The heading names the words, but a reader looks for them in the answer's text."""
    root = tmp_path_factory.mktemp("abbreviation-heading")
    assistant = small_kb_assistant(root, embedder, {"data.md": DATA})
    answer = assistant.ask("What does ORM stand for?")
    assert "ORM means Object-Relational Mapper" in answer.text.split("\n\n")[0]


def test_a_follow_up_asking_what_it_stands_for_answers_of_the_previous_question(assistant):
    """ "What does it stand for?" has no words of its own: it asks of the previous question."""
    answer = assistant.ask("What does it stand for?", history=["What is a CORS policy?"])
    assert not answer.refused
    assert "Cross-Origin Resource Sharing" in answer.text


def test_a_follow_up_asking_what_it_stands_for_of_a_question_naming_none_has_nothing_to_search(
    assistant,
):
    answer = assistant.ask(
        "What does it stand for?", history=["How should session cookies be marked?"]
    )
    assert "could not find any words" in answer.text
