"""A two-part question that asks for no example: a part's own passage that ends on a sentence
announcing an example ("The ticket below follows ...") does not bring the example's code into
the answer."""

from __future__ import annotations

import pytest
from conftest import plain, small_kb_assistant

from app.core.engine import Assistant

DELEGATION = """# Breaking down tasks for delegation

## Sizing pieces by risk and uncertainty

A ticket that is large but well understood, such as adding six similar columns, is safe to hand
over whole. A ticket that is small in code but uncertain can consume days if the approach turns
out not to work. A practical rule is that a delegated piece should be finishable in one to
three days by the person who will do it, and that it should contain at most one significant
unknown.

## Writing the ticket

State the context, the scope, the non-goals and the acceptance criteria.
"""

JUNIOR = """# Working with a junior developer

## An example of a good hand-off ticket

A good hand-off ticket gives the junior everything they need to start without a meeting, while
leaving the implementation decisions that will teach them something. The ticket below follows
the structure from the delegation guide and is sized for a junior a few months in.

```text
ORD-102  Order CSV export: columns and formatting

Context
Operations staff reconcile orders against payment reports weekly.

Scope
Add customer_email, total, status and created_at columns.

Non-goals
Filters, streaming, audit logging.

Acceptance criteria
- Given paid order 42, when it is exported, then its row shows the total as 19.50.
- Given no orders, when the export is requested, then the output is the header row only.

Timebox and help
If you are stuck for about an hour, message me with what you tried.
```

## Reviews

Review a junior's pull request within a working day.
"""

QUESTION = (
    "Rule of thumb for how big a junior's ticket should be and how many unknowns it can contain?"
)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"breaking-down-tasks.md": DELEGATION, "junior-collaboration.md": JUNIOR}
    return small_kb_assistant(tmp_path_factory.mktemp("parts-promise"), embedder, files)


def test_a_part_passage_brings_no_announced_code_unasked(assistant) -> None:
    text = plain(assistant.ask(QUESTION).text)
    assert "one to three days" in text and "at most one significant unknown" in text
    assert "ORD-102" not in text and "Acceptance criteria" not in text
