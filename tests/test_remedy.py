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


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    return small_kb_assistant(tmp_path_factory.mktemp("remedy"), embedder, {"hooks.md": HOOKS})


def quoted_after_problem(assistant: Assistant, question: str) -> str:
    """What an answer quotes when its lead passage is the paragraph stating the problem (as
    the answer scorer picks it when the question's words match the problem best)."""
    with assistant.reader.pinned() as generation:
        chunk = next(c for c in generation.chunks if "Unfortunately" in c.text)
        units = tuple(u for u in split_units(chunk) if "twice" in u.quote)
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
