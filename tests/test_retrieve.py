"""Dense retrieval ranks passages by their exact cosine similarity to the question."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import index_settings

from app.core.engine import Assistant
from app.core.retrieve import rrf, shared_dense
from ingest.chunk import chunk_markdown
from ingest.sync import sync

QUESTIONS = [
    "What should I mock in my tests?",
    "How do I open a database session per request in FastAPI?",
    "Why does Flask say working outside of application context?",
]


@pytest.mark.parametrize("section", [None, "web"])
def test_dense_ranking_is_the_exact_cosine_order(settings, embedder, section) -> None:
    sync(settings, embedder=embedder)
    assistant = Assistant(settings, embedder)
    with assistant.reader.pinned() as generation:
        chunks = generation.chunks
        matrix = embedder.embed([c.embed_text for c in chunks])
        for question in QUESTIONS:
            scored = assistant.retriever.scored(question, 5, section, None, generation)
            truth = matrix @ embedder.embed_query(question)
            allowed = [
                i for i in range(len(chunks)) if not section or chunks[i].source.startswith("web/")
            ]
            expected = sorted(allowed, key=lambda i: -truth[i])[: len(scored.dense)]
            assert list(scored.dense) == expected
            assert np.allclose([scored.dense[i] for i in expected], truth[expected], atol=1e-5)


# A section just too long for one piece: the chunker cuts it into the heading with the
# paragraph, then the paragraph again (the overlap) with the table.
LONG_SECTION = (
    "# Reviews\n\nHow we review.\n\n## What makes a code review different from a pull"
    " request, and why should a team care about the difference when both happen on every"
    " change?\n\n"
    "A pull request asks to merge finished work; a review is someone reading the code in it.\n\n"
    "| Review | Pull request |\n| -- | -- |\n"
    + "".join(f"| review point {n} | pull request point {n} |\n" for n in range(16))
)


def test_a_paragraph_two_pieces_share_is_judged_by_the_better_piece() -> None:
    """The answer scorer sees the dense score of a section's overlapping piece that retrieval
    left out, so the paragraph both pieces hold keeps the better match's score."""
    chunks = chunk_markdown(LONG_SECTION, "reviews.md")
    first, second = (i for i, c in enumerate(chunks) if c.heading_path != "Reviews")
    assert chunks[second].start_line == chunks[first].end_line  # the paragraph, in both
    dense = {first: 0.85, second: 0.76}
    # The heading's piece is outside the hits: the piece inside is judged by its score ...
    assert shared_dense(chunks, second, dense, frozenset({second})) == 0.85
    # ... not when both are hits (each piece's units are scored with their own score), and
    # never with a lower score or another section's.
    assert shared_dense(chunks, second, dense, frozenset({first, second})) == 0.76
    assert shared_dense(chunks, first, dense, frozenset({first})) == 0.85
    intro = next(i for i, c in enumerate(chunks) if c.heading_path == "Reviews")
    assert shared_dense(chunks, second, {intro: 0.9, second: 0.76}, frozenset({second})) == 0.76


def test_a_clear_first_place_outranks_a_passage_both_retrievers_put_midway() -> None:
    """The passage one retriever ranks first and the other eighth beats the one both rank
    fourth: a clear best match in one retriever is not outvoted by a mediocre match in both."""
    first, midway, other = 100, 200, 300  # rows; 0-9 are other passages
    dense = [first, 0, 1, midway, *range(2, 10)]
    keyword = [5, 6, 7, midway, 8, 9, other, first]
    scores = rrf([dense, keyword])
    assert keyword.index(first) == 7 and dense.index(midway) == keyword.index(midway) == 3
    assert scores[first] > scores[midway]


# Two sections about validators: only one says how a "before" validator differs from an
# "after" one, the other names validators more often.
VALIDATORS = """# Validators

## Writing validators

A validator is a class method decorated with the validator decorator. Validators receive the
value and return it; a validator may raise ValueError. Register validators on the model, and
validators of a parent model run for its subclasses too.

## Validator modes

The mode decides when it runs. A before one runs ahead of parsing and sees the raw input; an
after one runs once parsing is done and sees the typed value.
"""


def test_a_question_comparing_before_and_after_finds_the_passage_that_compares_them(
    tmp_path, embedder
) -> None:
    """The words "before" and "after" are searched for: in technical text they name things
    (before and after validators, hooks, middleware), so a question comparing them finds the
    passage that explains both, not the one that only repeats the subject."""

    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "validators.md").write_text(VALIDATORS, encoding="utf-8")
    settings = index_settings(tmp_path / "kb", tmp_path / "data")
    sync(settings, embedder=embedder)
    assistant = Assistant(settings, embedder)
    with assistant.reader.pinned() as generation:
        question = "Before vs after validators?"
        scored = assistant.retriever.scored(question, 5, None, None, generation)
        best_keyword = max(scored.keyword, key=scored.keyword.__getitem__)
        assert generation.chunks[best_keyword].heading_path == "Validators › Validator modes"
    assert scored.hits[0].chunk.heading_path == "Validators › Validator modes"
