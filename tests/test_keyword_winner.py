"""A passage the keyword search ranks first by a clear margin holds a rare word of the question
(an API name) that the passages both searches rank midway lack: it goes first. Reciprocal-rank
fusion had put it under every passage about the question's general topic."""

from __future__ import annotations

import pytest
from conftest import small_kb_assistant

from app.core.engine import Assistant

TOPIC = [
    ("What an ORM is", "An ORM maps database tables to classes and rows to objects."),
    ("Why teams use an ORM", "An ORM saves writing repetitive SQL and keeps queries portable."),
    ("ORM sessions", "The ORM session tracks loaded objects and flushes their changes."),
    ("ORM pitfalls", "An ORM can hide slow queries: one query per row in a loop."),
    ("ORM and raw SQL", "Every ORM lets you drop down to raw SQL for complex queries."),
    ("ORM migrations", "Schema migrations keep the ORM models and the tables in step."),
    ("ORM relationships", "An ORM loads related rows lazily or eagerly, as configured."),
    ("ORM transactions", "The ORM groups writes into one transaction per unit of work."),
    ("ORM identity map", "An ORM keeps one object per row within a session."),
    ("ORM testing", "Tests of ORM code run against a real database in a container."),
]
MODELS = """# Data models

## Creating a model from another object

The method `model_validate()` reads the attributes of another object, or the keys of a dict,
and builds a validated instance from them. Releases before 0.0.14 offered `from_orm()` for
this; it still works but warns on every use.
"""


FORMS = """# Forms

## Text areas

A text area shows ten rows of text unless a template asks for more.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    orm = "# Object-relational mapping\n\n" + "\n".join(
        f"## {heading}\n\n{text}\n" for heading, text in TOPIC
    )
    files = {"orm.md": orm, "models.md": MODELS, "forms.md": FORMS}
    return small_kb_assistant(tmp_path_factory.mktemp("keyword-winner"), embedder, files)


def test_the_passage_naming_a_rare_api_comes_first(assistant):
    question = "from_orm is deprecated - what should I call instead?"
    hits = assistant.retriever.search(question, 5)
    assert hits[0].chunk.source == "models.md"
    assert "model_validate()" in hits[0].chunk.text


def test_a_rare_plain_english_word_does_not_jump_the_fusion(assistant):
    # "ten", "rows" and "text" put the text area first for the keyword search by far, but words
    # of the reader's own English name no API: the ORM passages keep their places.
    hits = assistant.retriever.search("Can an ORM load ten rows of text at a time?", 5)
    assert hits[0].chunk.source == "orm.md"


def test_why_asked_of_the_question_keeps_its_winner(assistant):
    """ "Why?" asks again of the question as that was searched, rare name and all: it was
    answered from the ORM passages."""
    question = "from_orm is deprecated - what should I call instead?"
    hits = assistant.retrieve("Why?", history=[question])
    assert hits[0].chunk.source == "models.md"
