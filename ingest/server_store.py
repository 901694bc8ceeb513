"""Index generations in a Chroma server, shared by every app replica pointed at it.

The same contract as LocalIndex (store.py), with collections instead of folders. In the
server's default database:
  kb_meta              bookkeeping records (Chroma wants a vector per record: a 1-dim dummy)
    "current"            metadata {"generation": name}: the pointer, replaced by one upsert
    "generation:<name>"  document JSON {"meta": {...}, "order": [chunk ids]}; written last,
                         so a generation without it is incomplete
                         and metadata {"kind", "generation", "lineage", "seq"}
  kblin_<name>         a lineage (cosine): the rows of a full ingest's generation and of every
                       incremental one after it, each row tagged with the generations that
                       hold it (server_lineage.py), so a change sends only the changed files
  kbgen_<name>         a generation written before lineages: one collection of its own
  kb_ingest_lease      exists only while an ingest runs (lease.py)
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from functools import partial
from typing import TYPE_CHECKING, Any

from ingest.chroma_http import NotFound
from ingest.chunk import Chunk
from ingest.errors import IndexCorrupt, IndexNotBuilt, StoreUnavailable
from ingest.keyword import keyword_index_for
from ingest.lease import LEASE_SECONDS, ServerLease
from ingest.server_connection import ServerConnection
from ingest.server_lineage import (
    LINEAGE_PREFIX,
    GenerationView,
    add_rows,
    drop_unseen,
    forget_crashed,
    keyword_index,
    member_of,
    read_by_id,
    retire,
    row_chunk,
    rows_of_sources,
)
from ingest.store import (
    FORMAT_VERSION,
    HNSW,
    REUSABLE_FORMATS,
    Generation,
    new_generation_name,
)

if TYPE_CHECKING:
    import numpy as np

    from ingest.bm25 import KeywordIndex

GENERATION_PREFIX = "kbgen_"
POINTER_ID = "current"
RECORD_PREFIX = "generation:"
DUMMY = [1.0]  # the vector of every kb_meta record; never queried


class ServerIndex(ServerConnection):
    """Generations of the index as collections in one Chroma server, for many machines."""

    def __init__(self, host: str, port: int, lease_seconds: float = LEASE_SECONDS) -> None:
        super().__init__(host, port)
        self.lease_seconds = lease_seconds
        self._lease = ServerLease(self.http, self._calls, self.address, lease_seconds)

    # -- the Index protocol (see ingest.sync.Index) ------------------------------------------

    def lock(self) -> AbstractContextManager[None]:
        """Held for the whole ingest: a second writer anywhere fails fast (lease.py)."""
        return self._lease.hold()

    def current_name(self) -> str | None:
        """One small request, cheap enough to make before every query."""
        with self._calls():
            got = self._meta_records([POINTER_ID], ["metadatas"])
        if not got["ids"]:
            return None
        name = (got["metadatas"][0] or {}).get("generation")
        return str(name) if name else None

    def pointer_stamp(self) -> str | None:
        return self.current_name()

    def load(self, name: str | None = None, vectors: bool = False) -> Generation:
        """Read a complete generation (the current one by default) back from the server."""
        return self._load(name, vectors)[0]

    def load_meta(self, name: str) -> dict[str, Any]:
        """Only a generation's meta record: what a no-op sync needs (one small request)."""
        with self._calls():
            record = self._meta_records([RECORD_PREFIX + name], ["documents"])
        try:
            if not record["ids"]:
                raise ValueError("its meta record is missing: the ingest did not finish")
            return dict(json.loads(record["documents"][0])["meta"])
        except (ValueError, TypeError, KeyError) as exc:
            raise IndexCorrupt(
                f"index generation {name} on the Chroma server at {self.address} is damaged "
                f"({exc}); run kb-ingest to rebuild it"
            ) from exc

    def verify(self, name: str, meta: dict[str, Any]) -> None:
        """Cheap check without reading the chunks: the record names a collection that exists."""
        with self._calls():
            try:
                self.http.get_collection(self._lineage_of(name)[0])
            except (NotFound, ValueError) as exc:
                raise IndexCorrupt(
                    f"index generation {name} on the Chroma server at {self.address} is damaged "
                    f"({exc}); run kb-ingest to rebuild it"
                ) from exc

    def load_with_collection(self, name: str | None) -> tuple[Generation, Any, KeywordIndex]:
        """A generation, its Chroma collection ready to query, and its keyword index."""
        generation, collection, terms = self._load(name, vectors=False)
        stored = partial(keyword_index, generation.chunks, terms)
        keyword = keyword_index_for(generation.meta, generation.chunks, stored)
        return generation, collection, keyword

    def write(
        self, chunks: list[Chunk], vectors: np.ndarray, meta: dict[str, Any], keyword: KeywordIndex
    ) -> str:
        """A new lineage holding a complete generation; nothing points at it yet. `keyword`'s
        term counts go into the rows: readers rebuild the keyword index from them."""
        name = new_generation_name()
        with self._calls():
            self._lease.check()
            client = self._connect()
            collection = client.create_collection(
                LINEAGE_PREFIX + name,
                embedding_function=None,
                configuration={"hnsw": HNSW},
            )
            try:
                batch = client.get_max_batch_size()
                terms = [keyword.row_counts(i) for i in range(len(chunks))]
                order = add_rows(collection, chunks, vectors, 0, batch, terms)
                self._write_record(name, meta, order, collection.name, 0)
            except BaseException:
                self._forget_quietly(LINEAGE_PREFIX + name)
                raise
        return name

    def read_rows(self, name: str, sources: list[str]) -> list[Chunk]:
        """The stored chunks of these files in generation `name` (one request)."""
        from chromadb.errors import NotFoundError

        with self._calls():
            try:
                collection, seq = self._collection_of(name)
            except (NotFoundError, ValueError) as exc:
                raise IndexCorrupt(f"index generation {name} is damaged ({exc})") from exc
            if seq is None:  # written before lineages: the full sync rewrites it once
                raise IndexCorrupt(f"index generation {name} has no lineage")
            got = rows_of_sources(collection, seq, sources, ["documents", "metadatas"])
        return [row_chunk(t, m) for t, m in zip(got["documents"], got["metadatas"], strict=True)]

    def stored_vectors(self, name: str, hashes: set[str]) -> dict[str, Any]:
        """Vectors of generation `name` for these content hashes (renamed and moved text)."""
        import numpy as np

        if not hashes:
            return {}
        with self._calls():
            collection, seq = self._collection_of(name)
            got = collection.get(
                where={"$and": [*member_of(seq)["$and"], {"hash": {"$in": sorted(hashes)}}]},
                include=["metadatas", "embeddings"],
            )
        return {
            m["hash"]: np.asarray(v, dtype=np.float32)
            for m, v in zip(got["metadatas"], got["embeddings"], strict=True)
        }

    def write_delta(
        self,
        previous: str,
        touched: list[str],
        chunks: list[Chunk],
        vectors: np.ndarray,
        meta: dict[str, Any],
    ) -> str:
        """The next generation of `previous`'s lineage: the touched files' rows replaced by
        `chunks`; every other row stays where it is. Nothing points at it yet."""
        from ingest.keyword import term_counts

        name = new_generation_name()
        terms = [term_counts(c.embed_text) for c in chunks]
        with self._calls():
            self._lease.check()
            collection, seq = self._collection_of(previous)
            order = self._order(previous)
            batch = self._connect().get_max_batch_size()
            forget_crashed(collection, seq)
            dropped = rows_of_sources(collection, seq, touched, ["metadatas"])
            retire(collection, dropped, seq + 1, batch)
            added = add_rows(collection, chunks, vectors, seq + 1, batch, terms)
            gone = set(dropped["ids"])
            order = [row for row in order if row not in gone] + added
            self._write_record(name, meta, order, collection.name, seq + 1)
        return name

    def publish(self, name: str) -> None:
        """Point every reader at `name`: one record upsert, atomic on the server."""
        with self._calls():
            self._lease.check()
            self._meta_collection(create=True).upsert(
                ids=[POINTER_ID], embeddings=[DUMMY], metadatas=[{"generation": name}]
            )

    def prune(self, keep_previous: str | None) -> list[str]:
        """Drop generations other than the current and the previous one: their records, the
        rows only they held, and collections no kept generation uses (or half-built ones)."""
        keep = {self.current_name(), keep_previous}
        removed = []
        with self._calls():
            client = self._connect()
            meta = self._meta_collection(create=False)
            kept: dict[str, list[int]] = {}  # collection -> seqs of kept generations
            if meta is not None:
                got = meta.get(where={"kind": "generation"}, include=["metadatas"])
                stale = []
                for record, fields in zip(got["ids"], got["metadatas"], strict=True):
                    fields = fields or {}
                    generation = fields.get("generation")
                    if generation in keep:
                        where = fields.get("lineage") or GENERATION_PREFIX + str(generation)
                        kept.setdefault(where, []).append(int(fields.get("seq", 0)))
                    else:
                        stale.append(record)
                        removed.append(str(generation))
                if stale:  # the record first: the generation stops counting as complete
                    meta.delete(ids=stale)
            for collection in client.list_collections():
                name = collection.name
                if not name.startswith((GENERATION_PREFIX, LINEAGE_PREFIX)):
                    continue
                if name not in kept:
                    client.delete_collection(name)
                elif name.startswith(LINEAGE_PREFIX):
                    drop_unseen(client.get_collection(name), min(kept[name]), max(kept[name]))
        return sorted(removed)

    # -- internals ------------------------------------------------------------------------------

    def _load(self, name: str | None, vectors: bool) -> tuple[Generation, Any, list[str | None]]:
        """Over plain HTTP: a reader never imports chromadb."""
        name = name or self.current_name()
        if name is None:
            raise self._not_built()
        with self._calls():
            try:
                record = self._meta_records([RECORD_PREFIX + name], ["documents", "metadatas"])
                if not record["ids"]:
                    raise ValueError("its meta record is missing: the ingest did not finish")
                body = json.loads(record["documents"][0])
                meta, order = body["meta"], list(body["order"])
                where, seq = self._lineage_of(name, record["metadatas"][0])
                collection: Any = self.http.get_collection(where)
                chunks, matrix, terms = read_by_id(
                    collection, order, vectors, meta, self._batch_size()
                )
                if meta.get("format") not in REUSABLE_FORMATS or meta.get("chunks") != len(chunks):
                    raise ValueError("its meta record does not match the chunks")
                if seq is not None:  # what queries see: the rows tagged with this generation
                    collection = GenerationView(collection, seq, lambda: self._still_there(name))
                if collection.count() != len(chunks):
                    raise ValueError("the collection holds records the meta record does not list")
            except (NotFound, ValueError, TypeError, KeyError) as exc:
                raise IndexCorrupt(
                    f"index generation {name} on the Chroma server at {self.address} is damaged "
                    f"({exc}); run kb-ingest to rebuild it"
                ) from exc
        return Generation(name, meta, chunks, matrix), collection, terms

    def _collection_of(self, name: str) -> tuple[Any, Any]:
        """For writers: a generation's chromadb collection and its seq in the lineage."""
        where, seq = self._lineage_of(name)
        return self._connect().get_collection(where, embedding_function=None), seq

    def _lineage_of(self, name: str, fields: dict[str, Any] | None = None) -> tuple[str, Any]:
        """The collection holding a generation's rows, and its seq there (None: pre-lineage)."""
        if fields is None:
            got = self._meta_records([RECORD_PREFIX + name], ["metadatas"])
            if not got["ids"]:
                raise ValueError("its meta record is missing: the ingest did not finish")
            fields = got["metadatas"][0] or {}
        lineage = fields.get("lineage")
        return lineage or GENERATION_PREFIX + name, (int(fields["seq"]) if lineage else None)

    def _batch_size(self) -> int:
        """The most records the server takes in one request."""
        return int(self.http.request("GET", "/api/v2/pre-flight-checks")["max_batch_size"])

    def _order(self, name: str) -> list[str]:
        got = self._meta_collection(create=False).get(
            ids=[RECORD_PREFIX + name], include=["documents"]
        )
        return list(json.loads(got["documents"][0])["order"])

    def _write_record(
        self, name: str, meta: dict[str, Any], order: list[str], lineage: str, seq: int
    ) -> None:
        """The generation's record, written last: without it a generation is incomplete."""
        meta = {**meta, "format": FORMAT_VERSION, "chunks": len(order), "generation": name}
        body = json.dumps({"meta": meta, "order": order}, ensure_ascii=False)
        self._meta_collection(create=True).upsert(
            ids=[RECORD_PREFIX + name],
            embeddings=[DUMMY],
            documents=[body],
            metadatas=[{"kind": "generation", "generation": name, "lineage": lineage, "seq": seq}],
        )

    def _still_there(self, name: str) -> None:
        """For a reader's query: NotFound once the generation has been pruned."""
        with self._calls():
            if not self._meta_records([RECORD_PREFIX + name], [])["ids"]:
                raise NotFound(f"index generation {name} was pruned")

    def _not_built(self) -> IndexNotBuilt:
        return IndexNotBuilt(
            f"no index on the Chroma server at {self.address}: run kb-ingest first"
        )

    def _forget_quietly(self, collection: str) -> None:
        """Best effort after a failed write: prune() removes whatever is left anyway."""
        import httpx
        from chromadb.errors import ChromaError

        try:
            self._connect().delete_collection(collection)
        except (ChromaError, httpx.TransportError, StoreUnavailable):
            pass
