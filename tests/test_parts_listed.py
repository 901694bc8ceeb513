"""A two-part question whose parts a sentence only lists among other names ("whether it is
stress, soak, spike or chaos testing") is not answered by that sentence: each part gets the
passage that says what it is."""

from __future__ import annotations

import pytest
from conftest import plain, small_kb_assistant

from app.core.engine import Assistant

PERFORMANCE = """# Performance testing

## Metrics to capture

When running stress testing, soak testing, spike testing, or chaos testing, it is important
to capture metrics that show how the system performs under the load.

Capture latency percentiles, throughput, error rates and the saturation of each resource.

## Stress testing

The goal is to push the system beyond its expected peak load until it fails, to find its
breaking point and to see how it recovers afterwards.

## Spike testing

The goal is to send a sudden, short burst of many times the normal traffic, to check that the
system absorbs it and scales back down when the burst ends.
"""

DEPLOYMENT = """# Deployment

## Rolling back

Roll back by redeploying the previous release's image; never patch a running container.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"performance-testing.md": PERFORMANCE, "deployment.md": DEPLOYMENT}
    return small_kb_assistant(tmp_path_factory.mktemp("listed"), embedder, files)


def test_a_sentence_that_lists_both_parts_answers_neither(assistant) -> None:
    answer = assistant.ask("Stress testing vs spike testing")
    text = plain(answer.text)
    assert "push the system beyond its expected peak load" in text
    assert "send a sudden, short burst" in text
    assert "soak testing" not in text  # the sentence that only lists them is not the answer
