"""Asked how to do something, an answer quoting only its section's opening paragraph (what the
thing is) goes on into the "...:" lead-in right after it and the steps it introduces: "How do I
make a Celery task idempotent?" quoted what an idempotent job is and left out the techniques."""

from __future__ import annotations

import pytest
from conftest import small_kb_assistant

JOBS = """# Background jobs

## Designing idempotent jobs

An idempotent job has the same effect whether it runs once or several times, and every job
must be written that way because at-least-once delivery, worker crashes and retries all cause
repeats of a job.

The techniques, from cheapest to most involved:

- **Pass identifiers, not objects.** Send the order's id and reload the row inside the worker,
  so that a retry sees the current state of the order rather than a stale pickled snapshot
  taken when the job was enqueued, possibly minutes or hours before it runs.
- **Prefer operations that can repeat.** Setting a status to shipped can repeat any number of
  times with the same result; adding ten loyalty points cannot, so turn increments into
  assignments computed from the source of truth wherever the domain allows it.
- **Record completion under a unique business key** in the same transaction as the effect, and
  skip the work when the record exists; name the business fact in the key, not the message.

Know what retries cannot fix:

- A job that sends an email twice has sent it twice.

The completion record is a table with a unique constraint on the business key. The job inserts
its row in the same transaction as its effect, so a second run fails on the constraint and
rolls back, or checks for the row first and returns early when it finds one. Keep the key
stable across retries and across enqueues of the same business fact: a key derived from the
message id changes when the same fact is enqueued twice by a double click in the browser.

```python
def renew(db, subscription_id: int, month: str) -> None:
    key = f"renewal:{subscription_id}:{month}"
    with db.begin():
        if db.execute("SELECT 1 FROM done WHERE key = ?", (key,)).fetchone():
            return
        db.execute("INSERT INTO done (key) VALUES (?)", (key,))
        charge(subscription_id, month)
```

## Scheduling

Run one scheduler process, never one per worker.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder):
    return small_kb_assistant(tmp_path_factory.mktemp("steps"), embedder, {"jobs.md": JOBS})


def test_a_how_question_gets_the_steps_after_the_opening_definition(assistant):
    answer = assistant.ask("How do I make a job idempotent?")
    assert not answer.refused
    assert "has the same effect whether it runs once or several times" in answer.text
    assert "The techniques, from cheapest to most involved:" in answer.text
    assert "Pass identifiers, not objects." in answer.text
    assert "Know what retries cannot fix" not in answer.text  # caveats are no steps
