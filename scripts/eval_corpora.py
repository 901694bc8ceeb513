"""The evaluation corpora the scripts read, and each labelled question with the passages an
answer would retrieve for it (the same retrieval `kb-ask` runs, on one pinned generation)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.compose import PASSAGES_SCORED  # noqa: E402
from app.core.engine import Assistant, term_weights  # noqa: E402
from app.core.evaluate import Question, load_questions  # noqa: E402
from app.core.outline import Document  # noqa: E402
from app.core.query import Query  # noqa: E402
from app.core.retrieve import Hit, changelog_sources, hub_sources  # noqa: E402
from ingest.edge import load_settings  # noqa: E402
from ingest.sync import sync  # noqa: E402

# name -> (knowledge base folder, labelled questions, data folder of its index)
CORPORA = {
    "kb": (ROOT / "kb", ROOT / "data/eval/questions.jsonl", ROOT / "data"),
    "pydantic-docs": (
        ROOT / "data/eval/corpora/pydantic-docs",
        ROOT / "data/eval/corpora/pydantic-docs/questions.jsonl",
        ROOT / "data/eval/index/pydantic-docs",
    ),
    "engineering-playbook": (
        ROOT / "data/eval/corpora/engineering-playbook",
        ROOT / "data/eval/corpora/engineering-playbook/questions.jsonl",
        ROOT / "data/eval/index/engineering-playbook",
    ),
    # Written blind and never trained or tuned on: it tells whether a change generalizes.
    "drf-docs": (
        ROOT / "data/eval/corpora/drf-docs",
        ROOT / "data/eval/corpora/drf-docs/questions.jsonl",
        ROOT / "data/eval/index/drf-docs",
    ),
    # FastAPI-style MkDocs (the held-back FastAPI docs' author and conventions), written blind.
    "sqlmodel-docs": (
        ROOT / "data/eval/corpora/sqlmodel-docs",
        ROOT / "data/eval/corpora/sqlmodel-docs/questions.jsonl",
        ROOT / "data/eval/index/sqlmodel-docs",
    ),
    # Sphinx MyST markdown (roles, colon-fence directives), written blind, never tuned on.
    "attrs-docs": (
        ROOT / "data/eval/corpora/attrs-docs",
        ROOT / "data/eval/corpora/attrs-docs/questions.jsonl",
        ROOT / "data/eval/index/attrs-docs",
    ),
}


def assistant_of(name: str, sync_first: bool = False) -> Assistant:
    """The assistant over corpus `name`'s index (synced first when asked)."""
    kb, _, data = CORPORA[name]
    settings = load_settings()
    settings = replace(settings, model_dir=settings.models_dir, kb_dir=kb, data_dir=data)
    if sync_first:
        sync(settings)
    return Assistant(settings)


def hubs_of(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """Corpus `name`'s hub pages and, among them, its changelogs (as the engine passes them)."""
    with assistant_of(name).reader.pinned() as generation:
        return hub_sources(generation), changelog_sources(generation)


def retrieved(
    name: str, wanted: Callable[[Question], bool], sync_first: bool = False
) -> Iterator[tuple[Question, Query, list[Hit], dict, Document]]:
    """Each wanted question of corpus `name` with its parsed query, its top PASSAGES_SCORED
    hits, the generation's term weights and its documents' chunks (syncing the index first
    when asked)."""
    assistant = assistant_of(name, sync_first)
    questions = CORPORA[name][1]
    with assistant.reader.pinned() as generation:
        idf = term_weights(generation)
        for q in load_questions(questions):
            if wanted(q):
                query = Query.parse(q.q, list(q.history))
                hits = assistant.retriever.search(
                    q.q, PASSAGES_SCORED, None, list(q.history), generation
                )
                yield q, query, hits, idf, generation.document
