"""A follow-up is answered from the page the conversation is on, whichever section of it.

"how should I report the latency numbers afterwards?" after "How do I run a load test with
Locust?" leans on the conversation (it points back), and passages on another subject are left
out. The section that answers it, on reading latency, shares no word with the load-test question:
weighed alone it counted as another subject, and the page's pitfalls list, which names Locust,
was quoted instead. A page is one subject; a page the conversation never touched still is not."""

from __future__ import annotations

import pytest
from conftest import small_kb_assistant

from app.core.engine import Assistant

PERFORMANCE = """# Performance testing for Python services

## Running a load test with Locust

Write a Locust file whose user class calls the endpoints in realistic proportions, then run
`locust -f locustfile.py --headless --users 200 --spawn-rate 20 --run-time 10m` against a
staging copy of the service with production-sized data.

## Reading latency with percentiles

Latency must be reported as a distribution, using percentiles such as p50, p95 and p99, because
users experience individual requests, not averages. Never average percentiles across hosts or
time windows; merge the raw histograms instead.

## Common pitfalls

- Quoting the throughput of a Locust run without the latency at which it was reached.
- Load testing a Locust scenario with tiny data sets or a cold cache.
- Running the load generator on the same machine as the service under test.
"""

REPORTS = """# Weekly engineering reports

## What a weekly report contains

A weekly report lists the numbers the team committed to, what moved them and what is blocked.
Send it on Friday afternoon so that managers can read it before the Monday planning meeting.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"performance-testing.md": PERFORMANCE, "reports.md": REPORTS}
    return small_kb_assistant(tmp_path_factory.mktemp("follow-up-page"), embedder, files)


def test_a_follow_up_is_answered_by_the_section_of_the_conversations_page_that_answers_it(
    assistant,
):
    answer = assistant.ask(
        "how should I report the latency numbers afterwards?",
        history=["How do I run a load test with Locust?"],
    )
    assert answer.citations[0].chunk.source == "performance-testing.md"
    assert "Reading latency with percentiles" in answer.citations[0].chunk.heading_path
    assert "p99" in answer.text
