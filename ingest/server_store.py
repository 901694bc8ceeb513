"""Index generations in a Chroma server, shared by every app replica pointed at it.

The same contract as LocalIndex (store.py), with collections instead of folders. In the
server's default database:
  kb_meta              bookkeeping records (Chroma wants a vector per record: a 1-dim dummy)
    "current"            metadata {"generation": name}: the pointer, replaced by one upsert
    "generation:<name>"  document JSON {"meta": {...}, "order": [chunk ids]}; written last,
                         so a generation without it is incomplete
  kbgen_<name>         one collection per generation (cosine): chunk text, metadata, vector
  kb_ingest_lease      exists only while an ingest runs; metadata: holder and expiry
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ingest.chunk import Chunk
from ingest.errors import IndexCorrupt, IndexNotBuilt, IngestLocked, StoreUnavailable
from ingest.store import (
    FORMAT_VERSION,
    REUSABLE_FORMATS,
    Generation,
    chroma_settings,
    fill_collection,
    new_generation_name,
)

if TYPE_CHECKING:
    import numpy as np

META_COLLECTION = "kb_meta"
GENERATION_PREFIX = "kbgen_"
LEASE_COLLECTION = "kb_ingest_lease"
POINTER_ID = "current"
RECORD_PREFIX = "generation:"
LEASE_SECONDS = 120.0  # renewed every quarter of this while the ingest runs
DUMMY = [1.0]  # the vector of every kb_meta record; never queried
CHUNK_FIELDS = ("source", "title", "heading_path", "anchor", "start_line", "end_line", "hash")


@dataclass(frozen=True)
class _Lease:
    holder: str
    collection: Any  # our own lease collection; modify() on it addresses it by id


class ServerIndex:
    """Generations of the index as collections in one Chroma server, for many machines."""

    def __init__(self, host: str, port: int, lease_seconds: float = LEASE_SECONDS) -> None:
        self.host = host
        self.port = port
        self.lease_seconds = lease_seconds
        self._client: Any = None
        self._meta: Any = None
        self._lease: _Lease | None = None
        self._connecting = threading.Lock()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    # -- the Index protocol (see ingest.sync.Index) ------------------------------------------

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Held for the whole ingest: a second writer anywhere fails fast with IngestLocked."""
        lease = self._acquire()
        stop = threading.Event()
        keeper = threading.Thread(
            target=self._keep_alive, args=(lease, stop), name="kb-ingest-lease", daemon=True
        )
        keeper.start()
        try:
            yield
        finally:
            stop.set()
            keeper.join(timeout=10)
            self._release(lease)

    def current_name(self) -> str | None:
        """One small request, cheap enough to make before every query."""
        with self._calls():
            meta = self._meta_collection(create=False)
            if meta is None:
                return None
            got = self._retrying_meta(lambda m: m.get(ids=[POINTER_ID], include=["metadatas"]))
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
            meta_collection = self._meta_collection(create=False)
            record = (
                meta_collection.get(ids=[RECORD_PREFIX + name], include=["documents"])
                if meta_collection is not None
                else {"ids": []}
            )
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
        """Cheap check without reading the chunks: the collection exists with every row."""
        from chromadb.errors import NotFoundError

        with self._calls():
            try:
                collection = self._connect().get_collection(
                    GENERATION_PREFIX + name, embedding_function=None
                )
                if collection.count() != meta.get("chunks"):
                    raise ValueError("the collection does not hold the rows its record lists")
            except (NotFoundError, ValueError) as exc:
                raise IndexCorrupt(
                    f"index generation {name} on the Chroma server at {self.address} is damaged "
                    f"({exc}); run kb-ingest to rebuild it"
                ) from exc

    def load_with_collection(self, name: str | None) -> tuple[Generation, Any]:
        """A generation and its Chroma collection, ready to query."""
        return self._load(name, vectors=False)

    def write(self, chunks: list[Chunk], vectors: np.ndarray, meta: dict[str, Any]) -> str:
        """Build a complete new generation collection; nothing points at it yet."""
        name = new_generation_name()
        with self._calls():
            self._check_lease()
            client = self._connect()
            collection = client.create_collection(
                GENERATION_PREFIX + name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
            )
            try:
                fill_collection(collection, chunks, vectors, client.get_max_batch_size())
                meta = {**meta, "format": FORMAT_VERSION, "chunks": len(chunks), "generation": name}
                body = json.dumps(
                    {"meta": meta, "order": [c.id for c in chunks]}, ensure_ascii=False
                )
                self._meta_collection(create=True).upsert(
                    ids=[RECORD_PREFIX + name],
                    embeddings=[DUMMY],
                    documents=[body],
                    metadatas=[{"kind": "generation", "generation": name}],
                )
            except BaseException:
                self._forget_quietly(name)
                raise
        return name

    def publish(self, name: str) -> None:
        """Point every reader at `name`: one record upsert, atomic on the server."""
        with self._calls():
            self._check_lease()
            self._meta_collection(create=True).upsert(
                ids=[POINTER_ID], embeddings=[DUMMY], metadatas=[{"generation": name}]
            )

    def prune(self, keep_previous: str | None) -> list[str]:
        """Drop generations other than the current and the previous one (and half-built ones)."""
        keep = {self.current_name(), keep_previous}
        removed = []
        with self._calls():
            client = self._connect()
            meta = self._meta_collection(create=False)
            if meta is not None:
                got = meta.get(where={"kind": "generation"}, include=["metadatas"])
                stale = [
                    record
                    for record, fields in zip(got["ids"], got["metadatas"], strict=True)
                    if (fields or {}).get("generation") not in keep
                ]
                if stale:  # the record first: the generation stops counting as complete
                    meta.delete(ids=stale)
            for collection in client.list_collections():
                generation = collection.name.removeprefix(GENERATION_PREFIX)
                if collection.name.startswith(GENERATION_PREFIX) and generation not in keep:
                    client.delete_collection(collection.name)
                    removed.append(generation)
        return sorted(removed)

    # -- the read side (app.index.IndexReader) ------------------------------------------------

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = self._meta = None

    # -- internals ------------------------------------------------------------------------------

    def _load(self, name: str | None, vectors: bool) -> tuple[Generation, Any]:
        from chromadb.errors import NotFoundError

        name = name or self.current_name()
        if name is None:
            raise self._not_built()
        with self._calls():
            try:
                meta_collection = self._meta_collection(create=False)
                if meta_collection is None:
                    raise ValueError(f"collection {META_COLLECTION} is missing")
                record = meta_collection.get(ids=[RECORD_PREFIX + name], include=["documents"])
                if not record["ids"]:
                    raise ValueError("its meta record is missing: the ingest did not finish")
                body = json.loads(record["documents"][0])
                meta, order = body["meta"], list(body["order"])
                collection = self._connect().get_collection(
                    GENERATION_PREFIX + name, embedding_function=None
                )
                chunks, matrix = self._read_chunks(collection, order, vectors, meta)
                if meta.get("format") not in REUSABLE_FORMATS or meta.get("chunks") != len(chunks):
                    raise ValueError("its meta record does not match the chunks")
                if collection.count() != len(chunks):
                    raise ValueError("the collection holds records the meta record does not list")
            except (NotFoundError, ValueError, TypeError, KeyError) as exc:
                raise IndexCorrupt(
                    f"index generation {name} on the Chroma server at {self.address} is damaged "
                    f"({exc}); run kb-ingest to rebuild it"
                ) from exc
        return Generation(name, meta, chunks, matrix), collection

    def _read_chunks(
        self, collection: Any, order: list[str], vectors: bool, meta: dict[str, Any]
    ) -> tuple[list[Chunk], np.ndarray | None]:
        import numpy as np

        include = ["documents", "metadatas"] + (["embeddings"] if vectors else [])
        rows: dict[str, tuple[str, dict[str, Any], Any]] = {}
        batch = self._connect().get_max_batch_size()
        for start in range(0, len(order), batch):
            got = collection.get(ids=order[start : start + batch], include=include)
            for i, record in enumerate(got["ids"]):
                vector = got["embeddings"][i] if vectors else None
                rows[record] = (got["documents"][i], got["metadatas"][i], vector)
        missing = [record for record in order if record not in rows]
        if missing:
            raise ValueError(f"{len(missing)} chunks are missing from the collection")
        chunks = []
        for record in order:
            text, fields, _ = rows[record]
            includes = json.loads(fields.get("includes") or "{}")  # resolved snippet includes
            chunks.append(
                Chunk(
                    id=record,
                    text=text,
                    includes=includes,
                    **{k: fields[k] for k in CHUNK_FIELDS},
                )
            )
        matrix = None
        if vectors:
            dimension = int(meta.get("dimension", 384))
            matrix = (
                np.asarray([rows[record][2] for record in order], dtype=np.float32)
                if order
                else np.zeros((0, dimension), dtype=np.float32)
            )
        return chunks, matrix

    def _connect(self) -> Any:
        """The one HTTP client of this index, made on first use (so constructing is free)."""
        with self._connecting:
            if self._client is None:
                import chromadb
                import httpx

                try:
                    self._client = chromadb.HttpClient(
                        host=self.host, port=self.port, settings=chroma_settings()
                    )
                except (ValueError, httpx.TransportError) as exc:
                    # chromadb reports a refused connection as ValueError("Could not connect…")
                    raise self._unavailable(exc) from None
            return self._client

    def _meta_collection(self, create: bool) -> Any:
        """kb_meta; None when it does not exist yet and `create` is false (readers never create)."""
        if self._meta is None:
            from chromadb.errors import NotFoundError

            client = self._connect()
            if create:
                self._meta = client.get_or_create_collection(
                    META_COLLECTION, embedding_function=None
                )
            else:
                try:
                    self._meta = client.get_collection(META_COLLECTION, embedding_function=None)
                except NotFoundError:
                    return None
        return self._meta

    def _retrying_meta(self, request):
        """Run `request(kb_meta)`, once more if kb_meta was recreated since we cached it."""
        from chromadb.errors import NotFoundError

        try:
            return request(self._meta_collection(create=False))
        except NotFoundError:
            self._meta = None
            meta = self._meta_collection(create=False)
            if meta is None:
                return {"ids": [], "metadatas": []}
            return request(meta)

    @contextmanager
    def _calls(self) -> Iterator[None]:
        """Turn a lost or refused connection into StoreUnavailable."""
        import httpx

        try:
            yield
        except httpx.TransportError as exc:
            raise self._unavailable(exc) from None

    def _unavailable(self, exc: BaseException) -> StoreUnavailable:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return StoreUnavailable(
            f"cannot reach the Chroma server at {self.address} (KB_CHROMA_HOST/KB_CHROMA_PORT): "
            f"{reason}; start it with `chroma run --path DIR --port {self.port}` "
            "or unset KB_CHROMA_HOST to use the local index"
        )

    def _not_built(self) -> IndexNotBuilt:
        return IndexNotBuilt(
            f"no index on the Chroma server at {self.address}: run kb-ingest first"
        )

    def _forget_quietly(self, name: str) -> None:
        """Best effort after a failed write: prune() removes whatever is left anyway."""
        import httpx
        from chromadb.errors import ChromaError

        try:
            self._connect().delete_collection(GENERATION_PREFIX + name)
        except (ChromaError, httpx.TransportError, StoreUnavailable):
            pass

    # -- the lease ------------------------------------------------------------------------------
    #
    # Creating a collection is atomic in Chroma (a second create of the same name fails), so
    # "create kb_ingest_lease" is a real test-and-set: of two ingests starting together exactly
    # one wins. Expiry uses the server's clock (heartbeat()), so machines' clocks never matter.
    # The lease is renewed by a background thread and removed on exit; a crashed ingest's lease
    # simply expires. Taking over an expired lease is delete-then-create, and Chroma has no
    # delete-if-unchanged: two ingests that see the same expired lease in the same few
    # milliseconds can both "win". write() and publish() re-check that the lease is still ours,
    # so the loser stops with IngestLocked unless the takeover lands between that check and the
    # pointer upsert; even then each published generation is complete and the pointer simply
    # ends at the last one. A lease whose holder ran on this machine (same hostname) and whose
    # pid is gone is taken over at once, as the kernel drops a local flock: a killed ingest does
    # not block the next one for the rest of its lease. (Containers sharing a hostname but not
    # a pid namespace would defeat that check; the lease re-check above still applies.)

    def _acquire(self) -> _Lease:
        from chromadb.errors import NotFoundError

        holder = f"{socket.gethostname()} pid {os.getpid()}"
        with self._calls():
            client = self._connect()
            for _ in range(3):
                now = client.heartbeat()
                mine = self._create_lease(client, holder, now)
                if mine is not None:
                    self._lease = _Lease(holder, mine)
                    return self._lease
                try:
                    theirs = client.get_collection(LEASE_COLLECTION, embedding_function=None)
                except NotFoundError:
                    continue  # released between our two requests: try again
                fields = theirs.metadata or {}
                left = (int(fields.get("expires_ns", 0)) - now) / 1e9
                if left > 0 and not _holder_died(fields):
                    raise IngestLocked(
                        f"another kb-ingest ({fields.get('holder', 'unknown')}) is running "
                        f"against the Chroma server at {self.address} (its lease runs "
                        f"{left:.0f} s more unless renewed); try again when it ends"
                    )
                try:  # its holder died without releasing it
                    client.delete_collection(LEASE_COLLECTION)
                except NotFoundError:
                    pass
        raise IngestLocked(
            f"another kb-ingest took the lease on the Chroma server at {self.address} "
            "at the same moment; try again when it ends"
        )

    def _create_lease(self, client: Any, holder: str, now: int) -> Any:
        """Our new lease collection, or None when one exists already."""
        from chromadb.errors import ChromaError, UniqueConstraintError

        try:
            return client.create_collection(
                LEASE_COLLECTION,
                metadata=self._lease_fields(holder, now),
                embedding_function=None,
            )
        except ChromaError as exc:
            # The server reports a duplicate name as a plain ChromaError ("… already exists").
            if isinstance(exc, UniqueConstraintError) or "already exists" in str(exc):
                return None
            raise

    def _lease_fields(self, holder: str, now: int) -> dict[str, Any]:
        return {
            "holder": holder,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "expires_ns": now + int(self.lease_seconds * 1e9),
        }

    def _check_lease(self) -> None:
        """Before writing or publishing: still ours? (Only when this index holds the lease.)"""
        from chromadb.errors import NotFoundError

        if self._lease is None:
            return
        try:
            current = self._connect().get_collection(LEASE_COLLECTION, embedding_function=None)
            ours = current.id == self._lease.collection.id
        except NotFoundError:
            ours = False
        if not ours:
            raise IngestLocked(
                f"this kb-ingest lost its lease on the Chroma server at {self.address} to another "
                "ingest (it was stalled past the lease); nothing was published"
            )

    def _keep_alive(self, lease: _Lease, stop: threading.Event) -> None:
        import httpx
        from chromadb.errors import ChromaError

        while not stop.wait(self.lease_seconds / 4):
            try:
                # modify() addresses our collection by id: it cannot touch another holder's lease.
                now = self._connect().heartbeat()
                lease.collection.modify(metadata=self._lease_fields(lease.holder, now))
            except (ChromaError, httpx.TransportError, StoreUnavailable):
                continue  # the ingest itself sees a lost server; write/publish see a lost lease

    def _release(self, lease: _Lease) -> None:
        import httpx
        from chromadb.errors import ChromaError

        self._lease = None
        try:
            client = self._connect()
            current = client.get_collection(LEASE_COLLECTION, embedding_function=None)
            if current.id == lease.collection.id:
                client.delete_collection(LEASE_COLLECTION)
        except (ChromaError, httpx.TransportError, StoreUnavailable):
            pass  # already gone, or the server is: an unreleased lease expires by itself


def _holder_died(fields: dict[str, Any]) -> bool:
    """A lease taken on this machine by a process that no longer exists (killed, crashed)."""
    if fields.get("host") != socket.gethostname() or not isinstance(fields.get("pid"), int):
        return False
    try:
        os.kill(fields["pid"], 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    return False
