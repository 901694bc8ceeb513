"""A two-part question's parts are answered by what the quote leaves out, not by filler: a part
whose words beyond the quote's topic are named by no passage ("What's the cache stampede
problem") gets no passage of its own, and a sentence whose subject is a link ("[Logs vs
Metrics](guide.md) covers some guidance on ...") answers no part."""

from __future__ import annotations

from conftest import extractive_text, plain, small_kb_assistant

from app.core.compose import refers_elsewhere, score
from app.core.engine import Assistant, term_weights
from app.core.query import Query

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


ONE_LINE = (  # a paragraph written on one line, as kb/ and most corpora write them
    "[Locking in PostgreSQL](locks.md) explains which schema changes take heavy locks. Add the"
    " column as nullable first, backfill it in batches of a few thousand rows, then add the NOT"
    " NULL constraint as NOT VALID and validate it separately."
)
SCHEMA = f"""# Schema changes

## Adding a required column to a large table

{ONE_LINE}
"""

LOCKS = """# Locking in PostgreSQL

## Which statements lock a table

Most ALTER TABLE forms take an ACCESS EXCLUSIVE lock, which blocks reads and writes for as long as
the statement runs.
"""


def test_only_the_sentence_whose_subject_is_a_link_is_a_pointer(tmp_path, embedder):
    """The paragraph is one line: the sentence after "[Locking in PostgreSQL](locks.md) explains
    ..." on that line says something itself, and may lead an answer or join one."""
    files = {"schema.md": SCHEMA, "locks.md": LOCKS}
    assistant = small_kb_assistant(tmp_path, embedder, files)
    question = "How do I add a NOT NULL column to a big table safely?"
    with assistant.reader.pinned() as generation:
        hits = assistant.retrieve(question)
        ranked = score(Query.parse(question), hits, term_weights(generation))
    units = {s.candidate.unit.quote.split()[0]: s.candidate for s in ranked}
    assert refers_elsewhere(units["Locking"])  # "[Locking in PostgreSQL](locks.md) explains ..."
    assert not refers_elsewhere(units["Add"])
    assert "Add the column as nullable first" in extractive_text(assistant, question)


def test_what_is_the_x_problem_and_how_do_i_prevent_it_opens_on_what_x_is(real_kb, embedder):
    answer = Assistant(real_kb, embedder).ask(
        "What's the cache stampede problem and how do I prevent it?"
    )
    text = plain(answer.text)
    assert text.startswith("A cache stampede happens when a popular key expires"), text
    assert "single-flight" in text or "asyncio.Task" in text, text
