"""A list or code block that opens its chunk, when chunking left the "...:" lead-in introducing it
closing the section's previous chunk, is quoted after that lead-in: "How should I handle database
migrations in Django without downtime?" quoted the four rules without "every migration must be
compatible with the previous release ... Concretely:". So placed, code may answer."""

from __future__ import annotations

from conftest import small_kb_assistant

MIGRATIONS = """# Shipping schema changes

## Zero-downtime schema changes

While a rolling deploy is under way, the previous release keeps running against the new schema,
so each migration has to work with the code released before it. The usual technique is expand
and contract: add the new structure first, release code that writes to both, backfill, switch
the reads over, and only remove the old structure in a later release. Concretely:

- Add a column as nullable, or give it a database-side default, so that inserts from the previous
  release still succeed; a default the ORM applies in Python is never written into the schema,
  so rows inserted by the old code would fail the new constraint during the rollout window.
- To drop a column, make it nullable first and stop reading it in code, ship that release, and
  only drop the column in a later release; the old release still selects every column it knows
  about, and the new release must be able to insert rows without the column.
- Never rename a column or a table in one step: add the new one, copy the data, switch readers
  and writers over, and drop the old one once nothing uses it any more.
- Build indexes on large PostgreSQL tables concurrently, in a migration that does not run inside
  a transaction, so that writes to the table are not blocked while the index is built.

## Reviewing migrations

Read every generated migration before it is merged.
"""


def test_a_list_opening_its_chunk_comes_with_the_lead_in_closing_the_chunk_before(
    tmp_path, embedder
):
    assistant = small_kb_assistant(tmp_path, embedder, {"migrations.md": MIGRATIONS})
    with assistant.reader.pinned() as generation:
        pieces = [
            c for c in generation.chunks if c.heading_path.endswith("Zero-downtime schema changes")
        ]
    assert len(pieces) == 2 and pieces[1].text.lstrip().startswith("- Add a column")  # the case
    answer = assistant.ask("How do I change a database schema without downtime?")
    assert not answer.refused
    assert "Add a column as nullable" in answer.text
    assert "expand and contract" in answer.text and "Concretely:" in answer.text
    assert answer.text.index("Concretely:") < answer.text.index("Add a column as nullable")


SLOTS = """# Slotted classes

## Memory and speed

A slotted class keeps its attributes in fixed slots instead of a per-instance dictionary. On
CPython that saves a good deal of memory when a program creates millions of small objects, and
attribute access gets slightly faster because the interpreter finds each value at a fixed
offset. The price is flexibility: an instance cannot grow attributes the class never declared,
weak references need a slot of their own, and some metaclass features do not work, because the
decorator has to replace the class it was given by a new one. Pickling an instance whose field
was never set fails too. None of this matters for plain data objects, which is why the modern
decorators make every class slotted unless told otherwise. Where production code keeps the slots
but one place needs a dictionary after all, derive a subclass that sets slots to false and build
the instance from that subclass, as the example below does:

```python
import unittest.mock

@define
class Slotted:
    x: int

    def method(self):
        return self.x

@define(slots=False)
class Dicted(Slotted):
    pass

d = Dicted(42)
with unittest.mock.patch.object(d, "method", return_value=23):
    assert d.method() == 23
```
"""

DECORATORS = """# Field decorators

Decorator-based features such as defaults are implemented on the object a field definition
returns. An attribute that only carries a class annotation has no such object, so calling a
method on it fails with an attribute error.
"""


def test_code_opening_its_chunk_may_lead_after_the_lead_in_closing_the_chunk_before(
    tmp_path, embedder
):
    """The doctest that answers opened its own chunk, its lead-in closing the one before; code
    answers alone only when asked for an example, so a sentence from another page that shares
    the question's words led ("patch.object fails with 'object attribute 'method' is
    read-only' on my attrs instance: how can I mock it in tests?")."""
    files = {"slots.md": SLOTS, "decorators.md": DECORATORS}
    assistant = small_kb_assistant(tmp_path, embedder, files)
    with assistant.reader.pinned() as generation:
        pieces = [c for c in generation.chunks if c.heading_path.endswith("Memory and speed")]
    assert len(pieces) == 2 and pieces[1].text.lstrip().startswith("```")  # the case
    question = (
        "unittest.mock.patch.object fails with \"object attribute 'method' is read-only\" on my"
        " instance. How can I mock it in tests?"
    )
    answer = assistant.ask(question, k=2)
    assert answer.citations[0].chunk.source == "slots.md"
    assert "derive a subclass that sets slots to false" in " ".join(answer.text.split())
    assert answer.text.count("patch.object(d,") == 1  # the lead-in's promise kept once
