"""BM25 over per-chunk term counts that the next generation can reuse row by row."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy import sparse

from ingest.keyword import EMPTY, VOCAB_FILE, term_counts

K1 = 1.5  # bm25s's defaults, Lucene's BM25 variant
B = 0.75
COUNTS_FILE = "counts.npz"


class KeywordIndex:
    """BM25 over chunk term counts, kept as a sparse matrix (a row per chunk, a column per term).

    The counts of a chunk depend on its text only, so the next generation's index is the
    previous one's rows for unchanged chunks plus freshly tokenized rows for the changed ones;
    the BM25 weights (which depend on every row through idf and the average length) are
    computed when the index is opened, in one vectorised pass. Scores equal bm25s's (Lucene).
    """

    def __init__(self, vocab: list[str], counts: sparse.csr_matrix) -> None:
        self.vocab = vocab
        self.vocab_dict = {term: i for i, term in enumerate(vocab)}
        self.counts = counts
        self._weights: sparse.csc_matrix | None = None

    @classmethod
    def build(cls, texts: list[str]) -> KeywordIndex:
        return cls([], _empty_counts(0)).updated(np.zeros(0, dtype=np.int64), texts)

    @classmethod
    def from_counts(cls, rows: list[dict[str, int]]) -> KeywordIndex:
        """The index of chunks given by their term counts (row_counts()), without tokenizing."""
        return cls([], _empty_counts(0))._appended(np.zeros(0, dtype=np.int64), rows)

    def updated(self, rows: np.ndarray, texts: list[str]) -> KeywordIndex:
        """A new index: this one's `rows` (in that order), then one row per text."""
        return self._appended(rows, [term_counts(text) for text in texts])

    def row_counts(self, row: int) -> dict[str, int]:
        """One chunk's term counts, from which from_counts() rebuilds its row exactly."""
        start, end = self.counts.indptr[row], self.counts.indptr[row + 1]
        return {
            self.vocab[i]: int(n)
            for i, n in zip(
                self.counts.indices[start:end], self.counts.data[start:end], strict=True
            )
        }

    def _appended(self, rows: np.ndarray, fresh_counts: list[dict[str, int]]) -> KeywordIndex:
        """A new index: this one's `rows` (in that order), then one row per term count."""
        vocab = list(self.vocab)
        known = dict(self.vocab_dict)
        indptr: list[int] = [0]
        indices: list[int] = []
        data: list[int] = []
        for tally in fresh_counts:
            for token, n in tally.items():
                column = known.get(token)
                if column is None:
                    column = known[token] = len(vocab)
                    vocab.append(token)
                indices.append(column)
                data.append(n)
            indptr.append(len(indices))
        fresh = sparse.csr_matrix(
            (np.asarray(data, np.float32), np.asarray(indices, np.int32), np.asarray(indptr)),
            shape=(len(fresh_counts), len(vocab)),
        )
        old = self.counts[rows] if len(rows) else _empty_counts(0)
        old = sparse.csr_matrix((old.data, old.indices, old.indptr), shape=(len(rows), len(vocab)))
        return KeywordIndex(vocab, sparse.vstack([old, fresh], format="csr"))._compacted()

    def _compacted(self) -> KeywordIndex:
        """Drop terms no chunk uses any more once they are a tenth of the vocabulary."""
        used = np.bincount(self.counts.indices, minlength=len(self.vocab)) > 0
        if used.sum() >= 0.9 * len(self.vocab):
            return self
        keep = np.flatnonzero(used)
        return KeywordIndex([self.vocab[i] for i in keep], self.counts[:, keep].tocsr())

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        counts = self.counts
        np.savez(
            folder / COUNTS_FILE, data=counts.data, indices=counts.indices, indptr=counts.indptr
        )
        (folder / VOCAB_FILE).write_text(json.dumps(self.vocab, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        vocab = json.loads((folder / VOCAB_FILE).read_text("utf-8"))
        with np.load(folder / COUNTS_FILE) as arrays:
            indptr = arrays["indptr"]
            counts = sparse.csr_matrix(
                (arrays["data"], arrays["indices"], indptr), shape=(len(indptr) - 1, len(vocab))
            )
        return cls(vocab, counts)

    def __len__(self) -> int:
        return int(self.counts.shape[0])

    @property
    def weights(self) -> sparse.csc_matrix:
        """Each (chunk, term) pair's BM25 contribution, by term column."""
        if self._weights is None:
            counts = self.counts
            n = counts.shape[0]
            lengths = np.asarray(counts.sum(axis=1)).ravel()
            average = lengths.mean() if n else 1.0
            df = np.bincount(counts.indices, minlength=counts.shape[1])
            idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
            per_row = np.repeat(K1 * ((1 - B) + B * lengths / average), np.diff(counts.indptr))
            tf = counts.data
            values = (idf[counts.indices] * tf / (per_row + tf)).astype(np.float32)
            self._weights = sparse.csr_matrix(
                (values, counts.indices, counts.indptr), shape=counts.shape
            ).tocsc()
        return self._weights

    def document_frequencies(self) -> dict[str, int]:
        """How many chunks use each term (terms no chunk uses any more left out)."""
        df = np.bincount(self.counts.indices, minlength=len(self.vocab))
        return {self.vocab[i]: int(df[i]) for i in np.flatnonzero(df)}

    def row_terms(self, row: int) -> frozenset[str]:
        """The distinct terms of one chunk: tokenize(its text), without tokenizing again."""
        start, end = self.counts.indptr[row], self.counts.indptr[row + 1]
        return frozenset(self.vocab[i] for i in self.counts.indices[start:end]) - {EMPTY}

    def get_scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk for these query tokens (a repeated token counts again)."""
        columns = [self.vocab_dict[t] for t in tokens if t in self.vocab_dict]
        if not columns:
            return np.zeros(len(self), dtype=np.float32)
        return np.asarray(self.weights[:, columns].sum(axis=1), dtype=np.float32).ravel()


def _empty_counts(rows: int) -> sparse.csr_matrix:
    return sparse.csr_matrix((rows, 0), dtype=np.float32)
