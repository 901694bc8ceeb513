"""A tutorial builds up to its point and makes it in the next section ("That works, but there
is a shorter version.", "Let's do that now.", or a question the text asks). A quote that runs to
the end of its own on such a sentence goes on into the next piece's opening, cited there, whether
or not the search found that piece."""

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


RESPONSES = """# Response model

## Interactive docs

The interactive docs page reads the OpenAPI schema the framework generates from your code and
shows every endpoint with the data a client has to send.

## Response data

Up to now, the docs page shows no schema for what the endpoints send back: it lists only a
"Successful Response" with status 200, and a reader cannot tell what the data looks like.

Let's do that now.

## Declare it on the decorator

Pass `response_model=Hero` to the route decorator and the docs page documents the body.

## Pagination

Use `offset` and `limit` query parameters to read a page of rows.
"""

IDS = """# Automatic ids

## The id column

The `id` column is the primary key, so the database never stores NULL there, yet the model
declares `id: int | None = None` in Python. So when does the object get an actual integer in
that field?

## Saving the row

Only when the session commits does the database generate the number; until then the object
holds `None`.

## Printing

Print the object after the commit to see every column.
"""


def test_a_hand_over_goes_on_into_the_next_section_the_search_did_not_find(tmp_path, embedder):
    """ "Let's do that now." closes a section stating a problem; the next section solves it in
    words the question does not use, so the search does not find it."""
    assistant = small_kb_assistant(tmp_path, embedder, {"responses.md": RESPONSES})
    question = "The docs show no schema for what my endpoint returns, only Successful Response."
    assert "Declare it on the decorator" not in {
        h.chunk.heading_path.split(" › ")[-1] for h in assistant.retrieve(question, k=2)
    }
    answer = assistant.ask(question, k=2)
    assert "response_model=Hero" in answer.text
    assert "offset" not in answer.text  # not the section after that


def test_a_question_the_text_asks_at_a_sections_end_is_answered_from_the_next(tmp_path, embedder):
    """A section that closes on a question of its own ("So when does the object get an actual
    integer in that field?") answers it in the next section; one it only reports ("... asking
    *why is my build slow?*") hands nothing over."""
    assistant = small_kb_assistant(tmp_path, embedder, {"ids.md": IDS})
    answer = assistant.ask("Why is id typed int | None if the primary key is never NULL?", k=1)
    assert "So when does the object get an actual integer" in answer.text
    assert "the database generate the number" in answer.text
    assert "Print the object" not in answer.text
    (tmp_path / "reported").mkdir()
    reported = small_kb_assistant(tmp_path / "reported", embedder, {"ids.md": REPORTED})
    answer = reported.ask("What do people ask in slow build reports?", k=1)
    assert "why is my build slow?" in answer.text
    assert "Cache the dependencies" not in answer.text


REPORTED = """# Build reports

## What people ask

Most reports about the build come from people who open an issue asking *why is my build slow?*

## Caching

Cache the dependencies between runs.
"""

FAQ = """# Questions

## Can I run it offline?

Yes. The embedding model ships inside the package, so nothing is downloaded at run time.

Why would you want it any other way?

## Does it support PDFs?

No, only markdown files are indexed.

# Troubleshooting

## Slow ingest

Ingest embeds every changed chunk on the CPU; a first run over a large folder takes minutes.

Still stuck?

# Changelog

## 2.0.0

Dropped Python 3.9.
"""


def test_a_question_at_a_sections_end_does_not_run_on_into_another_topic(tmp_path, embedder):
    """Not into a FAQ's next entry, whose heading asks a question of its own, nor into another
    part of the page the search did not find."""
    assistant = small_kb_assistant(tmp_path, embedder, {"faq.md": FAQ})
    offline = assistant.ask("Can I run it offline?")  # found by the search or not
    assert "embedding model ships inside the package" in offline.text
    assert "only markdown files" not in offline.text
    slow = assistant.ask("Why is the first ingest of a large folder slow?")
    assert "embeds every changed chunk" in slow.text
    assert "Python 3.9" not in slow.text


LONG_IDS = (
    "# Automatic ids\n\n## The id column\n\n"
    + "The `id` column is the primary key, so the database never stores NULL there, yet the"
    " model declares `id: int | None = None` in Python. "
    + "A freshly built object has not been written anywhere yet, and nothing in Python knows"
    " which number the table will hand out next, because other processes insert rows too. "
    * 3
    + "\n\nWhen does the object get an actual integer in that field?\n\n"
    + "Only when the session commits does the database generate the number; until then the"
    " object holds `None`. "
    * 4
    + "\n\n## Printing\n\nPrint the object after the commit to see every column.\n"
)


def test_the_next_piece_is_found_past_the_lines_it_shares_with_the_quote(tmp_path, embedder):
    """A long section's next piece repeats the short question closing the one before (the
    overlap between pieces): the quote goes on into that piece, past the question, not into the
    section after it."""
    assistant = small_kb_assistant(tmp_path, embedder, {"ids.md": LONG_IDS})
    with assistant.reader.pinned() as generation:
        pieces = [c for c in generation.chunks if c.heading_path.endswith("The id column")]
    assert len(pieces) == 2 and pieces[1].start_line <= pieces[0].end_line  # the case
    answer = assistant.ask("Why is id typed int | None if the primary key is never NULL?", k=1)
    assert "the database generate the number" in answer.text
    assert "Print the object" not in answer.text
    assert answer.text.count("When does the object get an actual integer") == 1


HEADLESS = """Jobs that take longer than a request should leave the request path: the web worker
only records that the work is wanted, and a separate worker process does it.

Let's do that now.

## Hand the job to a worker

Call `queue.enqueue(send_report, user_id)` in the view and return at once.
"""


def test_a_page_without_a_title_hands_over_to_its_first_section(tmp_path, embedder):
    """A page opening without a "#" title: its opening and its sections share no heading above
    them, and the opening's hand-over went nowhere."""
    assistant = small_kb_assistant(tmp_path, embedder, {"jobs.md": HEADLESS})
    answer = assistant.ask("Why should long jobs leave the request path?", k=1)
    assert "separate worker process" in answer.text
    assert "queue.enqueue(send_report, user_id)" in answer.text


PHRASING = """# Feedback

## Phrasing review comments

Strong review comments name the line, the consequence and the change you expect; weak ones name
only your reaction. The comments below are typical cases. Each strong one describes the code,
never its author.

### Weak and strong pairs

| Situation | Weak | Strong |
| --- | --- | --- |
| Slow list endpoint | "This is slow." | "The loop runs a query per order; use `selectinload`." |
| Missing test | "Needs tests." | "No test covers an expired token; add one asserting 401." |

## Handling pushback

When a junior pushes back on a comment, ask what they see that you might be missing.
"""


def test_a_paragraph_pointing_at_what_follows_goes_on_into_it(tmp_path, embedder):
    # "The comments below ..." is not the paragraph's last sentence, and still points ahead
    assistant = small_kb_assistant(tmp_path, embedder, {"feedback.md": PHRASING})
    answer = assistant.ask("How should I phrase review comments to a junior?")
    assert not answer.refused
    assert "The comments below are typical cases." in answer.text
    assert "add one asserting 401" in answer.text  # the pairs the paragraph points at
    assert "pushes back" not in answer.text


CONFTEST = """# Fixtures

## Sharing fixtures through conftest.py

Fixtures defined in a conftest.py file are available to every test in its directory and below,
with no import. Keep shared fixtures few and give each a docstring.

## Built-in fixtures

The tmp_path fixture gives each test a fresh directory, and monkeypatch sets environment
variables for one test only.
"""


def test_a_paragraph_saying_below_about_something_else_stays_put(tmp_path, embedder):
    # "directory and below" points at no list, table or code: the next section stays out
    assistant = small_kb_assistant(tmp_path, embedder, {"fixtures.md": CONFTEST})
    answer = assistant.ask("How do I share pytest fixtures across test files?")
    assert not answer.refused
    assert "available to every test in its directory and below" in answer.text
    assert "tmp_path" not in answer.text
