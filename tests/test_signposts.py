"""A tutorial's signposts ("Let's see how to do that.", "We'll add data later.") say where the
text goes next, not what it says: an answer leaves them out of its quotes. A step that does
something ("Let's add `limit` to the query parameters.") is no signpost and stays."""

from __future__ import annotations

import pytest
from conftest import small_kb_assistant

from app.core.engine import Assistant

TUTORIAL = """# Heroes tutorial

## Delete a hero

Let's get started!

To delete a hero, pass the object to `session.delete()` and then call `session.commit()` to
write the change to the database file. We'll add data later.

Let's see what happens next.

## Page through heroes

Let's add `limit` and `offset` to the query parameters of the heroes endpoint, so a client
asks for one page of heroes at a time instead of all of them.

## Create an index

Let's now see the SQL syntax to create an index. It is very simple: name the index, the table
and the column, and the database builds the index from the rows already stored.

## Capacity

Let's say you run three replicas. Each then takes a third of the traffic, and losing one puts
half again as much load on each of the other two.

## Relationships

A hero belongs to at most one team through the `team_id` foreign key column.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    return small_kb_assistant(tmp_path_factory.mktemp("signposts"), embedder, {"t.md": TUTORIAL})


def test_signposts_are_left_out_of_a_quoted_section(assistant):
    answer = assistant.ask("How do I delete a hero from the database?")
    assert not answer.refused
    assert "session.delete()" in answer.text
    for signpost in ("Let's get started!", "We'll add data later.", "Let's see what"):
        assert signpost not in answer.text
    # The citation spans the quoted sentence, not the signposts around it.
    first = next(n for n, line in enumerate(TUTORIAL.splitlines(), 1) if "To delete" in line)
    assert answer.citations[0].start_line == first


def test_a_step_that_does_something_stays(assistant):
    answer = assistant.ask("How do I return one page of heroes at a time?")
    assert not answer.refused
    assert "Let's add `limit` and `offset`" in answer.text


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        (
            "How do I create an index with SQL?",
            "Let's now see the SQL syntax",
        ),  # "It is ..." leans on it
        ("What happens to the load when one of three replicas is lost?", "Let's say you run"),
    ],
)
def test_a_sentence_the_quote_leans_on_or_a_scene_stays(assistant, question, kept):
    answer = assistant.ask(question)
    assert not answer.refused
    assert kept in answer.text
