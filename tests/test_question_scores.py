"""The refusal statistics score hundreds of questions at once (ingest/question_scores.py): each
question's keyword passages must be the ones the app's BM25 retriever ranks first."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from ingest.chunk import chunk_markdown
from ingest.keyword import build_bm25, tokenize
from ingest.load import load_folder
from ingest.question_scores import _best_keyword
from ingest.refusal import TOP

QUESTIONS = [
    "How do I write a pytest fixture?",
    "dependency injection in FastAPI",
    "test test test",
    "What is the capital of Mongolia?",  # no word of the KB: no keyword passage
]


def test_keyword_passages_are_the_best_bm25_rows_lower_row_first_on_a_tie(kb):
    documents = load_folder(kb, 10**9).documents
    texts = [c.embed_text for d in documents for c in chunk_markdown(d.text, d.source)]
    keyword = build_bm25(texts * 2)  # every passage twice: each score is a tie
    tokens = [[t for t in tokenize(q) if t in keyword.vocab_dict] for q in QUESTIONS]
    queries = sparse.csr_matrix(
        (
            np.ones(sum(map(len, tokens)), np.float32),
            (
                [i for i, found in enumerate(tokens) for _ in found],
                [keyword.vocab_dict[t] for found in tokens for t in found],
            ),
        ),
        shape=(len(QUESTIONS), len(keyword.vocab)),
    )
    best = _best_keyword(keyword, queries)
    for question, found, rows in zip(QUESTIONS, tokens, best, strict=True):
        scores = keyword.get_scores(found) if found else np.zeros(len(keyword))
        ranked = sorted(
            (i for i in range(len(scores)) if scores[i] > 0), key=lambda i: (-scores[i], i)
        )
        assert rows == ranked[:TOP], question
    assert best[0] and best[1] and best[-1] == []
    assert best[0][1] == best[0][0] + len(texts)  # the tie: the first copy, then the second
