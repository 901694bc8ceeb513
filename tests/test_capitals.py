"""A word a question writes in capitals names something (a SQL keyword, a setting, an acronym):
when the knowledge base never writes it so, the question is about something the KB does not
cover, whatever the same word in lower case matches ("GROUP BY" asked of docs that only group
rows in Python). The index records its capitals per file, and an edit keeps them current."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.engine import Assistant
from ingest.keyword import question_tokens
from ingest.question_scores import score_questions
from ingest.refusal import SHADOW, shadowed, written_capitals
from ingest.store import LocalIndex
from ingest.sync import sync

QUERIES = """# Queries

## Filtering rows

Filter rows in SQL with a `WHERE` clause and bound parameters, never with string formatting:
`SELECT id, name FROM hero WHERE age > :age`. Each condition narrows the rows the query returns,
and the database uses an index on the filtered column when one exists.

## Counting rows in Python

To count the rows a query returned, call `len()` on the list of results: `len(rows)` gives the
number of heroes found. Counting in Python reads every row first, so keep the query narrow with
a filter before you count.

## Ordering rows

Sort the rows with `ORDER BY name` and page through them with `LIMIT` and `OFFSET`; always order
before paging, or the pages may overlap.
"""

GROUP_ASKED = "How do I group rows with GROUP BY?"
GROUPING = (
    "\n## Grouping rows\n\nGroup rows with `GROUP BY team` and count each group with `COUNT(*)`.\n"
)


@pytest.fixture
def queries_kb(settings):
    (settings.kb_dir / "databases").mkdir()
    (settings.kb_dir / "databases" / "queries.md").write_text(QUERIES, encoding="utf-8")
    return settings


def _relevance(assistant: Assistant, question: str) -> float:
    return assistant.ask(question).extra["relevance"]


def test_a_keyword_the_kb_never_writes_in_capitals_is_refused_until_an_edit_writes_it(
    queries_kb, embedder
) -> None:
    sync(queries_kb, embedder=embedder)
    assistant = Assistant(queries_kb, embedder)
    assert assistant.ask(GROUP_ASKED).refused  # "group" is in the KB, GROUP BY is not
    # ORDER BY is written so in the KB: the capitals cost nothing
    sort = assistant.ask("How do I sort rows with ORDER BY?")
    assert not sort.refused
    assert sort.extra["relevance"] == pytest.approx(
        _relevance(assistant, "How do I sort rows with order by?")
    )
    # a lone word in capitals is emphasis, not a keyword
    assert _relevance(assistant, "How do I count the rows a query RETURNED?") == pytest.approx(
        _relevance(assistant, "How do I count the rows a query returned?")
    )

    page = queries_kb.kb_dir / "databases" / "queries.md"
    page.write_text(QUERIES + GROUPING, encoding="utf-8")
    report = sync(queries_kb, embedder=embedder)
    assert report.rows_read is not None  # the incremental path wrote this generation
    assert not Assistant(queries_kb, embedder).ask(GROUP_ASKED).refused


def test_the_ingest_scores_capitals_exactly_as_the_app_does(queries_kb, embedder) -> None:
    sync(queries_kb, embedder=embedder)
    assistant = Assistant(queries_kb, embedder)
    questions = [GROUP_ASKED, "SELECT COUNT(*) of the rows?", "How do I filter with WHERE?"]
    index = LocalIndex(queries_kb.index_dir)
    written = written_capitals(index.load_meta(index.current_name())["refusal"]["capitals"])
    with assistant.reader.pinned() as generation:
        vectors = np.vstack([embedder.embed_query(q) for q in questions])
        batch, _ = score_questions(
            generation.vectors, generation.bm25, vectors, questions, capitals=written
        )
    for question, score in zip(questions, batch, strict=True):
        assert assistant.ask(question).extra["relevance"] == pytest.approx(score, abs=1e-3)


@pytest.mark.parametrize(
    ("question", "written", "unknown"),
    [
        ("How do I count rows with SELECT COUNT(*)?", {"SELECT"}, ["count"]),
        ("How do I count rows with SELECT COUNT(*)?", {"SELECT", "COUNT"}, []),
        ("How can I lock a row with SELECT ... FOR UPDATE?", {"SELECT", "UPDATE"}, ["for"]),
        ("GROUP BY with SUM of a column", set(), ["group", "by"]),
        ("How do I set `MAX_SIZE`?", set(), ["max_siz", "max", "size"]),
        # a lone word in capitals is emphasis or a shouted name
        ("How do I write a test that MUST run first?", set(), []),
        ("Why MUST NOT tests share state?", set(), []),
        ("How do I make my tests run FAST AND RELIABLY?", set(), []),
        ("How do I connect to POSTGRES?", set(), []),
        # shorthand of the trade, and a question written in capitals, name nothing
        ("How do I build a CRUD REST API WITH FastAPI?", set(), []),
        ("HOW DO I FILTER A ROW BY ID IN A SQL DB?", set(), []),
        # one capital letter and a digit is no keyword: "S3", "V2"
        ("Is V2 faster than V1 on S3?", set(), []),
    ],
)
def test_which_capitals_name_what_the_kb_lacks(question, written, unknown) -> None:
    tokens = shadowed(question, question_tokens(question), written)
    assert {t[: -len(SHADOW)] for t in tokens if t.endswith(SHADOW)} == set(unknown)


def test_an_index_from_before_capitals_were_recorded_shadows_nothing() -> None:
    tokens = question_tokens(GROUP_ASKED)
    assert shadowed(GROUP_ASKED, tokens, None) == tokens
