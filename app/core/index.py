"""The read side of the index: open the published generation, follow the pointer when it moves."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ingest.chunk import Chunk
from ingest.config import Settings
from ingest.errors import IndexCorrupt
from ingest.keyword import keyword_index_for, load_bm25
from ingest.store import COLLECTION, LocalIndex, chroma_settings

if TYPE_CHECKING:
    import numpy as np

    from ingest.bm25 import KeywordIndex


@dataclass
class OpenGeneration:
    """Everything a query needs from one generation, loaded once."""

    name: str
    meta: dict[str, Any]
    chunks: list[Chunk]
    bm25: KeywordIndex
    collection: Any  # chromadb Collection; in server mode a GenerationView over plain HTTP
    client: Any = field(default=None, repr=False)
    # The generation's vectors (vectors.npy, in memory), row i for chunk i: dense search
    # scores them all exactly. None in server mode, where the collection is queried instead.
    vectors: np.ndarray | None = field(default=None, repr=False)
    position: dict[str, int] = field(default_factory=dict)
    users: int = field(default=0, repr=False)  # questions pinned to it (see IndexReader.pinned)
    retired: bool = field(default=False, repr=False)  # no longer current: close at 0 users
    _documents: dict[str, list[Chunk]] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.position = {c.id: i for i, c in enumerate(self.chunks)}

    def document(self, source: str) -> list[Chunk]:
        """One document's chunks in file order (grouped once, when first asked for)."""
        documents = self._documents
        if documents is None:
            documents = {}
            for chunk in self.chunks:
                documents.setdefault(chunk.source, []).append(chunk)
            for own in documents.values():
                own.sort(key=lambda c: c.start_line)
            self._documents = documents
        return documents.get(source, [])

    def close(self) -> None:
        if self.client is not None and hasattr(self.client, "close"):
            self.client.close()


class IndexReader:
    """Holds the current generation open and swaps to a new one between queries.

    A question pins one generation for all it reads (`pinned()`); a generation replaced
    meanwhile stays open until its last question ends, then its client is closed.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._open: OpenGeneration | None = None
        self._pinned = threading.local()  # per thread: the generation its call is using
        if settings.chroma_host:
            from ingest.server_store import ServerIndex

            self._store: Any = ServerIndex(settings.chroma_host, settings.chroma_port)
        else:
            self._store = LocalIndex(settings.index_dir)

    def current(self) -> OpenGeneration:
        """The published generation, reopened if the pointer moved since the last call.

        For its chunks and meta; a query of its collection must hold `pinned()` instead.
        Inside a `pinned()` block it is that block's generation.
        """
        outer = getattr(self._pinned, "generation", None)
        if outer is not None:
            return outer
        with self._lock:
            return self._follow_pointer()

    @contextmanager
    def pinned(self) -> Iterator[OpenGeneration]:
        """The published generation, kept open for the whole block whatever ingests publish.

        Blocks nest: within one, this thread keeps that generation, so a call that searches
        several times (one search per aspect of a task) never mixes two generations.
        """
        outer = getattr(self._pinned, "generation", None)
        if outer is not None:
            yield outer
            return
        with self._lock:
            generation = self._follow_pointer()
            generation.users += 1
        self._pinned.generation = generation
        try:
            yield generation
        finally:
            self._pinned.generation = None
            with self._lock:
                generation.users -= 1
                if generation.retired and generation.users == 0:
                    generation.close()

    def _follow_pointer(self) -> OpenGeneration:
        """Under the lock: two threads never disagree on which generation is newest."""
        name = self._store.current_name()
        if self._open is None or self._open.name != name:
            fresh = self._load(name)
            old, self._open = self._open, fresh
            if old is not None:
                old.retired = True
                if old.users == 0:
                    old.close()
        return self._open

    def _load(self, name: str | None) -> OpenGeneration:
        if self.settings.chroma_host:
            generation, collection, bm25 = self._store.load_with_collection(name)
            # client=None: the collection speaks plain HTTP (chroma_http.py), nothing to close.
            return OpenGeneration(
                generation.name, generation.meta, generation.chunks, bm25, collection
            )
        import chromadb
        import numpy as np

        generation = self._store.load(name)
        folder = self._store.root / generation.name
        client = None
        try:
            bm25 = keyword_index_for(
                generation.meta, generation.chunks, lambda: load_bm25(folder / "bm25")
            )
            client = chromadb.PersistentClient(
                path=str(folder / "chroma"), settings=chroma_settings()
            )
            collection = client.get_collection(COLLECTION)
            if collection.count() != len(generation.chunks):
                raise ValueError("the Chroma collection and chunks.jsonl disagree")
            # Read, not memory-mapped: a mapped file stays open until the array is collected,
            # and a replaced generation must hold no file open after its last question.
            vectors = np.load(folder / "vectors.npy")
            if vectors.shape[0] != len(generation.chunks):
                raise ValueError("vectors.npy and chunks.jsonl disagree")
        except Exception as exc:  # chromadb and bm25s raise many types for damaged files
            if client is not None:  # every question retries: do not leak a client each time
                client.close()  # type: ignore[attr-defined]  # chromadb 1.5 has it, untyped
            raise IndexCorrupt(
                f"index generation {folder} is damaged ({exc}); run kb-ingest to rebuild it"
            ) from exc
        return OpenGeneration(
            generation.name, generation.meta, generation.chunks, bm25, collection, client, vectors
        )
