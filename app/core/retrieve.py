"""Hybrid retrieval: dense (cosine, exact over a local generation's vectors; a Chroma server's
HNSW search in server mode) and keyword (BM25), fused by reciprocal rank."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core.index import IndexReader, OpenGeneration
from app.core.links import linked_first
from app.core.query import Query, asks_only_about, names_only, own_subject
from ingest.chunk import Chunk
from ingest.embed import Embedder
from ingest.errors import GenerationGone
from ingest.keyword import question_tokens
from ingest.refusal import names

if TYPE_CHECKING:
    from collections.abc import Collection

    import numpy as np

CANDIDATES = 40  # per retriever, before fusion, on an index of up to CANDIDATE_SHARE * 40 rows
# ... and a 1/CANDIDATE_SHARE share of a larger one's. A fixed 40 was a shrinking share as kb/
# grew: at 6,159 passages the acceptance-criteria section for "How do I turn 'the export should
# be fast' into something a reviewer can actually check?" ranked past the keyword search's 40th
# and the answer quoted another page (61 candidates: kb/ key point .738 -> .747, citation
# precision .923 -> .930; the outside corpora, 297 to 1,293 passages, keep 40).
CANDIDATE_SHARE = 100
# Reciprocal-rank fusion's constant: each retriever adds 1 / (RRF_K + rank). The usual 60 makes
# first and tenth place nearly equal (1/61 against 1/70), so a passage both retrievers put
# midway beat the one that either put first by a clear margin; at 10, a clear first place counts
# (MRR 0.942 -> 0.946 on kb/, 0.893 -> 0.908 pydantic-docs, 0.906 -> 0.910 engineering-playbook;
# 15 measures the same, 20 keeps only kb/'s and the playbook's part, 5 loses on two corpora).
RRF_K = 10
# The answer scorer (app/core/scorer.py) was trained on fusion scores at the usual constant and
# reads a hit's score against the top hit's: hits carry scores on that scale.
SCORE_RRF_K = 60
# A hub (a changelog, glossary or index page: ingest/refusal.py finds them) ranks as if this
# many places lower in each ranking, so the page that explains a topic wins over it.
HUB_RANK_OFFSET = 10
# A passage the keyword search puts first by this factor over its second names a rare word of
# the question the others lack ("from_orm is deprecated - what should I call instead?": 15.9
# against 9.6), yet the fusion ranked it eighth, under seven passages both searches put midway.
KEYWORD_MARGIN = 1.5
RARE_ROWS = 3
# A follow-up that only names a new subject ("And in Rust?") puts the passages naming it first
# when that name is on at most this many passages, or this share of a larger index's (kb/ at
# 4,527 passages: Rust 10, QueuePool 14, Kubernetes 42; Django 819, FastAPI 618). A fixed count
# alone was a cliff a growing KB walked off: one more passage naming Rust turned the rule off.
NAMED_ROWS = 10
NAMED_SHARE = 0.01
MAX_QUERY_CHARS = 2000  # longer questions are cut: the model reads ~256 word pieces anyway


def candidates(rows: int) -> int:
    """How many best rows each retriever passes to the fusion, on an index of `rows` rows."""
    return max(CANDIDATES, rows // CANDIDATE_SHARE)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    dense: float  # cosine similarity, -1..1
    keyword: float  # BM25 score, 0 when the chunk has none of the words
    fused: float  # reciprocal-rank fusion score of the hit's place (at SCORE_RRF_K)
    rank: int  # 1-based
    # The best dense score of this chunk and of the overlapping pieces of its section that are
    # not hits themselves (None: not worked out); the answer scorer reads it, see shared_dense().
    section_dense: float | None = None


@dataclass(frozen=True)
class Scored:
    """A search's hits, and each retriever's best rows (row -> score) that decide relevance."""

    hits: list[Hit]
    dense: dict[int, float]
    keyword: dict[int, float]


def rrf(
    rankings: list[list[int]], k: int = RRF_K, demoted: frozenset[int] = frozenset()
) -> dict[int, float]:
    """Reciprocal-rank fusion; `demoted` items count HUB_RANK_OFFSET places lower."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            offset = HUB_RANK_OFFSET if item in demoted else 0
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1 + offset)
    return scores


def keyword_winner(
    gen: OpenGeneration, query: Query, keyword: dict[int, float], demoted: frozenset[int]
) -> int | None:
    """The row the keyword search ranks first by KEYWORD_MARGIN or more over the second, when
    it holds a rare name the question itself uses (not plain English, used by at most RARE_ROWS
    rows: `from_orm`; not "cover" or "rows", nor a word a follow-up borrowed); never a hub."""
    best = sorted(keyword.values(), reverse=True)[:2]
    if len(best) < 2 or best[0] < KEYWORD_MARGIN * best[1]:
        return None
    row = max(keyword, key=lambda i: keyword[i])
    if row in demoted:
        return None
    # "Why?" asks again of a question: the names that question used
    own = question_tokens(query.asked_of) if query.asks_again else query.tokens
    using = rows_using(gen, {t for t in own if names(t)})
    return row if any(row in rows and len(rows) <= RARE_ROWS for rows in using.values()) else None


def rows_using(gen: OpenGeneration, tokens: Collection[str]) -> dict[str, frozenset[int]]:
    """The rows using each of `tokens` that the index knows, read by column (cheap to slice on a
    large index)."""
    known = [t for t in tokens if t in gen.bm25.vocab_dict]
    if not known:
        return {}
    used = gen.bm25.weights[:, [gen.bm25.vocab_dict[t] for t in known]]
    bounds = used.indptr
    return {
        t: frozenset(used.indices[bounds[n] : bounds[n + 1]].tolist()) for n, t in enumerate(known)
    }


def naming_first(gen: OpenGeneration, named: frozenset[str], order: list[int]) -> list[int]:
    """`order` with the passages that name everything a follow-up names of its own first: "And
    in Rust?" after a Flask question asks about Rust, and the Flask passages its borrowed words
    rank high say nothing of it (they led once other pages used those words more). Unchanged
    when no passage names it all."""
    using = rows_using(gen, named)
    if not named or len(using) < len(named):
        return order
    if any(len(rows) > max(NAMED_ROWS, NAMED_SHARE * len(gen.chunks)) for rows in using.values()):
        return order  # "Django" on hundreds of passages: the fusion already weighs them
    holding = [i for i in order if all(i in rows for rows in using.values())]
    if not holding:
        return order
    chosen = frozenset(holding)
    return holding + [i for i in order if i not in chosen]


def shared_dense(
    chunks: list[Chunk], row: int, dense: dict[int, float], hits: frozenset[int]
) -> float:
    """A chunk's dense score, or that of an overlapping piece of its section left out of the
    hits when higher. A long section is cut into pieces that repeat a short paragraph at the
    cut; when the fusion ranks one piece just inside the hits and its twin (the heading and
    that paragraph, the better dense match) just outside, the paragraph both hold is scored
    with the weaker piece's similarity (0.757 for 0.848), and an answer the section states
    outright lost to another page's opening sentence."""
    chunk = chunks[row]
    best = dense.get(row, 0.0)
    for other, score in dense.items():
        piece = chunks[other]
        if (
            other not in hits
            and piece.source == chunk.source
            and piece.heading_path == chunk.heading_path
            and piece.start_line <= chunk.end_line
            and chunk.start_line <= piece.end_line
        ):
            best = max(best, score)
    return best


def hub_sources(generation: OpenGeneration) -> frozenset[str]:
    """The documents the generation's ingest found to crowd other topics' results."""
    record = generation.meta.get("refusal")
    found = record.get("hubs") if isinstance(record, dict) else None
    return frozenset(found) if isinstance(found, dict) else frozenset()


def changelog_sources(generation: OpenGeneration) -> frozenset[str]:
    """The documents the generation's ingest found shaped like a changelog (they are hubs too)."""
    record = generation.meta.get("refusal")
    found = record.get("changelogs") if isinstance(record, dict) else None
    return frozenset(found) if isinstance(found, list) else frozenset()


def exact_nearest(gen: OpenGeneration, vector: np.ndarray, section: str | None) -> dict[int, float]:
    """The candidates() rows of highest cosine similarity, scored exactly: HNSW misses some true
    nearest passages and its misses change from one build to the next. Vectors are unit length,
    so the dot product is the cosine. It reads the whole matrix (1,000 rows: 0.1 ms; 10,000:
    ~8 ms; 100,000: ~40 ms per question on a busy 2-core machine)."""
    import numpy as np

    assert gen.vectors is not None
    scores = gen.vectors @ np.asarray(vector, dtype=np.float32)
    if section:
        outside = [i for i, c in enumerate(gen.chunks) if not c.source.startswith(section + "/")]
        scores[outside] = -np.inf
    n = min(candidates(len(scores)), len(scores))
    if n == 0:
        return {}
    best = np.argpartition(-scores, n - 1)[:n]
    best = best[np.argsort(-scores[best], kind="stable")]  # best first: the dense ranking
    return {int(i): float(scores[i]) for i in best if np.isfinite(scores[i])}


def with_rows(
    gen: OpenGeneration, vector: np.ndarray, found: dict[int, float], rows: dict[int, float]
) -> dict[int, float]:
    """`found` (one search's best rows) with `rows` that search left out, each scored exactly
    against its `vector` and ranked in place. A follow-up's own words found a passage on its new
    subject that the search with the older question's subject ranked just past the candidates
    ("And in Rust?" after a Flask question: 42nd of 1,588 passages), and counting it there as
    absent lost it the fusion once the index had grown. Only a local generation holds the
    vectors to score them; a Chroma server's search keeps what it found."""
    missing = [i for i in rows if i not in found]
    if gen.vectors is None or not missing:
        return found
    import numpy as np

    scores = gen.vectors[missing] @ np.asarray(vector, dtype=np.float32)
    merged = {**found, **{i: float(s) for i, s in zip(missing, scores, strict=True)}}
    return dict(sorted(merged.items(), key=lambda item: -item[1]))


class Retriever:
    def __init__(self, reader: IndexReader, embedder: Embedder) -> None:
        self.reader = reader
        self.embedder = embedder

    def search(
        self,
        question: str | Query,
        k: int = 5,
        section: str | None = None,
        history: list[str] | None = None,
        generation: OpenGeneration | None = None,
    ) -> list[Hit]:
        """The k best chunks for a question, best first, from `generation` (pinned by the
        caller) or else from the current one. A Query carries its own follow-up context."""
        if generation is None:
            with self.reader.pinned() as pinned:
                return self.scored(question, k, section, history, pinned).hits
        return self.scored(question, k, section, history, generation).hits

    def scored(
        self,
        question: str | Query,
        k: int,
        section: str | None,
        history: list[str] | None,
        generation: OpenGeneration,
    ) -> Scored:
        """search(), with the best rows of each retriever (for the refusal decision)."""
        if not isinstance(question, Query):
            question = Query.parse(question[:MAX_QUERY_CHARS], history)
        query = question.search_text[:MAX_QUERY_CHARS]
        if not question.tokens and not question.context_tokens and not query.strip():
            return Scored([], {}, {})
        vector = self.embedder.embed_query(query)
        dense = self._dense(generation, vector, section)
        keyword = self._keyword(generation, question, section)
        rankings = [list(dense), list(keyword)]
        own_text = question.relevance_text  # "Why?" asks again of a question: its words
        if (
            question.is_follow_up
            and own_text != question.search_text
            and not asks_only_about(question)
        ):
            # A follow-up: also search for its own words, so its new subject can win; one
            # asking again ("Why?") for those of the question it asks of, as that was searched.
            own = self._dense(
                generation, self.embedder.embed_query(own_text[:MAX_QUERY_CHARS]), section
            )
            if own_subject(question):  # "And in Rust?": rows the older words pushed out
                dense = with_rows(generation, vector, dense, own)
            rankings = [list(dense), list(keyword), list(own)]
            dense = {i: max(dense.get(i, -1.0), own.get(i, -1.0)) for i in dense.keys() | own}
        hubs = hub_sources(generation)
        demoted = frozenset(
            i for ranking in rankings for i in ranking if generation.chunks[i].source in hubs
        )
        fused = rrf(rankings, demoted=demoted)
        order = sorted(fused, key=lambda i: (-fused[i], -dense.get(i, -1.0)))
        named = names_only(question.text) if question.is_follow_up else frozenset()
        if named:
            order = naming_first(generation, named, order)  # "And in Rust?", "Does Black do that?"
        winner = keyword_winner(generation, question, keyword, demoted)
        if winner is not None:
            order = [winner] + [i for i in order if i != winner]
        order = order[:k]
        # A short passage pointing to another hit's page yields its place to that page. Each
        # hit gets the score of the place it holds, so scores fall with the rank.
        scale = rrf(rankings, SCORE_RRF_K, demoted=demoted)
        places = sorted((scale[i] for i in order), reverse=True)
        order = linked_first(order, generation.chunks)
        chosen = frozenset(order)
        hits = [
            Hit(
                generation.chunks[i],
                dense.get(i, 0.0),
                keyword.get(i, 0.0),
                places[rank - 1],
                rank,
                shared_dense(generation.chunks, i, dense, chosen),
            )
            for rank, i in enumerate(order, 1)
        ]
        return Scored(hits, dense, keyword)

    def _dense(
        self, gen: OpenGeneration, vector: np.ndarray, section: str | None
    ) -> dict[int, float]:
        if gen.vectors is not None:
            return exact_nearest(gen, vector, section)
        return self._nearest_in_collection(gen, vector, section)

    def _nearest_in_collection(
        self, gen: OpenGeneration, vector: np.ndarray, section: str | None
    ) -> dict[int, float]:
        """Chroma's approximate (HNSW) search, for a generation held by a Chroma server."""
        from ingest.chroma_http import NotFound

        try:
            result = gen.collection.query(
                query_embeddings=[vector],
                n_results=min(candidates(len(gen.chunks)), len(gen.chunks)),
                where={"section": section} if section else None,
                include=["distances"],
            )
        except NotFound as exc:  # a Chroma server pruned it: two ingests since we pinned
            raise GenerationGone(
                f"index generation {gen.name} was removed while answering; ask again"
            ) from exc
        return {
            gen.position[cid]: 1.0 - distance
            for cid, distance in zip(result["ids"][0], result["distances"][0], strict=True)
        }

    def _keyword(self, gen: OpenGeneration, query: Query, section: str | None) -> dict[int, float]:
        # The question's own words count twice so a follow-up's new subject outweighs the old.
        tokens = list(query.tokens) * 2 + list(query.context_tokens)
        vocab = gen.bm25.vocab_dict
        spelled = (t if t in vocab or "_" not in t else t.replace("_", "-") for t in tokens)
        known = [t for t in spelled if t in vocab]  # "max_requests": a page's "--max-requests"
        if not known:
            return {}
        scores = gen.bm25.get_scores(known)
        wanted = candidates(len(gen.chunks))
        best = [int(i) for i in scores.argsort()[::-1][: wanted * 2] if scores[i] > 0]
        if section:
            best = [i for i in best if gen.chunks[i].source.startswith(section + "/")]
        return {i: float(scores[i]) for i in best[:wanted]}
