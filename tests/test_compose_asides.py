"""What MkDocs-style docs put around the text that answers: an admonition's title with only API
names under it, and a lead-in whose list only links to other pages. Neither is the answer."""

from __future__ import annotations

from conftest import plain, pointing, small_kb_assistant

from app.core.compose import refers_elsewhere

JSON_PAGE = """# JSON

## Json Parsing

??? api "API Documentation"
    [`pydantic.main.BaseModel.model_validate_json`][pydantic.main.BaseModel.model_validate_json]
    [`pydantic_core.from_json`][pydantic_core.from_json]

The JSON parser accepts partial input: call `from_json(data, allow_partial=True)` and a
truncated document, such as a response still streaming in, parses up to its last complete
value.

??? info "Partial Parsing Algorithm"

    The parser keeps every value it has closed and drops the one the input cut off.

## Serializing

Call `model_dump_json()` to write a model as JSON text.
"""

ERRORS_PAGE = """# Errors

## Error messages

Pydantic attempts to provide useful default error messages for validation and usage errors,
which can be found here:

* [Validation Errors](validation_errors.md): Errors that happen during data validation.
* [Usage Errors](usage_errors.md): Errors that happen when using Pydantic.

### Customize error messages

You can customize error messages by creating a custom error handler that maps each error
type to your own message text.

## Error codes

Every error carries a `type` that never changes between releases.
"""

VALIDATION_ERRORS = """# Validation Errors

Each validation error has a type, a location and a message.
"""

USAGE_ERRORS = """# Usage Errors

Usage errors are raised when a model is defined in a way Pydantic does not support.
"""


def test_an_admonition_title_is_never_quoted_as_a_sentence(tmp_path, embedder) -> None:
    """A short section is quoted whole; its collapsible API box showed as a stray "API
    Documentation." (and the row of names under it), its info box's title as "Partial Parsing
    Algorithm." with nothing after it."""
    assistant = small_kb_assistant(tmp_path, embedder, {"json.md": JSON_PAGE})
    answer = assistant.ask("Can Pydantic parse a truncated JSON string from a streaming response?")
    text = plain(answer.text)
    assert "allow_partial=True" in text
    assert "API Documentation" not in text
    assert "pydantic.main.BaseModel.model_validate_json" not in text
    assert "Partial Parsing Algorithm" not in text


def test_a_list_of_links_to_other_pages_does_not_answer(tmp_path, embedder) -> None:
    """The parent section's lead-in restates the question's words and introduces only links to
    the error reference pages; the subsection under it says how."""
    assistant = small_kb_assistant(
        tmp_path,
        embedder,
        {
            "errors.md": ERRORS_PAGE,
            "validation_errors.md": VALIDATION_ERRORS,
            "usage_errors.md": USAGE_ERRORS,
        },
    )
    answer = assistant.ask("How do I change the wording of validation error messages?")
    text = plain(answer.text)
    assert "creating a custom error handler" in text
    assert "can be found here" not in text


INDEX_PAGE = """# Team knowledge base

## Frameworks

- [Django architecture](django.md): how to structure Django projects and apps, and where the
  business logic of a Django project should live.
- [ORM usage](orm.md): the Django ORM and SQLAlchemy, sessions and transactions.

## Guides

- Keep each guide under a thousand lines.
- Link a guide from this page when you add it.
"""


def test_an_index_pages_list_of_links_refers_elsewhere() -> None:
    """A KB's index page lists its documents, each item opening on a link, with no lead-in:
    "and in Django?" quoted two of its items instead of the page they name. A list whose items
    do not all open on a link says something itself."""
    found = pointing(INDEX_PAGE, refers_elsewhere)
    assert len(found) == 2 and all(
        q.startswith(("Django architecture", "ORM usage")) for q in found
    )
