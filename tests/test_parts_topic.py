"""A two-part question's parts are answered by what the quote leaves out, not by filler: a part
whose words beyond the quote's topic are named by no passage ("What's the cache stampede
problem") gets no passage of its own, and a sentence whose subject is a link ("[Logs vs
Metrics](guide.md) covers some guidance on ...") answers no part."""

from __future__ import annotations

from conftest import extractive_text, plain, small_kb_assistant

from app.core.engine import Assistant

METRICS = """# Metrics

## When should I use metrics instead of logs?

[Logs vs Metrics vs Traces](guide.md) covers some high level guidance on when to utilize metric
data and when to use log data. Both have a valuable part to play in creating observable systems.

## Collection methods

Metrics are pushed by each component to a collector, or pulled by an agent that scrapes an
endpoint each component publishes.
"""

GUIDE = """# Logs vs Metrics vs Traces

## Usage guidance

When to use metric or log data to track a particular piece of telemetry can be summarized with
the following points:

- Use metrics to track the occurrence of an event, counting of items, or the time taken to
  perform an action.
- Use logs to track detailed information about an event also monitored by a metric,
  particularly errors, warnings or other exceptional situations.
"""


def test_a_sentence_whose_subject_is_a_link_answers_no_part(tmp_path, embedder):
    files = {"metrics.md": METRICS, "guide.md": GUIDE}
    assistant = small_kb_assistant(tmp_path, embedder, files)
    text = extractive_text(assistant, "When should I emit a metric and when a log line?")
    assert "Use metrics to track the occurrence of an event" in text, text
    assert "covers some high level guidance" not in text, text


def test_what_is_the_x_problem_and_how_do_i_prevent_it_opens_on_what_x_is(real_kb, embedder):
    answer = Assistant(real_kb, embedder).ask(
        "What's the cache stampede problem and how do I prevent it?"
    )
    text = plain(answer.text)
    assert text.startswith("A cache stampede happens when a popular key expires"), text
    assert "single-flight" in text or "asyncio.Task" in text, text
