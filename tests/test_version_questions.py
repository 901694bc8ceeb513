"""Asked which version or release did something, an answer leads with the sentence naming the
version, not with the passage that best matches the question's other words."""

from __future__ import annotations

import pytest
from conftest import small_kb_assistant

from app.core.answer_type import wanted
from app.core.engine import Assistant

QUEUE = """# Task queue

## Retries

A task that raises is retried by the worker with exponential backoff: the first retry waits one
second, the next two, then four, up to the task's `max_retries`. Retries make the queue safe
against flaky networks, as long as every task is idempotent: a task that charges a card must
check whether the charge already happened before it charges again.

The worker adds jitter to every retry delay: a random share of the delay, so that tasks that
failed together during an outage do not all retry at the same moment and overload the broker
when it comes back. Jitter matters most for large fleets of workers retrying the same tasks.

Set `max_retries=0` on tasks that must never run twice, and log every retry with the task's id
so that a task retried many times shows up in the dashboards before its queue backs up.

## Upgrading

Workers retry with jitter since release 2.4.0; older workers retry at fixed delays.

Upgrade the workers before the scheduler, one host at a time, and drain each host first.

## Scheduling

Periodic tasks are declared in the beat schedule and sent by a single scheduler process.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    root = tmp_path_factory.mktemp("versions")
    return small_kb_assistant(root, embedder, {"queue.md": QUEUE})


def test_the_answer_leads_with_the_version(assistant):
    """The Retries section matches "worker", "jitter" and "retries" best, but only Upgrading
    says since when."""
    answer = assistant.ask("Which version of the worker added jitter to retries?")
    assert not answer.refused
    first = answer.text.split("\n\n")[0]
    assert "2.4.0" in first, answer.text
    lines = QUEUE.splitlines()
    named = next(n for n, line in enumerate(lines, 1) if "2.4.0" in line)
    assert answer.citations[0].start_line <= named <= answer.citations[0].end_line


@pytest.mark.parametrize(
    ("question", "text", "answers"),
    [
        ("Since which release are UUIDs supported?", "Support was added in `0.0.20`.", True),
        ("Which version added TypeIs?", "TypeIs was added in Python 3.13.", True),
        ("When was the v1 shim deprecated?", "It warns since 2.10, and goes in 3.0.", True),
        ("What is the minimum Python version?", "It needs Python 3.10 or later.", True),
        # a version only in a link's address, or the one the question names, answers nothing
        ("Which release dropped 3.9?", "Pre-release, see [notes](https://x.org/v2.9.0b2).", False),
        ("Which release dropped Python 3.9?", "Python 3.9 reached its end of life.", False),
        # numbers that are no versions
        ("When was jitter added?", "The default base delay is 0.5 seconds.", False),
        ("When was jitter added?", "It sleeps for `time.sleep(0.25)` between tries.", False),
        ("Which version binds all interfaces?", "Bind to 0.0.0.0 or 127.0.0.1.", False),
        ("Which release was cheaper?", "Both cost $9.99; see section 3.2.", False),
        ("Since which release is the export dated?", "Exported on 2024.01.15.", False),
        ("Which release changed the ratio?", "See Section 3.2. Use 0.75 as the ratio.", False),
    ],
)
def test_a_version_answers_a_question_asking_for_one(question, text, answers):
    kind = wanted(question)
    assert kind is not None
    assert kind.holds(text) is answers


@pytest.mark.parametrize(
    "question",
    [
        "What's the first version to support match statements?",
        "Which Pydantic v2 release added validate_call?",
        "When did Pydantic start supporting Python 3.13?",
        "After upgrading, my columns lost their indexes - when did that change?",
    ],
)
def test_questions_worded_otherwise_still_want_a_version(question):
    assert wanted(question) is not None


@pytest.mark.parametrize(
    "question",
    [
        "How many workers should I run per core?",  # an amount: nearly every passage has a number
        "How big should a connection pool be?",
        "What version control workflow do you recommend?",
        "Which version-control system should we use?",
        "Which release process should a small team follow?",
        "What does version mean in the lockfile?",
        "What is version pinning?",
        "What does release() return?",
        "Why does the worker retry tasks?",
    ],
)
def test_other_questions_want_no_version(question):
    assert wanted(question) is None
