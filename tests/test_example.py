"""A question asking to see an example or code gets the code block its answer's section holds,
even one too long to be quoted on its own, with the sentence introducing it; a question that
does not ask for code gets the prose alone."""

from __future__ import annotations

import pytest
from conftest import small_kb_assistant

from app.core.example import _around
from app.core.query import ASKS_CODE

# Longer than a block the answer would quote on its own (quote.MAX_CODE_LINES, 40 lines).
STEPS = "".join(
    f"\n\ndef send_part_{n}(payload):\n    return retry(lambda: send(payload, {n}), (OSError,))\n"
    for n in range(10)
)
JOBS = f"""# Job queues

## Retrying failed jobs

A job that fails with a transient error is retried with exponential backoff and jitter, so
that many workers retrying at once do not hit the broker in lockstep. The delay doubles with
each attempt up to a cap, and a random share of it is added so that retries spread out.

Give up after a fixed number of attempts and move the job to a dead-letter queue, where an
operator can inspect the payload and the last error before deciding to replay it.

### A retry helper

The helper wraps any callable and retries it on the errors you name:

```python
import random
import time


class GiveUp(Exception):
    pass


def retry(call, errors, attempts=5, base=0.5, cap=30.0):
    for attempt in range(attempts):
        try:
            return call()
        except errors:
            if attempt == attempts - 1:
                raise GiveUp(call)
            delay = min(cap, base * 2**attempt)
            time.sleep(delay / 2 + random.uniform(0, delay / 2))
{STEPS}```

Running it against a flaky broker prints each attempt:

```console
$ python retry_demo.py
retrying failed job 7: attempt 1, backoff 0.5 s with jitter 0.2 s
retrying failed job 7: attempt 2, backoff 1.0 s with jitter 0.4 s
```

## Scheduling periodic jobs

Periodic jobs run from one scheduler process, never from every worker, or each worker fires
the same job at the same minute.

```python
scheduler.add_job(nightly_report, "cron", hour=2)
```
"""


CACHES = """# Caches

A cache keeps what an expensive call returned. This page covers where to put one.

## Where to cache

Cache at the edge of the service, closest to the caller.

## Warming a cache

```python
def warm(cache, keys):
    for key in keys:
        cache.get_or_compute(key)
```
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder):
    files = {"jobs.md": JOBS, "caches.md": CACHES}
    return small_kb_assistant(tmp_path_factory.mktemp("example"), embedder, files)


def test_a_page_opening_looks_for_its_example_in_its_own_text_only(assistant):
    """Under the title alone, a page's opening text is about the page, the section it leads
    into and sections named by the question: the other sections' code is about anything (a
    first version took every section)."""
    with assistant.reader.pinned() as generation:
        chunks = generation.document("caches.md")
        opening = next(c for c in chunks if c.heading_path == "Caches")
        around = {c.heading_path for c in _around(chunks, opening, {"edg"})}
        named = {c.heading_path for c in _around(chunks, opening, {"warm"})}
    assert around == {"Caches", "Caches › Where to cache"}
    assert named == around | {"Caches › Warming a cache"}


def test_an_example_asked_for_is_shown_with_its_lead_in(assistant):
    answer = assistant.ask("Show me an example of retrying a failed job with backoff and jitter")
    assert not answer.refused
    assert "def retry(call, errors" in answer.text
    assert "The helper wraps any callable and retries it on the errors you name:" in answer.text
    assert "scheduler.add_job" not in answer.text  # another section's code
    assert "retry_demo.py" not in answer.text  # a console session naming more of its words
    lines = JOBS.splitlines()
    code = next(c for c in answer.citations if "def retry" in c.text)
    assert lines[code.end_line - 1] == "```"
    lead_in = next(c for c in answer.citations if "The helper wraps" in c.text)
    assert lead_in.n == code.n - 1 or lead_in is code  # right before the code, or with it


@pytest.mark.parametrize("follow_up", ["Show me the code", "Can I see the code?", "Code please"])
def test_a_follow_up_asking_for_code_shows_the_previous_answers_example(assistant, follow_up):
    """ "Show me the code" after an answer searched the KB for "code" (the code style guide
    on our KB): it asks for the example of the answer the user just read, and shows that
    example without the prose again."""
    asked = "How are failed jobs retried?"
    answer = assistant.ask(follow_up, history=[asked])
    assert not answer.refused
    assert "def retry(call, errors" in answer.text
    assert "The helper wraps any callable" in answer.text
    assert "dead-letter queue" not in answer.text and "scheduler.add_job" not in answer.text
    assert "dead-letter queue" in assistant.ask(asked).text  # the prose the user has seen


def test_a_question_not_asking_for_code_gets_the_prose(assistant):
    answer = assistant.ask("How are failed jobs retried?")
    assert not answer.refused
    assert "backoff" in answer.text
    assert "def retry" not in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "Show me an example of a FastAPI lifespan handler",
        "Example of a Flask application factory?",
        "Give me a code sample for cursor pagination",
        "What does the code for an outbox relay look like?",
        "Show me how to write a Django data migration",
        "Is there a snippet for retrying with jitter?",
        "code for a rate limiter",
        "How do I make team_id NULL when its team is deleted? Show the model code",
        "Code?",
        "Any snippet?",
    ],
)
def test_asking_to_see_code(question):
    assert ASKS_CODE.search(question)


@pytest.mark.parametrize(
    "question",
    [
        "How many topics should I try to teach in a single code review?",
        "What code coverage threshold should fail the build?",
        "Are comments in code a code smell?",
        "My code under test calls session.commit() - how can each test roll back?",
        "Where can I see code coverage reports?",
        "How do I show code review comments kindly?",
        "Should I give junior devs code ownership?",
        "How do I write code that is testable?",
        "What sample size do I need for an A/B test?",
        "Show me the difference between optimistic and pessimistic locking",
        "What about VS Code?",
        "code review?",
        "Any?",  # asks for nothing to see
        "The?",
    ],
)
def test_questions_about_code_do_not_ask_to_see_it(question):
    assert not ASKS_CODE.search(question)
