"""The assistant: one object holding the model and index, answering questions."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.answer import Answer, TermWeights, coverage, extractive_answer
from app.index import IndexReader, OpenGeneration
from app.retrieve import Hit, Retriever
from ingest.config import Settings
from ingest.embed import Embedder, embedder_for
from ingest.keyword import tokenize

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
MAX_QUESTION_CHARS = 2000
QUERY_THREADS = 1  # see Embedder: fastest for single questions, robust under load


@dataclass(frozen=True)
class Calibration:
    """Refuse when the best passage is less similar than this (see kb-eval --calibrate)."""

    min_relevance: float = 0.35

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        if not path.is_file():
            return cls()
        return cls(float(json.loads(path.read_text())["min_relevance"]))


class _RowTerms(dict):
    """Chunk id -> its distinct terms, read from the keyword index when first asked for."""

    def __init__(self, generation: OpenGeneration) -> None:
        super().__init__()
        self.generation = generation

    def get(self, key, default=None):  # type: ignore[override]
        if key not in self:
            row = self.generation.position.get(key)
            if row is None:
                return default
            self[key] = self.generation.bm25.row_terms(row)
        return self[key]


def term_weights(generation: OpenGeneration) -> TermWeights:
    """TermWeights.of(generation.chunks) without tokenizing every chunk again: the keyword
    index already holds each chunk's terms (seconds saved per 10,000 chunks at start-up)."""
    n = len(generation.chunks) or 1
    df = generation.bm25.document_frequencies()
    idf = {term: math.log(1 + n / count) for term, count in df.items()}
    return TermWeights(idf, math.log(1 + 2 * n), _RowTerms(generation))


WORD_WEIGHT = 0.5  # how much shared rare words count next to cosine similarity


def relevance(hits: list[Hit], question: str, weights: TermWeights) -> float:
    """How well the KB matches: best cosine similarity plus the best share of the question's
    rare words found in one passage (words the KB never uses weigh most)."""
    if not hits:
        return 0.0
    query = set(tokenize(question))
    words = max(coverage(query, weights.words_of(h.chunk), weights) for h in hits)
    return max(h.dense for h in hits) + WORD_WEIGHT * words


class Assistant:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or embedder_for(settings, threads=QUERY_THREADS)
        self.reader = IndexReader(settings)
        self.retriever = Retriever(self.reader, self.embedder)
        self.calibration = Calibration.load()
        self._weights: tuple[str, TermWeights] | None = None

    def idf(self) -> TermWeights:
        generation = self.reader.current()
        if self._weights is None or self._weights[0] != generation.name:
            self._weights = (generation.name, term_weights(generation))
        return self._weights[1]

    def retrieve(
        self,
        question: str,
        k: int | None = None,
        section: str | None = None,
        history: list[str] | None = None,
    ) -> list[Hit]:
        return self.retriever.search(
            question[:MAX_QUESTION_CHARS], k or self.settings.top_k, section, history
        )

    def ask(
        self,
        question: str,
        k: int | None = None,
        section: str | None = None,
        history: list[str] | None = None,
    ) -> Answer:
        """Retrieve, decide whether the KB covers the question, answer with citations."""
        question = " ".join(question.split())
        if not question:
            return Answer(question, "Please type a question.", True, [], [])
        hits = self.retrieve(question, k, section, history)
        idf = self.idf()
        if not tokenize(question):
            answer = Answer(
                question,
                "I could not find any words to search for in that question.",
                True,
                [],
                hits,
            )
            return answer
        score = relevance(hits, question, idf)
        answer = extractive_answer(question, hits, idf, score >= self.calibration.min_relevance)
        answer.extra["relevance"] = round(score, 4)
        return answer

    def ask_stream(
        self,
        question: str,
        k: int | None = None,
        section: str | None = None,
        history: list[str] | None = None,
    ) -> Iterator[str | Answer]:
        """Text pieces as an LLM writes them, then the final verified Answer."""
        from app.llm import llm_answer

        question = " ".join(question.split())
        hits = self.retrieve(question, k, section, history) if question else []
        score = relevance(hits, question, self.idf())
        if not question or score < self.calibration.min_relevance:
            yield self.ask(question, k, section, history)
            return
        yield from llm_answer(self.settings, question, hits)
