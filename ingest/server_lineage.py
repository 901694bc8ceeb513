"""Generations in a Chroma server that share one collection: a change sends only the change.

A full ingest creates a lineage collection `kblin_<name>`; each later generation of that
lineage has a sequence number `seq` and is the set of rows with born <= seq < died. Rows are
`<chunk id>@<born>`, with the chunk's fields, text and vector, plus `chunk_id`, `born` and
`died` (LIVE until a later generation drops it), and `terms`: the chunk's keyword term counts
("term:n term:n", as bm25.py counts them), so a reader builds its keyword index without
cleaning and tokenizing every chunk again (most of a cold start). A one-file edit:
  1. forgets what a crashed attempt left (rows born after the current seq, death marks after it),
  2. marks the changed files' live rows died = seq + 1 (metadata only, no vectors),
  3. adds the changed files' new rows born = seq + 1,
  4. writes the generation's record (meta, seq, row order), then the caller publishes it.
Older generations of the lineage still see exactly their rows (born and died are both after
their seq), so readers keep a single-generation view; prune() deletes rows no kept generation
sees, and lineages no kept generation uses. Readers query through GenerationView, which adds
the membership filter and says NotFoundError once the generation's record is pruned.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ingest.chunk import Chunk
from ingest.store import chunk_metadata

if TYPE_CHECKING:
    import numpy as np

    from ingest.bm25 import KeywordIndex

LINEAGE_PREFIX = "kblin_"
CHUNK_FIELDS = ("source", "title", "heading_path", "anchor", "start_line", "end_line", "hash")
LIVE = 2**31 - 1  # `died` of a row no generation has dropped yet
IGNORED = ("included", "include")  # a query result's list of what it includes (chromadb, HTTP)


def member_of(seq: int) -> dict[str, Any]:
    """The rows of generation `seq` of a lineage."""
    return {"$and": [{"born": {"$lte": seq}}, {"died": {"$gt": seq}}]}


def row_id(chunk: Chunk, born: int) -> str:
    return f"{chunk.id}@{born}"


def row_metadata(chunk: Chunk, born: int, terms: dict[str, int]) -> dict[str, Any]:
    fields = {"chunk_id": chunk.id, "born": born, "died": LIVE, "terms": encode_terms(terms)}
    return {**chunk_metadata(chunk), **fields}


def encode_terms(counts: dict[str, int]) -> str:
    return " ".join(f"{term}:{n}" for term, n in counts.items())  # terms hold no space or ":"


def decode_terms(text: str) -> dict[str, int]:
    pairs = (item.rsplit(":", 1) for item in text.split(" "))
    return {term: int(n) for term, n in pairs}


def add_rows(
    collection: Any,
    chunks: list[Chunk],
    vectors: np.ndarray,
    born: int,
    batch: int,
    terms: list[dict[str, int]],
) -> list[str]:
    """Send chunks as rows born in generation `born`, with their term counts (bm25.py);
    returns their row ids in order."""
    ids = [row_id(c, born) for c in chunks]
    for start in range(0, len(chunks), batch):
        part = range(start, min(start + batch, len(chunks)))
        collection.upsert(
            ids=ids[start : start + batch],
            embeddings=vectors[start : start + batch],
            metadatas=[row_metadata(chunks[i], born, terms[i]) for i in part],
            documents=[chunks[i].text for i in part],
        )
    return ids


def rows_of_sources(collection: Any, seq: int, sources: list[str], include: list[str]) -> dict:
    """Generation `seq`'s rows of these files (one request)."""
    if not sources:
        return {"ids": [], "metadatas": [], "documents": [], "embeddings": []}
    where = {"$and": [*member_of(seq)["$and"], {"source": {"$in": sources}}]}
    return collection.get(where=where, include=include)


def forget_crashed(collection: Any, seq: int) -> None:
    """Undo what an attempt that never published left after generation `seq`."""
    leftover = collection.get(where={"born": {"$gt": seq}}, include=[])
    if leftover["ids"]:
        collection.delete(ids=leftover["ids"])
    marked = collection.get(
        where={"$and": [{"died": {"$gt": seq}}, {"died": {"$lt": LIVE}}]}, include=["metadatas"]
    )
    if marked["ids"]:
        collection.update(
            ids=marked["ids"], metadatas=[{**m, "died": LIVE} for m in marked["metadatas"]]
        )


def retire(collection: Any, rows: dict, died: int, batch: int) -> None:
    """Mark rows as dropped from generation `died` on (metadata only)."""
    ids, metadatas = rows["ids"], rows["metadatas"]
    for start in range(0, len(ids), batch):
        collection.update(
            ids=ids[start : start + batch],
            metadatas=[{**m, "died": died} for m in metadatas[start : start + batch]],
        )


def drop_unseen(collection: Any, oldest_kept: int, newest_kept: int) -> None:
    """Delete rows no kept generation sees: dropped at or before the oldest, born after the
    newest (a crashed attempt's)."""
    for where in ({"died": {"$lte": oldest_kept}}, {"born": {"$gt": newest_kept}}):
        gone = collection.get(where=where, include=[])
        if gone["ids"]:
            collection.delete(ids=gone["ids"])


class GenerationView:
    """What readers query: one generation's rows of a lineage collection, by chunk id."""

    def __init__(self, collection: Any, seq: int, still_there) -> None:
        self.collection = collection
        self.seq = seq
        self._still_there = still_there  # raises NotFoundError once the record is pruned

    def query(self, query_embeddings, n_results: int, where=None, include=()) -> dict[str, Any]:
        """Chroma's query, over this generation's rows only, with chunk ids as ids.

        Rows outside the generation are few (what changed since the previous one, an ingest
        under way), so the query asks for some extra hits and drops them here, which costs
        far less than Chroma's metadata filter; only when too few are left does it ask again
        with the filter."""
        wanted = [*include, "metadatas"]
        ask = n_results * 2 + 16
        got = self.collection.query(
            query_embeddings=query_embeddings, n_results=ask, where=where, include=wanted
        )
        kept = _members(got, self.seq, n_results)
        if any(
            len(k) < n_results and len(ids) >= ask for k, ids in zip(kept, got["ids"], strict=True)
        ):
            member = member_of(self.seq)
            got = self.collection.query(
                query_embeddings=query_embeddings,
                n_results=n_results,
                where={"$and": [*member["$and"], where]} if where else member,
                include=wanted,
            )
            kept = _members(got, self.seq, n_results)
        self._still_there()  # rows are pruned after the record: a hit list is checked after
        out: dict[str, Any] = {}
        for key, lists in got.items():
            if isinstance(lists, list) and len(lists) == len(kept) and key not in IGNORED:
                out[key] = [[row[j] for j in k] for row, k in zip(lists, kept, strict=True)]
            else:
                out[key] = lists
        out["ids"] = [[i.rsplit("@", 1)[0] for i in ids] for ids in out["ids"]]
        return out

    def count(self) -> int:
        return len(self.collection.get(where=member_of(self.seq), include=[])["ids"])


def read_by_id(
    collection: Any, order: list[str], vectors: bool, meta: dict[str, Any], batch: int
) -> tuple[list[Chunk], np.ndarray | None, list[str | None]]:
    """Rows by id in this order (a generation's record lists them), with their vectors and
    their `terms` (None for a row written before rows carried them)."""
    import numpy as np

    include = ["documents", "metadatas"] + (["embeddings"] if vectors else [])
    rows: dict[str, tuple[str, dict[str, Any], Any]] = {}
    for start in range(0, len(order), batch):
        got = collection.get(ids=order[start : start + batch], include=include)
        for i, record in enumerate(got["ids"]):
            vector = got["embeddings"][i] if vectors else None
            rows[record] = (got["documents"][i], got["metadatas"][i], vector)
    missing = [record for record in order if record not in rows]
    if missing:
        raise ValueError(f"{len(missing)} chunks are missing from the collection")
    chunks = []
    terms = []
    for record in order:
        text, fields, _ = rows[record]
        chunks.append(row_chunk(text, fields, record))
        terms.append(fields.get("terms"))
    matrix = None
    if vectors:
        dimension = int(meta.get("dimension", 384))
        matrix = (
            np.asarray([rows[record][2] for record in order], dtype=np.float32)
            if order
            else np.zeros((0, dimension), dtype=np.float32)
        )
    return chunks, matrix, terms


def keyword_index(chunks: list[Chunk], terms: list[str | None]) -> KeywordIndex:
    """The generation's keyword index from its rows' term counts (an older row: its text)."""
    from ingest.bm25 import KeywordIndex
    from ingest.keyword import term_counts

    return KeywordIndex.from_counts(
        [
            decode_terms(stored) if stored else term_counts(chunk.embed_text)
            for chunk, stored in zip(chunks, terms, strict=True)
        ]
    )


def _members(got: dict[str, Any], seq: int, n: int) -> list[list[int]]:
    """Per query: the positions of the first `n` hits that belong to generation `seq`."""
    return [
        [j for j, m in enumerate(metas) if m["born"] <= seq < m["died"]][:n]
        for metas in got["metadatas"]
    ]


def row_chunk(text: str, fields: dict[str, Any], record: str | None = None) -> Chunk:
    """A chunk back from a row (a lineage row names its chunk; an old row is the chunk id)."""
    chunk_id = fields.get("chunk_id", record)
    includes = json.loads(fields.get("includes") or "{}")  # resolved snippet includes
    references = tuple(json.loads(fields.get("references") or "[]"))  # shortcut links defined
    return Chunk(
        id=str(chunk_id),
        text=text,
        includes=includes,
        references=references,
        **{k: fields[k] for k in CHUNK_FIELDS},
    )
