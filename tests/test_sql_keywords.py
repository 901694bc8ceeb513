"""A stopword written in capitals is an SQL keyword: "filter rows with OR instead of AND" asks about
`OR`, and a question searching only "filter" and "rows" found the page's opening instead of the
section combining conditions with `OR` (sqlmodel-docs; "sqlmodel where OR condition" likewise)."""

from __future__ import annotations

from pathlib import Path

from conftest import plain, small_kb_assistant

from ingest.keyword import SQL_KEYWORDS, SQL_WORDS, tokenize

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "data/eval/corpora/sqlmodel-docs/tutorial"  # SQLModel's, FastAPI-style
PAGES = ("where.md", "select.md", "one.md", "update.md", "delete.md", "indexes.md")


def test_capital_sql_keywords_are_search_words_and_plain_stopwords_are_not():
    assert {word.upper() for word in SQL_WORDS} <= SQL_KEYWORDS
    assert tokenize("where OR condition") == ["or", *tokenize("condition")]
    assert tokenize("rows WHERE age IS NULL") == ["row", "where", "age", "is", "null"]
    assert tokenize("I do not know where or why") == ["know"]
    assert "or" not in tokenize("Should I use mypy OR pyright?")  # a stressed choice
    shouted = "WHERE SHOULD I PUT CONFIGURATION?"
    assert tokenize(shouted) == tokenize(shouted.lower())


def test_a_question_naming_an_sql_keyword_in_capitals_finds_its_section(tmp_path, embedder):
    pages = {name: (TUTORIAL / name).read_text(encoding="utf-8") for name in PAGES}
    assistant = small_kb_assistant(tmp_path, embedder, pages)
    answer = assistant.ask("How do I filter rows with OR instead of AND?")
    assert not answer.refused, answer.text
    assert answer.citations[0].chunk.heading_path.endswith("Multiple Expressions Using OR")
    assert "or_" in plain(answer.text), answer.text
