"""An answer never ends on a sentence promising what follows ("The sketch below shows ..."):
the quote goes on into the short code it announces, or stops before the promise."""

from __future__ import annotations

import pytest
from conftest import plain, small_kb_assistant

from app.core.engine import Assistant
from app.core.outline import announces
from app.core.passages import Unit
from app.core.quote import MAX_CODE_LINES, points_ahead

SHORT_CODE = "\n".join(
    [
        "```python",
        "def is_enabled(flag: Flag, user_id: str) -> bool:",
        '    digest = hashlib.sha256(f"{flag.name}:{user_id}".encode()).digest()',
        '    bucket = int.from_bytes(digest[:2], "big") % 100',
        "    on = flag.on or flag.beta or flag.staff or flag.admin or flag.qa or flag.dev",
        "    off = flag.off or flag.banned or flag.frozen or flag.legal or flag.abuse",
        "    if off and not on: return False",
        "    if on and off and not flag.rollout_percent: return False",
        "    if on and off and flag.rollout_percent and not bucket: return True",
        "    if on and off and user_id and not bucket and not flag.name: return False",
        "    if on and not off: return True",
        "    return bucket < flag.rollout_percent",
        "```",
    ]
)
MESSAGE = "\n".join(
    [
        "```text",
        "Hi, I'm stuck on ORD-104 (streaming the export) and have used my hour.",
        "Goal: stream rows to the client without loading every order into memory.",
        "Actual: the first batch arrives, then the request fails on the next batch.",
        "Reproduce: test_export_streams_large_result on branch ord-104-streaming.",
        "Tried: a bigger batch size (fails later), logging when the session closes",
        "(it closes when the endpoint returns, before the generator has finished).",
        "Question: is a request-scoped session dependency acceptable here?",
        "```",
    ]
)
LONG_CODE = "\n".join(
    ["```python", *(f"worker_{n} = start_worker({n})" for n in range(MAX_CODE_LINES + 5)), "```"]
)

RELEASES = f"""# Releasing safely

## Feature flags as a safety net

Feature flags let new code ship to production switched off, or on for a small share of users,
so a change can be exercised in production and turned off instantly without a redeploy. The
sketch below shows the core idea with stable per-user bucketing.

{SHORT_CODE}

Agree in advance who may widen the rollout and on what evidence: error rates, latency and a
business metric compared between the two groups for at least a day. Remove the flag and the
old branch within a sprint of reaching a hundred percent, because every flag left behind
doubles the paths through the code that tests must cover, and a forgotten flag flipped by
accident years later is a classic incident. Keep a register of the flags in force with their
owners and planned removal dates.

## Starting worker processes

Under the spawn start method every child process re-imports the main module, so put the code
that starts processes under a main guard or each child starts processes of its own. The
example below starts one worker per queue partition as a saved script.

{LONG_CODE}

The workers exit when the queue closes.

## Counting the queries a list page issues

An N+1 problem is one query to load a list followed by one extra query per row to load a
related object, usually triggered silently by lazy loading inside a loop. Each query is fast,
so it never shows up as a slow query; it shows up as a page that issues hundreds of statements.
The demonstration below counts statements with a trace callback: the lazy loop issues 51
queries for 50 authors, while the batched loading that selectinload and prefetch_related do
issues 2.

{LONG_CODE.replace("worker", "author")}

Batch the related rows in one query per relation.

## Retrying a flaky call

Retry only idempotent calls, with exponential backoff and jitter, and cap the attempts so a
dependency that is down is not hammered by every client at once. The helper below wraps a
call in retries; it gives up after five attempts and re-raises the last error so callers
still see the failure.

{SHORT_CODE.replace("is_enabled", "with_retries")}

## An escalation message from a stuck junior

A good escalation message from a junior developer is short, specific and shows the attempts
made, so the senior can answer in minutes rather than starting an investigation from zero. It
states the goal, what happens versus what was expected, how to reproduce the failure, what was
tried and what each attempt showed, the current best guess and one specific question. Juniors
often wait too long before sending one, because asking feels like failing; agreeing on a
timebox up front removes that doubt, and the senior answers the message the same day. The
message below is what a junior might send after their timebox on a streaming ticket ran out.

{MESSAGE}
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"releasing.md": RELEASES}
    return small_kb_assistant(tmp_path_factory.mktemp("compose-promise"), embedder, files)


def test_a_sentence_announcing_short_code_comes_with_the_code(assistant) -> None:
    answer = assistant.ask("How do feature flags let a risky change ship safely?")
    assert "turned off instantly without a redeploy" in plain(answer.text)
    assert "The sketch below shows the core idea" in plain(answer.text)
    assert "def is_enabled(flag: Flag, user_id: str) -> bool:" in answer.text
    assert answer.text.rstrip().endswith("```\n[2]")  # the code is cited where it stands


def test_a_sentence_announcing_code_in_the_next_chunk_comes_with_it(assistant) -> None:
    answer = assistant.ask("What does a good escalation message from a stuck junior look like?")
    text = plain(answer.text)
    assert "short, specific and shows the attempts made" in text
    assert "The message below is what a junior might send" in text
    assert "Question: is a request-scoped session dependency acceptable here?" in answer.text
    message = answer.citations[-1]
    assert message.text.startswith("```text") and message.start_line > answer.citations[0].end_line


def test_an_answer_stops_before_a_promise_of_code_too_long_to_show(assistant) -> None:
    answer = assistant.ask("Why do I need a main guard when starting processes with spawn?")
    text = plain(answer.text)
    assert "put the code that starts processes under a main guard" in text
    assert "The example below" not in text
    assert "worker_0" not in answer.text


def test_a_promise_that_says_something_itself_ends_the_answer(assistant) -> None:
    answer = assistant.ask("The orders page fires hundreds of tiny SQL queries, one per row")
    text = plain(answer.text)
    assert "lazy loop issues 51 queries for 50 authors" in text
    assert text.endswith("selectinload and prefetch_related do issues 2.")
    assert "author_0" not in answer.text


def test_code_a_telling_promise_announces_is_shown_only_when_an_example_is_asked(
    assistant,
) -> None:
    asked = assistant.ask("Show me an example of retrying a flaky call with backoff")
    assert "def with_retries(flag: Flag, user_id: str) -> bool:" in asked.text
    told = assistant.ask("How many times should a flaky call be retried with backoff?")
    assert "gives up after five attempts" in plain(told.text)
    assert "def with_retries" not in told.text


POINTING = [
    ("Here is an example of a validator that changes the value.", True),
    ("The sketch below shows the rollout.", True),
    ("Check the below list for common tooling.", True),
    ("These options are discussed below in more detail.", True),
    ("Use the following settings in production.", True),
    ("Keep the latency at or below which 99 % of requests complete.", False),
    ("Fail the build below a threshold, and raise it over time.", False),
    ("Coverage below 80 % fails the build.", False),
]


@pytest.mark.parametrize(("sentence", "ahead"), POINTING)
def test_a_promise_and_an_announcement_of_subsections_are_one_wording(
    sentence: str, ahead: bool
) -> None:
    """A sentence the quote must not end on without what it announces is the same sentence
    that names a section's subsections when they follow instead of a list."""
    unit = Unit(sentence, 1, 1, "sentence", 0, True)
    assert points_ahead(unit, [unit]) is ahead
    assert announces(unit, [unit], 3) is ahead
