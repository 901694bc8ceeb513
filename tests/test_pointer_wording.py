"""A sentence that only sends the reader elsewhere ("See [Discriminated Unions] for more
details.") adds nothing to an answer, here after a section too long to quote whole. Ingestion
reduces relative and reference links to their words, so the quote shows no link: the wording
alone must say that it points elsewhere."""

from __future__ import annotations

from conftest import extractive_text, pointing, small_kb_assistant

from app.core.compose import refers_elsewhere
from app.core.scorer import points_elsewhere

PERFORMANCE = """# Performance tips

## Use tagged union, not union

Tagged union (or discriminated union) is a union with a field that indicates which type it is.

```python
from typing import Any, Literal

from pydantic import BaseModel, Field


class DivModel(BaseModel):
    el_type: Literal['div'] = 'div'
    class_name: str | None = None
    children: list[Any] | None = None


class SpanModel(BaseModel):
    el_type: Literal['span'] = 'span'
    class_name: str | None = None
    contents: str | None = None


class ButtonModel(BaseModel):
    el_type: Literal['button'] = 'button'
    class_name: str | None = None
    contents: str | None = None


class InputModel(BaseModel):
    el_type: Literal['input'] = 'input'
    class_name: str | None = None
    value: str | None = None


class Html(BaseModel):
    contents: DivModel | SpanModel | ButtonModel | InputModel = Field(
        discriminator='el_type'
    )
```

See [Discriminated Unions] for more details.

## Use TypedDict over nested models

A `TypedDict` validates faster than a nested model because no model instance is built.

[Discriminated Unions]: unions.md#discriminated-unions
"""

UNIONS = """# Unions

## Smart mode

In smart mode the union tries each member type and keeps the best match for the input.

## Discriminated unions

A discriminator field lets validation pick the member type directly instead of trying each.
"""


def test_a_see_for_more_details_line_is_not_quoted_as_part_of_the_answer(tmp_path, embedder):
    files = {"performance.md": PERFORMANCE, "unions.md": UNIONS}
    assistant = small_kb_assistant(tmp_path, embedder, files)
    text = extractive_text(assistant, "What is a tagged union?")
    assert "is a union with a field that indicates which type it is" in text
    assert "for more details" not in text


def test_pointer_wording_without_a_link_is_advice() -> None:
    """ "Check out the release branch" and "can be found in /var/log" say something themselves:
    only wording on a line that held a link points elsewhere."""
    page = (
        "# Releases\n\n## Tagging\n\nCheck out the release branch before tagging. The logs can be"
        " found in /var/log/app. See [Tagging] for more details.\n\n[tagging]: tagging.md\n"
    )
    assert pointing(page, points_elsewhere) == ["See Tagging for more details."]


def test_a_sentence_closing_on_a_see_clause_refers_elsewhere() -> None:
    """ "Django's own migration framework follows the same principles; see [Django
    architecture](django-architecture.md#...) for its specifics." led the answer to "How should I
    handle database migrations in Django without downtime?" over the page it names, which the
    search had ranked first. A sentence whose own clause closes with a link leaves it as said."""
    page = (
        "# Migrations\n\n## Online changes\n\nDjango's migrations follow the same principles; see"
        " [Django architecture](django.md#zero-downtime) for its specifics.\n\nTests for the"
        " steps live in [the test guide](testing.md), next to the fixtures.\n"
    )
    assert pointing(page, refers_elsewhere) == [
        "Django's migrations follow the same principles; see Django architecture for its specifics."
    ]
