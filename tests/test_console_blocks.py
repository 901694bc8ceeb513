"""A terminal session as FastAPI-style docs show it: a lead-in, then `<div class="termy">` around
a ```console block whose output is coloured with inline tags. The answer shows the session the
lead-in promises, as plain output."""

from __future__ import annotations

from conftest import small_kb_assistant

from app.core.evaluate import junk_markup

LOG = "\n".join(
    f"2021-08-09 08:55:{n:02d},682 INFO sqlalchemy.engine.Engine SELECT hero.id, hero.name,"
    " team.name FROM hero, team WHERE hero.team_id = team.id"
    for n in range(14)
)
DOC = f"""# Read connected data

## Select the heroes

We select every hero with its team in one statement, joining the two tables on the team id.

## Run the program

Now we can run the program and see each hero printed with its team:

<div class="termy">

```console
$ python app.py
{LOG}
<span style="color: green;">INFO</span>: Hero: id=1 name='Deadpond' Team: name='Z-Force'
```

</div>

## Recap

Joins bring the related rows back together.
"""


def test_a_lead_in_shows_the_console_session_in_the_next_chunk(tmp_path, embedder):
    """The section is long enough that chunking cuts between `<div class="termy">` and the
    fence: the answer must not stop on the lead-in's colon."""
    assistant = small_kb_assistant(tmp_path, embedder, {"read.md": DOC})
    answer = assistant.ask("How do I run the program and see each hero with its team?")
    assert not answer.refused
    assert "see each hero printed with its team:" in answer.text
    assert "$ python app.py" in answer.text
    assert "INFO: Hero: id=1 name='Deadpond'" in answer.text  # the colour tags are gone
    assert "<span" not in answer.text and "</span>" not in answer.text
    assert junk_markup(answer.text) == []
