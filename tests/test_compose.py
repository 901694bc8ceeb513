"""Answers read as one complete thought: lead-ins with their lists, both parts of a question,
and an honest "no clear answer" with the closest section when nothing answers."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import plain, small_kb_assistant

from app.core.answer import extractive_answer
from app.core.compose import score
from app.core.engine import Assistant, term_weights
from app.core.evaluate import junk_markup
from app.core.query import Query
from app.core.scorer import default_scorer

CACHING = """# Caching guide

This document explains how our services cache data.

## What Redis is

Redis is an in-memory data store that keeps keys, lists, sets and hashes in memory and can
persist them to disk.

## Choosing between Redis and Memcached

Use Redis when you need persistence, replication or data structures beyond strings. Use
Memcached when you only need a plain multi-threaded key-value cache in front of a database.

## Configuring the cache client

Configure the client with two settings:

- `CACHE_URL`: the address the cache server listens on
- `CACHE_TTL`: seconds before an entry expires

## Invalidating entries

Stale entries are the usual bug: a record changes in the database while the cache still serves
the old copy. Delete the key in the same code path that writes the record, after the commit.
"""

OUTBOX = """# Messaging patterns

## The transactional outbox

The transactional outbox pattern stores each outgoing message in a database table in the same
transaction as the business change; a relay process publishes the rows to the broker later.

## When to use an outbox

Reach for an outbox whenever a service must update its database and publish an event
reliably, because a crash between the two steps otherwise loses the event or sends a
phantom one.
"""

TOOLING = """# Tooling

## Enabling the type checker plugin

To enable the plugin, add it to the plugins in your type checker's config file:

=== "`mypy.ini`"

    ```ini
    [mypy]
    plugins = ourlib.mypy
    ```

If you still use the legacy models, add `ourlib.v1.mypy` instead.

"""

ARCHITECTURE = """# Service architecture

This guide describes how we structure Python services around a clean domain core.

## Keeping the domain free of framework imports

The domain package may import only the standard library and other domain modules: no web
framework, ORM or validation library. Domain code written as plain functions and dataclasses is
easy to unit test and survives framework upgrades.

## Adapters around the domain

Adapters import the domain package and a framework: the web adapter turns requests into domain
commands, and the repository adapter turns domain objects into ORM rows.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {
        "caching.md": CACHING,
        "messaging.md": OUTBOX,
        "tooling.md": TOOLING,
        "architecture.md": ARCHITECTURE,
    }
    return small_kb_assistant(tmp_path_factory.mktemp("compose"), embedder, files)


def test_a_lead_in_ending_with_a_colon_comes_with_its_list(assistant) -> None:
    answer = assistant.ask("How do I configure the cache client?")
    assert not answer.refused
    assert "CACHE_URL" in answer.text and "CACHE_TTL" in answer.text
    assert junk_markup(answer.text) == []  # no dangling colon


def test_a_lead_in_comes_with_the_code_of_its_content_tab(assistant) -> None:
    answer = assistant.ask("How do I enable the type checker plugin?")
    assert "plugins = ourlib.mypy" in answer.text
    assert "`mypy.ini`\n```ini" in answer.text  # the tab's label heads its code
    assert junk_markup(answer.text) == []


def test_a_two_part_question_is_answered_in_both_parts(assistant) -> None:
    answer = assistant.ask("What is the transactional outbox pattern and when should I use it?")
    text = plain(answer.text)
    assert "stores each outgoing message in a database table" in text  # what it is
    assert "update its database and publish an event" in text  # when to use it


def test_the_fix_comes_with_the_cause(assistant) -> None:
    answer = assistant.ask("Why does the cache serve stale entries?")
    text = plain(answer.text)
    assert "still serves the old copy" in text
    assert "Delete the key in the same code path" in text


def test_answers_stay_short_and_skip_the_document_intro(assistant) -> None:
    answer = assistant.ask("When should I use Memcached instead of Redis?")
    text = plain(answer.text)
    assert "Use Memcached when you only need a plain multi-threaded key-value cache" in text
    assert "This document explains" not in text
    assert len(text.split()) <= 80


def test_a_short_section_that_answers_gets_no_paragraph_from_another_section(assistant) -> None:
    """The next section shares the question's words ("domain package", "import") but not its
    answer: quoted after a section that answers whole, it reads as padding."""
    answer = assistant.ask("What is the domain package allowed to import?")
    text = plain(answer.text)
    assert "The domain package may import only the standard library" in text
    assert "Adapters import the domain package" not in text
    assert [c.chunk.heading_path for c in answer.citations] == [
        "Service architecture › Keeping the domain free of framework imports"
    ]


def test_a_question_split_in_parts_keeps_each_side_of_a_versus() -> None:
    assert Query.parse("selectinload vs joinedload").parts == ("selectinload", "joinedload")
    query = Query.parse("What is an outbox and when do I need one?")
    assert len(query.parts) == 2 and {"what", "when"} <= query.intents


def test_no_clear_answer_says_so_and_shows_the_section_opening(assistant) -> None:
    """A scorer that finds no unit above its threshold (here: the shipped weights with the bar
    set out of reach) gives one honest line and the best section's heading and opening, cited
    with the exact lines, instead of stitched quotes."""
    strict = replace(default_scorer(), threshold=1.0)
    question = "How do I configure the cache client?"
    with assistant.reader.pinned() as generation:
        hits = assistant.retrieve(question)
        answer = extractive_answer(question, hits, term_weights(generation), True, strict)
    assert not answer.refused and answer.extra["clear"] is False
    first_line, _, rest = answer.text.partition("\n\n")
    assert first_line.startswith("No passage in the knowledge base clearly answers this")
    assert hits[0].chunk.heading_path in first_line
    assert len(answer.citations) == 1 and answer.citations[0].chunk == hits[0].chunk
    assert rest and junk_markup(answer.text) == []
    cited = answer.citations[0]
    lines = (assistant.settings.kb_dir / cited.chunk.source).read_text().splitlines()
    assert cited.text == "\n".join(lines[cited.start_line - 1 : cited.end_line])


def test_the_shipped_scorer_ranks_an_answer_above_the_document_intro(assistant) -> None:
    question = Query.parse("When should I use Memcached?")
    with assistant.reader.pinned() as generation:
        hits = assistant.retriever.search(question, 5, None, None, generation)
        ranked = score(question, hits, term_weights(generation))
    assert ranked[0].candidate.unit.quote.startswith("Use Memcached when")
    intro = [s for s in ranked if s.candidate.unit.quote.startswith("This document")]
    assert not intro or intro[0].probability < ranked[0].probability
