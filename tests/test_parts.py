"""A two-part question gets both halves answered, each cited at its exact lines; a question
with "and" that asks one thing stays one question and one passage."""

from __future__ import annotations

import pytest
from conftest import plain, small_kb_assistant

from app.core.engine import Assistant
from app.core.evaluate import junk_markup
from app.core.query import split_parts

DONE = """# Definition of done

## What done means

A story is done when the code is reviewed, merged, covered by tests and deployed to staging,
and the product owner has accepted it against its acceptance criteria.

## Keeping the list current

Revisit the checklist at each retrospective and remove checks nobody performs any more.
"""

READY = """# Definition of ready

## What ready means

A story is ready when it has a clear goal, acceptance criteria and an estimate, so the team
can start work on it in the next sprint without further discussion.

## Keeping it light

Do not turn the ready checklist into a gate that blocks every small change.
"""

LOAD = """# Load testing

## Where the load comes from

Generate the load from agents outside the system under test, scaled out to several machines
when one agent cannot produce enough requests.

## Monitoring during a run

Collect metrics and logs on the system under test while the load runs, so that bottlenecks
show up in the results.

## Test environment

Run load tests in a production-like environment whose hardware, network and data volumes
closely resemble the deployment.
"""

MIGRATIONS = """# Database migrations

## Creating and applying a migration

Create a migration with `alembic revision --autogenerate -m "message"`, review the generated
file, then apply it with `alembic upgrade head`.

## Rolling back

Roll back the last migration with `alembic downgrade -1`.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {
        "definition-of-done.md": DONE,
        "definition-of-ready.md": READY,
        "load-testing.md": LOAD,
        "migrations.md": MIGRATIONS,
    }
    return small_kb_assistant(tmp_path_factory.mktemp("parts"), embedder, files)


def exact(assistant: Assistant, answer) -> None:
    for cited in answer.citations:
        lines = (assistant.settings.kb_dir / cited.chunk.source).read_text().splitlines()
        assert cited.text == "\n".join(lines[cited.start_line - 1 : cited.end_line])


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("Definition of done vs definition of ready", 2),
        ("What environment should a load test run in and where should the load come from?", 2),
        ("How big should a PR be, and how quickly should I review it?", 2),
        ("Which parts of Pydantic are written in Rust and why?", 2),
        ("Celery or arq for I/O-bound jobs? Any catch with arq?", 2),
        ("How should we run on-call, and who acts as incident commander?", 2),
        ("How do I create and apply a migration?", 1),
        ("Which Python, Pydantic and Django versions does the backend assume?", 1),
        ("Am I micromanaging? I check my junior's status several times a day.", 1),
        ("VS Code flags a type error; how do I silence it on that one line?", 1),
        ("Should the API answer 403 or 404 for another tenant's order?", 1),
        # a "?" standing for a value in SQL is not the end of a question
        ("index column order for WHERE tenant_id = ? AND created_at > ? ORDER BY created_at", 1),
        ("Why is SELECT * FROM t ORDER BY id LIMIT ? OFFSET ? slow on big tables?", 1),
        ("What's the difference between is and ==? When should I use each?", 2),
        ("Should I filter with AND or OR? Which one uses the index?", 2),
    ],
)
def test_a_question_splits_into_the_parts_it_asks(question: str, parts: int) -> None:
    assert len(split_parts(question)) == parts


def test_both_sides_of_a_versus_are_defined(assistant) -> None:
    answer = assistant.ask("Definition of done vs definition of ready")
    text = plain(answer.text)
    assert "A story is done when the code is reviewed" in text
    assert "A story is ready when it has a clear goal" in text
    assert len(text.split()) <= 150 and len(answer.citations) <= 2  # no third section
    exact(assistant, answer)


def test_each_part_gets_its_own_answer_in_the_order_asked(assistant) -> None:
    answer = assistant.ask(
        "What environment should a load test run in and where should the load come from?"
    )
    text = plain(answer.text)
    environment = text.find("production-like environment")
    agents = text.find("agents outside the system under test")
    assert environment >= 0 and agents >= 0
    assert environment < agents  # the first part's answer reads first
    assert junk_markup(answer.text) == []
    exact(assistant, answer)


def test_a_question_with_and_that_asks_one_thing_gets_one_passage(assistant) -> None:
    answer = assistant.ask("How do I create and apply a migration?")
    text = plain(answer.text)
    assert "alembic upgrade head" in text
    assert len(answer.citations) == 1
    assert "downgrade" not in text  # no padding from the next section
