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
