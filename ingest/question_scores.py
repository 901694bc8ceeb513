"""Score many questions against a generation at once, exactly as refusal.relevance() scores
one question in the app, with a few matrix products instead of a loop of searches (an
incremental edit rescoring ~450 questions must stay well under a second)."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ingest.keyword import question_tokens
from ingest.refusal import (
    REACH,
    TOP,
    combined,
    missing_weight,
    names,
    plain,
    proper_names,
    question_words,
    shadowed,
)

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse

    from ingest.bm25 import KeywordIndex

BLOCK = 8192  # rows of vectors compared with every question at once
QUESTION_BLOCK = 64  # questions whose keyword scores over every row are held at once


def score_questions(
    vectors: np.ndarray,
    keyword: KeywordIndex,
    question_vectors: np.ndarray,
    questions: Sequence[str],
    silent: Sequence[int] = (),
    capitals: Collection[str] | None = None,
) -> tuple[list[float], list[list[int]]]:
    """Each question's relevance against the generation, and the rows that reach it (the
    REACH best of each retriever). The `silent` rows (a hub's: refusal.silent_rows) still rank,
    but only their plain-English words count as the index's and cover a question."""
    ranked = rank_questions(vectors, keyword, question_vectors, questions, capitals)
    return score_ranked(ranked, keyword, silent), ranked.tops()


@dataclass
class Ranked:
    """Each question's tokens and best rows of each retriever: what its relevance is computed
    from, whichever rows turn out to be silent (the hubs are found from these rankings)."""

    tokens: list[list[str]]  # as relevance counts them (refusal.shadowed), not as searched
    columns: list[list[int]]  # the question's terms the index has, repeats kept (BM25 counts them)
    dense_rows: np.ndarray
    dense_scores: np.ndarray
    keyword_rows: list[list[int]]
    proper: list[frozenset[str]]  # the words each question capitalises (refusal.proper_names)

    def tops(self) -> list[list[int]]:
        """The rows that reach each question: the REACH best of each retriever."""
        import numpy as np

        tops = []
        for number, keyword_rows in enumerate(self.keyword_rows):
            order = np.argsort(-self.dense_scores[number], kind="stable")[:REACH]
            tops.append([int(self.dense_rows[number][i]) for i in order] + keyword_rows[:REACH])
        return tops


def rank_questions(
    vectors: np.ndarray,
    keyword: KeywordIndex,
    question_vectors: np.ndarray,
    questions: Sequence[str],
    capitals: Collection[str] | None = None,
) -> Ranked:
    """Each question's TOP best rows by cosine and by BM25; `capitals`: the words the index
    writes in capitals (refusal.shadowed)."""
    import numpy as np

    searched = [question_tokens(question) for question in questions]
    # Searched with every token, as the app searches; relevance counts the shadowed ones unknown.
    tokens = [shadowed(q, t, capitals) for q, t in zip(questions, searched, strict=True)]
    proper = [proper_names(question) for question in questions]
    columns = [
        [keyword.vocab_dict[t] for t in found if t in keyword.vocab_dict] for found in searched
    ]
    if len(keyword) == 0 or not len(questions):
        empty = np.zeros((len(questions), 0))
        return Ranked(
            tokens, columns, empty.astype(np.int64), empty, [[] for _ in questions], proper
        )
    dense_rows, dense_scores = _best_dense(vectors, question_vectors)
    keyword_rows = _best_keyword(keyword, _query_matrix(columns, keyword.counts.shape[1]))
    return Ranked(tokens, columns, dense_rows, dense_scores, keyword_rows, proper)


def score_ranked(ranked: Ranked, keyword: KeywordIndex, silent: Sequence[int] = ()) -> list[float]:
    """Each ranked question's relevance (see score_questions)."""
    import numpy as np

    n = len(keyword)
    questions = len(ranked.tokens)
    if n == 0 or not questions:
        return [0.0] * questions
    counts = _silenced(keyword, silent) if len(silent) else keyword.counts
    df = np.bincount(counts.indices, minlength=counts.shape[1])  # as relevance_frequencies
    unknown = math.log(1 + 2 * n)
    idf = np.where(df > 0, np.log(1 + n / np.maximum(df, 1)), unknown)

    # Each question's word weights: in all, and of the words the index never uses.
    total = np.zeros(questions)
    missing = np.zeros(questions)
    distinct = np.zeros(questions, dtype=np.int64)
    named = [False] * questions  # names something the index never mentions (names_unknown)

    def known(token: str) -> bool:
        column = keyword.vocab_dict.get(token)
        return column is not None and df[column] > 0

    columns = []  # each question's words the index has, in the index's form
    for number, tokens in enumerate(ranked.tokens):
        words = question_words(tokens, known)
        distinct[number] = len(words)
        columns.append([keyword.vocab_dict[word] for word in words if known(word)])
        for token in words:
            if known(token):
                total[number] += idf[keyword.vocab_dict[token]]
            else:
                total[number] += unknown
                missing[number] += missing_weight(token, unknown)
                named[number] |= names(token, ranked.proper[number])

    # Coverage of every question by every candidate row: idf of the shared known terms.
    candidates = [
        list(dict.fromkeys(list(ranked.dense_rows[i]) + ranked.keyword_rows[i]))
        for i in range(questions)
    ]
    union = sorted({row for found in candidates for row in found})
    present = counts[union].copy()
    present.data[:] = 1.0
    binary = _query_matrix(columns, len(df))
    weighted = binary.multiply(idf.astype(np.float32)).tocsr()
    covered = (weighted @ present.T).toarray()  # questions x union
    where = {row: k for k, row in enumerate(union)}

    scores = []
    for number in range(questions):
        share = 0.0
        if total[number] > 0 and candidates[number]:
            best = max(covered[number, where[row]] for row in candidates[number])
            share = float(best) / max(total[number], unknown)
        unknown_share = missing[number] / total[number] if total[number] else 0.0
        scores.append(
            combined(
                float(ranked.dense_scores[number].max()),
                share,
                int(distinct[number]),
                unknown_share,
                named[number],
            )
        )
    return scores


def _query_matrix(columns: list[list[int]], terms: int) -> sparse.csr_matrix:
    """Questions x terms, each term counted as often as the question repeats it."""
    import numpy as np
    from scipy import sparse

    rows = [i for i, found in enumerate(columns) for _ in found]
    cols = [c for found in columns for c in found]
    return sparse.csr_matrix(
        (np.ones(len(cols), np.float32), (rows, cols)), shape=(len(columns), terms)
    )


def relevance_frequencies(keyword: KeywordIndex, silent: Sequence[int]) -> dict[str, int]:
    """How many rows use each term, as relevance counts them: a `silent` row (a hub's) only
    with its plain-English words. The app's refusal.Terms and score_ranked share this count."""
    import numpy as np

    counts = _silenced(keyword, silent) if len(silent) else keyword.counts
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return {keyword.vocab[i]: int(df[i]) for i in np.flatnonzero(df)}


def _silenced(keyword: KeywordIndex, silent: Sequence[int]):
    """The term counts, with the `silent` rows keeping only their plain words (refusal.plain)."""
    import numpy as np
    from scipy import sparse

    words = np.array([plain(term) for term in keyword.vocab], dtype=np.float32)
    hub = np.zeros(len(keyword), dtype=np.float32)
    hub[list(silent)] = 1.0
    counts = keyword.counts
    kept = sparse.diags(1.0 - hub) @ counts + sparse.diags(hub) @ counts @ sparse.diags(words)
    kept = sparse.csr_matrix(kept, dtype=counts.dtype)
    kept.eliminate_zeros()
    return kept


def _best_dense(vectors: np.ndarray, questions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each question's TOP most similar rows and their cosines, a block of rows at a time."""
    import numpy as np

    rows = np.zeros((len(questions), 0), dtype=np.int64)
    scores = np.zeros((len(questions), 0), dtype=np.float32)
    for start in range(0, len(vectors), BLOCK):
        similarity = questions @ np.asarray(vectors[start : start + BLOCK], dtype=np.float32).T
        if similarity.shape[1] > TOP:
            keep = np.argpartition(-similarity, TOP - 1, axis=1)[:, :TOP]
        else:
            keep = np.broadcast_to(np.arange(similarity.shape[1]), similarity.shape)
        rows = np.hstack([rows, keep + start])
        scores = np.hstack([scores, np.take_along_axis(similarity, keep, axis=1)])
        if scores.shape[1] > TOP:
            best = np.argpartition(-scores, TOP - 1, axis=1)[:, :TOP]
            rows = np.take_along_axis(rows, best, axis=1)
            scores = np.take_along_axis(scores, best, axis=1)
    return rows, scores


def _best_keyword(keyword: KeywordIndex, queries) -> list[list[int]]:
    """Each question's TOP best BM25 rows (score > 0), best first (the lower row on a tie).

    Only the rows that share a term with a question are ranked: the product stays sparse,
    so the cost follows the matches, not every row of the KB times every question."""
    import numpy as np

    by_term = keyword.weights.T  # terms x rows, CSR: the product needs no conversion
    best: list[list[int]] = []
    for start in range(0, queries.shape[0], QUESTION_BLOCK):
        block = (queries[start : start + QUESTION_BLOCK] @ by_term).tocsr()  # questions x rows
        for number in range(block.shape[0]):
            span = slice(block.indptr[number], block.indptr[number + 1])
            rows, scores = block.indices[span], block.data[span]
            rows, scores = rows[scores > 0], scores[scores > 0]
            if len(rows) > TOP:
                # Every row scoring at least the TOP-th best, so ties break by row below.
                cut = -np.partition(-scores, TOP - 1)[TOP - 1]
                rows, scores = rows[scores >= cut], scores[scores >= cut]
            order = np.lexsort((rows, -scores))[:TOP]
            best.append([int(row) for row in rows[order]])
    return best
