"""What MkDocs-style docs put around the text that answers: an admonition's title with only API
names under it is not the answer."""

from __future__ import annotations

from conftest import plain, small_kb_assistant

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
