"""After an answer, "Tell me more" goes on where it stopped, in the same section, and a second
one goes on further; when the section says nothing more, the answer says so. It used to quote
the same passages again."""

from __future__ import annotations

import pytest
from conftest import small_kb_assistant

from app.core.more import NO_MORE, more_of

PARAGRAPHS = [
    "A connection pool keeps a fixed number of open database connections and lends one to "
    "each request, so that requests skip the handshake and authentication a new connection "
    "costs. The pool size bounds how many queries run at once against the database.",
    "Size the pool from the database's limit, not from the number of web workers: every "
    "worker process holds its own pool, so ten workers with a pool of twenty can open two "
    "hundred connections, more than a small managed database accepts.",
    "Set a timeout for borrowing a connection. Without one, a request waits forever when the "
    "pool is exhausted, and a traffic spike turns into a pile of hung requests instead of a "
    "few fast errors the load balancer can retry elsewhere.",
    "Recycle connections after a fixed lifetime, such as thirty minutes, because firewalls "
    "and proxies silently drop idle connections and the next query on a dropped one fails "
    "with a confusing network error deep inside the driver.",
    "Check a connection before lending it when the database sits behind such a proxy: a "
    "cheap ping on checkout costs a round trip but turns a dropped connection into a "
    "transparent reconnect rather than an error the user sees.",
]
POOLS = (
    "# Databases\n\n## Connection pools\n\n"
    + "\n\n".join(PARAGRAPHS)
    + "\n\n## Migrations\n\nRun schema migrations before the new code starts serving traffic, "
    "in a separate release step that fails the deploy when a migration fails.\n"
)
QUESTION = "What is a connection pool?"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder):
    return small_kb_assistant(tmp_path_factory.mktemp("more"), embedder, {"databases.md": POOLS})


def test_tell_me_more_goes_on_where_the_answer_stopped(assistant):
    first = assistant.ask(QUESTION)
    more = assistant.ask("Tell me more", history=[QUESTION])
    assert not first.refused and not more.refused and more.citations
    assert more.text != first.text
    last = max(c.end_line for c in first.citations)
    assert all(c.start_line > last for c in more.citations)
    assert all(c.chunk.heading_path.endswith("Connection pools") for c in more.citations)
    further = assistant.ask("Can you elaborate?", history=[QUESTION, "Tell me more"])
    if further.citations:  # further on still, or the section has said it all
        assert min(c.start_line for c in further.citations) > max(
            c.end_line for c in more.citations
        )
    else:
        assert further.text.startswith(NO_MORE)
    assert "schema migrations" not in more.text + further.text  # another section


def test_the_end_of_a_section_is_said(assistant):
    history = [QUESTION] + ["Tell me more"] * 6
    answer = assistant.ask("More details?", history=history)
    assert answer.text.startswith(NO_MORE) and "Connection pools" in answer.text


CACHING = """# Guide

## Caching

A cache keeps the result of an expensive call so that the next identical call is cheap. Caches
trade memory and staleness for speed.

### Invalidation

Invalidate on write: when a row changes, delete its cache key in the same code path. Time-based
expiry bounds how stale a value may get when a write path forgets to invalidate.

### Eviction

Eviction decides what leaves a full cache: least recently used suits most web workloads, while
least frequently used keeps hot keys through a burst of one-off reads.

## Queues

A queue decouples the producer from the consumer.
"""
LONG_LINE = (
    "# Notes\n\n## Retries\n\n"
    + " ".join(
        f"Retry rule {n} says to wait {n} seconds before attempt {n + 1}." for n in range(1, 13)
    )
    + "\n"
)


@pytest.fixture(scope="module")
def guide(tmp_path_factory, embedder):
    files = {"guide.md": CACHING, "notes.md": LONG_LINE}
    return small_kb_assistant(tmp_path_factory.mktemp("guide"), embedder, files)


def test_more_goes_through_the_subsections_then_says_it_is_done(guide):
    """Each "Tell me more" goes on past the last one: into "Invalidation", then "Eviction"
    (a first version stayed in the first subsection), never into another section."""
    history = ["What is a cache?"]
    seen = guide.ask(history[0]).text
    for _ in range(4):
        answer = guide.ask("Tell me more", history=history)
        history.append("Tell me more")
        if answer.text.startswith(NO_MORE):
            break
        assert answer.text not in seen
        seen += answer.text
    assert "Invalidate on write" in seen and "least recently used" in seen
    assert answer.text.startswith(NO_MORE)
    assert "decouples" not in seen
    assert "Sources" not in answer.render()  # nothing cited, no empty list


def test_more_shows_the_rest_of_a_paragraph_written_on_one_line(guide):
    with guide.reader.pinned() as generation:
        chunk = next(c for c in generation.chunks if c.source == "notes.md" and "Retry" in c.text)
        shown = {("notes.md", "Retry rule 1 says to wait 1 seconds before attempt 2.")}
        more = more_of(chunk, shown, generation.document)
    quoted = " ".join(u.quote for p in more for u in p.units)
    assert quoted.startswith("Retry rule 2 says")  # the same line, past what was shown


def test_more_after_an_answer_read_with_a_slip_goes_on(guide):
    history = ["What is a chache?"]
    assert guide.ask(history[0]).extra.get("read_as") == "What is a cache?"
    more = guide.ask("Tell me more", history=history)
    assert not more.refused and "Invalidate on write" in more.text


def _placed(page: str) -> list:
    from app.core.passages import split_units
    from ingest.chunk import chunk_markdown

    return [(chunk, unit) for chunk in chunk_markdown(page, "p.md") for unit in split_units(chunk)]


def test_a_lead_in_at_the_budgets_end_comes_with_its_list_or_not_at_all():
    """ "Tell me more" stops at about MORE_WORDS words: a "...:" lead-in the budget ends on
    brings the list it introduces in its chunk, and one whose list opens the next chunk is left
    out rather than shown dangling (block numbers count per chunk: the next chunk's must not
    pick units of this one)."""
    from app.core.more import MORE_WORDS, _within_budget

    filler = " ".join(["Words that fill the budget of a continuation."] * (MORE_WORDS // 8 - 1))
    steps = "".join(f"- step {n} runs after the one before it has finished\n" for n in (1, 2, 3))
    page = f"# P\n\n## S\n\n{filler}\n\nThe three steps:\n\n{steps}"
    taken = [u.quote for _, u in _within_budget(_placed(page))]
    assert taken[-4] == "The three steps:" and taken[-1].startswith("step 3")

    lead_in_closing_a_chunk = _placed(f"# P\n\n## S\n\n{filler}\n\nThe three steps:\n")
    next_chunk = _placed(f"# P\n\n## S\n\n{steps}")
    taken = [u.quote for _, u in _within_budget(lead_in_closing_a_chunk + next_chunk)]
    assert taken and taken[-1] != "The three steps:"
    assert not any(q.startswith("step") for q in taken)
