"""A tutorial builds up to its point and makes it in the next section ("That works, but there
is a shorter version."). When the search found that next piece too, a quote that runs to the
end of its own goes on into the next piece's opening, cited there."""

from __future__ import annotations

from conftest import small_kb_assistant

ONE_ROW = """# Read one row

## Select by id with where

You can filter by the primary key with a `where()` clause and take the first result.

```python
statement = select(Hero).where(Hero.id == 1)
hero = session.exec(statement).first()
```

That works, but there is a shorter version.

## Select by id with get

Call `session.get(Hero, 1)`: it looks the row up by its primary key and returns `None` when no
row has that id.

## Limit

Use `limit()` to read only the first rows of a result.
"""


def test_a_quote_building_up_to_the_next_section_goes_on_into_it(tmp_path, embedder):
    assistant = small_kb_assistant(tmp_path, embedder, {"one.md": ONE_ROW})
    answer = assistant.ask(
        "How do I filter by the primary key with where and take the first result?"
    )
    assert not answer.refused
    assert "there is a shorter version." in answer.text
    assert "session.get(Hero, 1)" in answer.text  # the point the section built up to
    assert "limit()" not in answer.text  # not the section after that
    cited = {c.chunk.heading_path.split(" › ")[-1] for c in answer.citations}
    assert cited == {"Select by id with where", "Select by id with get"}


RESPONSES = """# Response schemas

## Response data

Up to now, the generated API docs do not know the schema of the responses the app sends back.
They show a possible "Successful Response" with code 200 and no idea what its data looks like.

Right now we only tell the framework the data we want to receive, not the data we send back.
Let's do that now.

## Use response_model

Pass `response_model=HeroPublic` to the route decorator: the framework then filters every
object the function hands back through that model.

""" + "".join(
    f"## {topic}\n\n{text}\n\n"
    for topic, text in [
        ("Pagination", "Use offset and limit query parameters to page through long lists."),
        ("Sorting", "Accept an order_by parameter naming one of an allow-listed set of columns."),
        ("Caching", "Set Cache-Control headers on read endpoints whose data changes rarely."),
        ("Rate limits", "Return 429 with a Retry-After header when a client sends too much."),
        ("Versioning", "Put the major version in the URL path and keep old versions running."),
        ("Health checks", "Expose a liveness and a readiness endpoint for the orchestrator."),
        ("Errors", "An endpoint returns a problem document with a status and a detail field."),
        ("Status codes", "An endpoint that creates a row returns 201, not a plain 200 response."),
        ("Streaming", "An endpoint returns a streaming response for large exports."),
    ]
)


def test_a_how_question_follows_a_hand_over_into_a_section_the_search_missed(tmp_path, embedder):
    assistant = small_kb_assistant(tmp_path, embedder, {"responses.md": RESPONSES})
    question = (
        "The API docs show no schema for what my endpoint returns, only 'Successful Response'."
        " How do I declare it?"
    )
    with assistant.reader.pinned() as generation:
        found = {
            h.chunk.heading_path
            for h in assistant.retriever.search(question, 5, None, [], generation)
        }
    assert "Response schemas › Use response_model" not in found  # the search missed it
    answer = assistant.ask(question)
    assert not answer.refused
    assert "response_model=HeroPublic" in answer.text
    assert "Pagination" not in answer.text and "offset" not in answer.text
