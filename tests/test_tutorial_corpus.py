"""A FastAPI-style tutorial corpus we did not write (SQLModel's docs: MkDocs, snippet includes,
a story told over many pages), indexed once: it stays above its own measured floors, and a
yes/no question is answered with the sentence that says yes or no, not with the example the
passage builds up to it with."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, below_floors, extractive_text, index_settings

from app.core.engine import Assistant
from ingest.sync import sync

SQLMODEL = ROOT / "data" / "eval" / "corpora" / "sqlmodel-docs"


@pytest.fixture(scope="module")
def assistant(embedder, tmp_path_factory) -> Assistant:
    settings = index_settings(SQLMODEL, Path(tmp_path_factory.mktemp("sqlmodel")) / "data")
    sync(settings, embedder=embedder)
    return Assistant(settings, embedder)


def test_the_tutorial_corpus_stays_above_its_own_floors(assistant) -> None:
    failed, values = below_floors(assistant, SQLMODEL)
    assert failed == [], values


@pytest.mark.parametrize(
    ("question", "verdict", "build_up"),
    [
        (
            "Does .limit(3) raise an error if fewer than 3 rows are left?",
            "the database won't throw an error trying to get 3 rows",
            "so let's limit the results to get only the first 3",
        ),
        (
            "Will SQLModel.metadata.create_all() also create tables for my HeroCreate and "
            "HeroPublic classes?",
            "won't create tables in the database for `HeroCreate` and `HeroPublic`",
            "if you import the models *before* calling",
        ),
    ],
)
def test_a_yes_no_question_gets_the_sentence_that_says_yes_or_no(
    assistant, question: str, verdict: str, build_up: str
) -> None:
    text = extractive_text(assistant, question)
    assert verdict in text
    assert build_up not in text


@pytest.mark.parametrize(
    ("question", "answer", "narration"),
    [
        (
            "How do I add a hashed_password that isn't in the request model when creating the "
            "table object from HeroCreate?",
            "Hero.model_validate(hero, update=extra_data)",
            "Now we need to create the database hero.",
        ),
        (
            "If the same field is both in the input model and in the extra data dict, which "
            "value wins?",
            "data that should take precedence",
            "Let's pause for a second",
        ),
    ],
)
def test_an_answer_quotes_the_step_not_the_tutorial_narrating_it(
    assistant, question: str, answer: str, narration: str
) -> None:
    """A tutorial tells its story ("Let's pause for a second to check this", "Now we need
    to ..."); those sentences share the question's words but announce the step, and the
    answer is the step itself."""
    text = extractive_text(assistant, question)
    assert answer in text
    assert narration not in text


def test_an_answer_opens_on_the_advice_not_the_scenario_it_is_set_up_with(assistant) -> None:
    text = extractive_text(
        assistant,
        "I need an extra column like is_training on the many-to-many link. How do I model that?",
    )
    opening = " ".join(text.split()[:30])
    assert "explicit link model" in opening, text
    assert "Let's say" not in opening, text
