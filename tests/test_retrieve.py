"""Dense retrieval ranks passages by their exact cosine similarity to the question."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.engine import Assistant
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
