"""A word a question writes in capitals names something (a SQL keyword, a setting, an acronym):
when the knowledge base never writes it so, the question is about something the KB does not
cover, whatever the same word in lower case matches ("SELECT COUNT(*)" asked of docs that only
count rows in Python). The index records its capitals per file, and an edit keeps them current."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.engine import Assistant
from ingest.keyword import question_tokens
from ingest.question_scores import score_questions
from ingest.refusal import SHADOW, shadowed
from ingest.refusal_meta import written_capitals
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

COUNT_ASKED = "How do I count rows with SELECT COUNT(*)?"
COUNT_PLAIN = "How do I count rows with select count(*)?"


@pytest.fixture
def queries_kb(settings):
    (settings.kb_dir / "databases").mkdir()
    (settings.kb_dir / "databases" / "queries.md").write_text(QUERIES, encoding="utf-8")
    return settings


def _relevance(assistant: Assistant, question: str) -> float:
    return assistant.ask(question).extra["relevance"]


def test_a_keyword_the_kb_never_writes_in_capitals_counts_against_the_question(
    queries_kb, embedder
) -> None:
    sync(queries_kb, embedder=embedder)
    assistant = Assistant(queries_kb, embedder)
    assert _relevance(assistant, COUNT_ASKED) < _relevance(assistant, COUNT_PLAIN) - 0.2
    # WHERE and ORDER BY are written so in the KB: the capitals cost nothing
    for asked, plain in (
        ("How do I filter rows with a WHERE clause?", "How do I filter rows with a where clause?"),
        ("How do I sort rows with ORDER BY?", "How do I sort rows with order by?"),
    ):
        assert _relevance(assistant, asked) == pytest.approx(_relevance(assistant, plain))

    # an edit writing COUNT in capitals makes the question as covered as its plain wording
    page = queries_kb.kb_dir / "databases" / "queries.md"
    page.write_text(
        QUERIES + "\n## Counting in SQL\n\n`SELECT COUNT(*) FROM hero` counts in the database.\n",
        encoding="utf-8",
    )
    report = sync(queries_kb, embedder=embedder)
    assert report.rows_read is not None  # the incremental path wrote this generation
    assistant = Assistant(queries_kb, embedder)
    assert _relevance(assistant, COUNT_ASKED) == pytest.approx(_relevance(assistant, COUNT_PLAIN))


def test_the_ingest_scores_capitals_exactly_as_the_app_does(queries_kb, embedder) -> None:
    sync(queries_kb, embedder=embedder)
    assistant = Assistant(queries_kb, embedder)
    questions = [COUNT_ASKED, "GROUP BY with SUM of a column", "How do I filter with WHERE?"]
    index = LocalIndex(queries_kb.index_dir)
    written = written_capitals(index.load_meta(index.current_name())["refusal"])
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
        # shorthand of the trade, and a question written in capitals, name nothing
        ("How do I build a CRUD REST API on my DB?", set(), []),
        ("HOW DO I COUNT ROWS?", set(), []),
        # one capital letter and a digit is no keyword: "S3", "V2"
        ("Is V2 faster than V1 on S3?", set(), []),
    ],
)
def test_which_capitals_name_what_the_kb_lacks(question, written, unknown) -> None:
    tokens = shadowed(question, question_tokens(question), written)
    assert {t[: -len(SHADOW)] for t in tokens if t.endswith(SHADOW)} == set(unknown)


def test_an_index_from_before_capitals_were_recorded_shadows_nothing() -> None:
    tokens = question_tokens(COUNT_ASKED)
    assert shadowed(COUNT_ASKED, tokens, None) == tokens
