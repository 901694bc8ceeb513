"""What a short answer holds: the shell commands a "how" question asks for, one answer for
"X vs Y" when the quote already names both, and no headings listed after a sentence that only
compares ("at or below which")."""

from __future__ import annotations

import pytest
from conftest import plain, small_kb_assistant

from app.core.engine import Assistant

BENCHMARKS = """# Benchmarks in the test suite

## Benchmarks with pytest-benchmark

The `benchmark` fixture calibrates the number of iterations, repeats the measurement and reports
min, max, mean and median per test. Call `benchmark(func, *args)` once per test; it returns the
function's result, so the test can still assert that the result is correct.
`benchmark.pedantic(...)` gives explicit control over rounds, iterations and warm-up rounds when
automatic calibration is unsuitable, for example when each call mutates its input.

Keep inputs in fixtures so that setup is not timed, and size them like production data: a
function that is linear on ten items and quadratic on ten thousand looks fine in a toy benchmark.

```bash
# On the main branch: save the results
pytest tests/bench --benchmark-only --benchmark-autosave
# On a feature branch: compare with the saved run, fail on a slower median
pytest tests/bench --benchmark-only --benchmark-compare --benchmark-compare-fail=median:10%
```
"""

LATENCY = """# Load testing

## Reading latency with percentiles

Report latency as a distribution, using percentiles such as p50, p95 and p99, because users
experience individual requests, not averages. p99 is the latency at or below which 99 % of
requests complete.

### Why averages mislead

An average mixes the fast majority with the slow tail and describes no real request.

### Coordinated omission

A closed-loop load generator waits for each slow response and so skips the requests real users
would have sent during a stall.
"""

ASYNC = """# Concurrency with asyncio

## Structured concurrency with TaskGroup

`asyncio.TaskGroup` is the preferred way to run tasks concurrently: if any task fails, the group
cancels the others and raises an `ExceptionGroup`. This is stricter than `asyncio.gather`, which
propagates the first exception while leaving the other tasks running.

## Common pitfalls

- **Blocking calls in coroutines.** `time.sleep` and sync drivers freeze the event loop.
- **Fire-and-forget tasks.** An unreferenced task can be collected mid-flight; use `TaskGroup`.
- **Swallowing `CancelledError`.** It breaks timeouts and task groups; re-raise it.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"benchmarks.md": BENCHMARKS, "latency.md": LATENCY, "asyncio.md": ASYNC}
    return small_kb_assistant(tmp_path_factory.mktemp("compose-commands"), embedder, files)


def test_a_how_question_gets_the_shell_commands_that_answer_it(assistant) -> None:
    answer = assistant.ask("How do I compare pytest-benchmark results on a branch against main?")
    text = answer.text
    assert "--benchmark-autosave" in text and "--benchmark-compare" in text
    # The commands are the answer: no paragraph about the fixture's other options after them.
    assert "benchmark.pedantic" not in text and "calibrates the number" not in text


def test_a_question_that_does_not_ask_how_gets_prose_not_the_commands(assistant) -> None:
    answer = assistant.ask("What does the pytest-benchmark fixture report for each test?")
    text = plain(answer.text)
    assert "min, max, mean and median per test" in text
    assert "--benchmark-compare" not in text


def test_a_comparison_with_below_lists_no_subsection_headings(assistant) -> None:
    answer = assistant.ask("How should I report latency numbers from a load test?")
    text = plain(answer.text)
    assert text.startswith("Report latency as a distribution, using percentiles")
    assert "Why averages mislead" not in text and "Coordinated omission" not in text


def test_x_vs_y_answered_by_one_paragraph_naming_both_gets_nothing_else(assistant) -> None:
    answer = assistant.ask("asyncio TaskGroup vs gather")
    text = plain(answer.text)
    assert "stricter than `asyncio.gather`" in text
    assert "Fire-and-forget" not in text and "Blocking calls" not in text
    assert [c.chunk.heading_path for c in answer.citations] == [
        "Concurrency with asyncio › Structured concurrency with TaskGroup"
    ]
