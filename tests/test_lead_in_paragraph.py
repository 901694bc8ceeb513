"""A quote that stops right before a "...:" lead-in standing as a paragraph of its own, whose
code chunking put in the section's next chunk, goes on into it when the lead-in says what the
quote leaves out (a word of the question): the scene, then what happens in it."""

from __future__ import annotations

import pytest
from conftest import plain, small_kb_assistant

from app.core.engine import Assistant

ENCODER = '''# Encoding object graphs

The encoder turns model instances into JSON documents.

### Circular references

When encoding object graphs, it is possible that you might meet circular references in the
input. For example, this can happen when dumping ORM rows with back-references to their parents.

Rather than raising a `RecursionError` while dumping rows with circular references, the
encoder is able to detect the cycle and raise an appropriate `CycleError`:

```python
from encoder import CycleError, dumps


class Parent:
    def __init__(self):
        self.children = []


class Child:
    def __init__(self, parent):
        self.parent = parent
        parent.children.append(self)


def build_tree(depth: int) -> Parent:
    """A parent with one child per level, each child pointing back at its parent."""
    root = Parent()
    for _ in range(depth):
        Child(root)
    return root


root = build_tree(depth=3)
print(len(root.children))
#> 3

try:
    dumps(root)
except CycleError as exc:
    print(exc)
    """
    cycle detected at root.children[0].parent
    """
```
'''

QUESTION = "Will I hit a RecursionError when dumping ORM rows with back-references?"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"encoder.md": ENCODER}
    return small_kb_assistant(tmp_path_factory.mktemp("lead-in-paragraph"), embedder, files)


def test_the_code_is_in_the_next_chunk(assistant):
    with assistant.reader.pinned() as generation:
        chunks = generation.document("encoder.md")
    lead_in = next(c for c in chunks if "raise an appropriate `CycleError`:" in c.text)
    assert "```python" not in lead_in.text


def test_the_scene_goes_on_to_the_lead_in_that_answers_and_its_code(assistant):
    answer = assistant.ask(QUESTION)
    assert not answer.refused
    text = plain(answer.text)
    assert text.startswith("When encoding object graphs")
    assert "raise an appropriate `CycleError`:" in text
    assert "except CycleError as exc:" in text
