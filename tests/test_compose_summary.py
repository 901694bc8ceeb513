"""A page whose opening describes the page ("This document lists ..., gives a reusable
template, ...") does not answer from that description when one of its own sections says what
the description only names: "Give me a template for a task spec" quotes the template."""

from __future__ import annotations

import pytest
from conftest import plain, small_kb_assistant

from app.core.engine import Assistant

SPECS = """# Writing specifications for a junior developer

A backend specification tells a junior developer what to build, why it matters, where its
edges are and how everyone will know it is done. This document lists what a good backend spec
contains, gives a reusable template, explains how to adjust the level of detail to the
junior's experience, and shows a worked example. It also covers keeping the spec up to date.

## The parts of a good spec

A good spec names the context and the reason for the work, the scope and what is left out, the
interfaces and data shapes, the error cases and the constraints.

## A specification template

The following template for a task specification can be pasted into a ticket; delete
headings that do not apply rather than leaving them empty.

```markdown
Context
Who needs this, what problem it solves, why now.

Non-goals
- What this piece deliberately does not do.

Acceptance criteria
- Given / When / Then statements that the reviewer will check.
```

## Matching the detail to the junior's experience

A junior new to the codebase needs pointers to existing code; one who knows it needs the
contract and the edge cases only.
"""

OVERVIEW = """# Working with a junior developer

A junior's work goes best with a written specification and explicit acceptance criteria. See
[writing specifications](specs.md) for a template and a worked example.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"specs.md": SPECS, "overview.md": OVERVIEW}
    return small_kb_assistant(tmp_path_factory.mktemp("compose-summary"), embedder, files)


def test_a_template_question_quotes_the_template_not_the_page_describing_it(assistant):
    answer = assistant.ask("Give me a template for a backend task specification.")
    text = plain(answer.text)
    assert "This document lists" not in text
    assert text.startswith("The following template for a task specification can be pasted")
    assert "Non-goals" in text and "Acceptance criteria" in text
    assert answer.citations[0].chunk.heading_path.endswith("A specification template")


def test_a_question_the_opening_answers_is_still_answered_from_it(assistant):
    answer = assistant.ask("What does a backend specification tell a junior developer?")
    text = plain(answer.text)
    assert text.startswith("A backend specification tells a junior developer what to build")
