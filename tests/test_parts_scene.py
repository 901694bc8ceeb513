"""A two-part question told with its scene first ("We enqueue ... after saving the order. Can
that job still get lost, and what closes the gap?"): when the passage that answers both parts
is quoted, the scene's words do not send a part looking for a second passage."""

from __future__ import annotations

import pytest
from conftest import plain, small_kb_assistant

from app.core.engine import Assistant

JOBS = """# Background jobs

## Enqueuing reliably with a transactional outbox

Enqueue a job only after the data it needs has committed, and when losing a job is
unacceptable, write it to an outbox table in the same transaction instead of calling the
broker. Enqueuing inside the transaction lets a worker start before the row is visible, or run
for an order that then rolls back. `transaction.on_commit` in Django fixes that, but leaves the
opposite gap: if the process dies after the commit and before the enqueue, the job is silently
lost.

## Retries

Retry a failed job with exponential backoff and a cap, and make every job idempotent.
"""

DJANGO = """# Django architecture

## Transactions with atomic and on_commit

`on_commit` callbacks run after the outermost transaction commits and are discarded if it
rolls back. Use them to enqueue Celery tasks, send emails or publish events; enqueuing inside
the transaction lets the worker run before the data is visible, or for an order that was then
rolled back. Pass `robust=True` if a failing callback should be logged rather than stop later
callbacks.

## Settings

Keep one settings module per environment and read secrets from the environment.
"""

QUESTION = (
    "We enqueue the confirmation email with on_commit after saving the order. "
    "Can that job still get lost, and what closes the gap?"
)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"background-jobs.md": JOBS, "django-architecture.md": DJANGO}
    return small_kb_assistant(tmp_path_factory.mktemp("parts-scene"), embedder, files)


def test_the_passage_answering_both_parts_is_the_whole_answer(assistant) -> None:
    answer = assistant.ask(QUESTION)
    text = plain(answer.text)
    assert "the job is silently lost" in text and "outbox table" in text
    assert "callbacks run after the outermost transaction" not in text
    assert {c.chunk.source for c in answer.citations} == {"background-jobs.md"}
