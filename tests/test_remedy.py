"""A question asking what to use instead, or how to fix or prevent something, gets the
paragraph that resolves the problem after the quote stating it ("To alleviate this, ... provides
..."), with the code it introduces; a question that asks no such thing does not."""

from __future__ import annotations

import pytest
from conftest import small_kb_assistant

from app.core.engine import Assistant
from app.core.passages import split_units
from app.core.query import Query
from app.core.quote import Passage, render
from app.core.remedy import with_remedy
from app.core.retrieve import Hit

HOOKS = """# Service hooks

## Start hooks run twice

A start hook is a function the runtime calls when a service of the class that declares it is
created, before the first request reaches it. Teams use start hooks to open connection
pools, warm caches, register metrics and check that the configuration they need is present,
so that a misconfigured service fails at deploy time rather than on its first request. A hook
may be declared on a base class and inherited by every service built from it, and each service
class may declare at most one start hook of its own next to the inherited ones.

Unfortunately, the decorator-based registration that Acme services use does not play well with
start hooks. When a service is wrapped by the registry, its start hook runs twice: once for the
original class and once for the wrapped class the registry builds around it. Connection pools
are then opened twice, metrics are registered twice and the second registration fails with a
duplicate-name error in the service log.

To alleviate this, Acme provides `on_ready`, which runs once the service is fully assembled. The
class does not even have to be registered:

```python
class Billing(Service):
    def on_ready(self):
        self.cache = {}
```

Registered services keep their start hooks for the settings they read at import time; the
registry copies those settings onto the wrapped class before it calls `on_ready`, so either
hook sees the same configuration values and environment variables.

## Stop hooks

A stop hook runs when the service shuts down; it gets ten seconds to flush its buffers.
"""


# The fix's "...:" closes its chunk; the code it introduces opens the section's next chunk.
EXPORTS = """# Exports

## Exports time out on large buckets

An export copies every object of a bucket into an archive the user downloads afterwards, and it
runs in the background so that the request that started it returns at once with a job id the
client can poll. Large buckets hold millions of objects, spread over many storage nodes, and an
export of one has to list and read all of them before the archive is complete.

Unfortunately, the export worker gives every job the same fixed deadline, whatever the size of
the bucket it copies. A job for a bucket with a few million objects runs past that deadline, is
killed half way and starts again from the beginning, so it never finishes and keeps one worker
busy for good.

Instead, set a deadline that grows with the bucket, in the worker's settings file:

```toml
[export]
# How long a job may run for each million objects its bucket holds.
timeout_per_million_objects = "20m"
# The deadline of a job for a small bucket, whatever its size says.
minimum_timeout = "5m"
# The deadline no job may pass, however large its bucket: past it, page the on-call engineer.
maximum_timeout = "12h"
# How many jobs one worker runs at a time; a large bucket's job counts as one.
concurrent_jobs = 4
# Where a killed job resumes: "checkpoint" continues from its last listed page.
resume = "checkpoint"
```
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"hooks.md": HOOKS, "exports.md": EXPORTS}
    return small_kb_assistant(tmp_path_factory.mktemp("remedy"), embedder, files)


def quoted_after_problem(assistant: Assistant, question: str, problem: str = "twice") -> str:
    """What an answer quotes when its lead passage is the paragraph stating the problem (as
    the answer scorer picks it when the question's words match the problem best)."""
    with assistant.reader.pinned() as generation:
        chunk = next(
            c for c in generation.chunks if "Unfortunately" in c.text and problem in c.text
        )
        units = tuple(u for u in split_units(chunk) if problem in u.quote)
        lead = Passage(Hit(chunk, 0.5, 1.0, 0.1, 1), units)
        passages = with_remedy(Query.parse(question), [lead], generation.document)
    return render(passages, {p.hit.chunk.id: n for n, p in enumerate(passages, 1)})


def test_a_question_asking_what_to_use_instead_gets_the_fix(assistant):
    text = quoted_after_problem(
        assistant, "My start hook runs twice on a registered service, what should I use instead?"
    )
    assert "its start hook runs twice" in text  # the problem, as the docs state it
    assert "To alleviate this, Acme provides `on_ready`" in text
    assert "def on_ready(self):" in text  # the code the fix introduces
    assert "Registered services keep" not in text  # the paragraph after the fix is not


def test_a_question_not_asking_for_a_fix_stops_at_the_problem(assistant):
    text = quoted_after_problem(
        assistant, "Why does a start hook run twice on a registered service?"
    )
    assert "its start hook runs twice" in text
    assert "on_ready" not in text


def test_the_whole_answer_holds_the_fix(assistant):
    answer = assistant.ask(
        "My start hook runs twice on a registered service, what should I use instead?"
    )
    assert not answer.refused
    assert "`on_ready`" in answer.text


def test_a_fix_whose_code_opens_the_next_chunk_shows_that_code(assistant):
    with assistant.reader.pinned() as generation:
        pieces = [c for c in generation.chunks if c.source == "exports.md"]
    assert any("Instead" in c.text and "timeout_per_million" not in c.text for c in pieces)
    text = quoted_after_problem(
        assistant, "Exports of large buckets never finish. How do I fix that?", "killed"
    )
    assert "Instead, set a deadline that grows with the bucket" in text
    assert 'timeout_per_million_objects = "20m"' in text  # never a fix ending on its colon


def test_a_fix_the_answer_quotes_already_is_quoted_once(assistant):
    with assistant.reader.pinned() as generation:
        chunk = next(
            c for c in generation.chunks if "Unfortunately" in c.text and "twice" in c.text
        )
        units = split_units(chunk)
        problem = tuple(u for u in units if "twice" in u.quote)
        fix = tuple(u for u in units if "alleviate" in u.quote)
        hit = Hit(chunk, 0.5, 1.0, 0.1, 1)
        passages = [Passage(hit, problem), Passage(hit, fix)]
        question = Query.parse("My start hook runs twice, what should I use instead?")
        shown = with_remedy(question, passages, generation.document)
    markers = {p.hit.chunk.id: n for n, p in enumerate(shown, 1)}
    text = render(shown, markers)
    assert text.count("To alleviate this") == 1
    assert len(shown) == 1  # one chunk, one passage: its [n] marker and citation agree
