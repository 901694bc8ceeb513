"""A short section is quoted whole, but not from a paragraph that has nothing to do with the
answer: the quote starts where the answer's context does, never on a paragraph that leans on one
left out ("You might hear that term ..."), and an API entry keeps its opening, which says what
the name is."""

from __future__ import annotations

import pytest
from conftest import small_kb_assistant

from app.core.engine import Assistant

MODELS = """# Models

## Defaults

This page was last reviewed in March, and the examples run on every supported interpreter.

A default can be computed from another field with the default decorator: the decorated method
receives the partly initialised instance, so `total` can default to `self.price * self.count`.

## Relations

This guide uses the terms of database theory, in which each table is a relation.

That is why SQL databases are called relational databases: they are made of relations.

## `HiddenInput`

This section documents a field that takes its value only from code on the server, never from
what was sent.

Use it for an owner or a timestamp that the client must not set.

Note: a partial update leaves it out, so a PATCH never fills in its default.
"""

OTHER = """# Validation

## Validators

A validator runs after the instance is built and raises ValueError when a field holds a value
the model does not accept. Validators see the converted value, never the raw input.

## Converters

A converter turns the raw input into the field's type before any validator runs: `int` as a
converter accepts "3" and stores 3.

# Serialisation

Call `asdict()` to turn an instance into a dictionary; nested instances become dictionaries too,
and a filter callable decides which fields are left out.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    root = tmp_path_factory.mktemp("section-context")
    return small_kb_assistant(root, embedder, {"models.md": MODELS, "other.md": OTHER})


def test_a_paragraph_unrelated_to_the_answer_is_left_out(assistant):
    answer = assistant.ask(
        "How can a default value be computed from another field of the same instance?"
    )
    assert not answer.refused
    assert answer.text.startswith("A default can be computed from another field"), answer.text
    assert "last reviewed" not in answer.text


def test_a_quote_never_opens_on_a_paragraph_leaning_on_one_left_out(assistant):
    """The answer leans on the guide's opening, which scores low on its own ("This guide ...")."""
    answer = assistant.ask("Why are SQL databases called relational?")
    assert answer.text.startswith("This guide uses the terms of database theory"), answer.text


def test_an_api_entry_keeps_the_opening_saying_what_the_name_is(assistant):
    answer = assistant.ask("What happens to a HiddenInput field's default in a PATCH request?")
    assert "takes its value only from code on the server" in answer.text, answer.text
