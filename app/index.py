"""The read side of the index: open the published generation, follow the pointer when it moves."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ingest.chunk import Chunk
from ingest.config import Settings
from ingest.errors import IndexCorrupt
from ingest.keyword import build_bm25, load_bm25
from ingest.store import COLLECTION, LocalIndex, chroma_settings

if TYPE_CHECKING:
    from ingest.bm25 import KeywordIndex


@dataclass
class OpenGeneration:
    """Everything a query needs from one generation, loaded once."""

    name: str
    meta: dict[str, Any]
    chunks: list[Chunk]
    bm25: KeywordIndex
    collection: Any  # chromadb Collection
    client: Any = field(default=None, repr=False)
    position: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.position = {c.id: i for i, c in enumerate(self.chunks)}

    def close(self) -> None:
        if self.client is not None and hasattr(self.client, "close"):
            self.client.close()


class IndexReader:
    """Holds the current generation open and swaps to a new one between queries."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._open: OpenGeneration | None = None
        self._previous: OpenGeneration | None = None
        if settings.chroma_host:
            from ingest.server_store import ServerIndex

            self._store: Any = ServerIndex(settings.chroma_host, settings.chroma_port)
        else:
            self._store = LocalIndex(settings.index_dir)

    def current(self) -> OpenGeneration:
        """The published generation, reopened if the pointer moved since the last call."""
        name = self._store.current_name()
        with self._lock:
            if self._open is None or self._open.name != name:
                fresh = self._load(name)
                # Close the one before the previous: a query may still be using the previous.
                if self._previous is not None:
                    self._previous.close()
                self._previous, self._open = self._open, fresh
            return self._open

    def _load(self, name: str | None) -> OpenGeneration:
        if self.settings.chroma_host:
            generation, collection = self._store.load_with_collection(name)
            bm25 = build_bm25([c.embed_text for c in generation.chunks])
            # client=None: the collection shares the ServerIndex's one HTTP client.
            return OpenGeneration(
                generation.name, generation.meta, generation.chunks, bm25, collection
            )
        import chromadb

        generation = self._store.load(name)
        folder = self._store.root / generation.name
        try:
            bm25 = load_bm25(folder / "bm25")
            client = chromadb.PersistentClient(
                path=str(folder / "chroma"), settings=chroma_settings()
            )
            collection = client.get_collection(COLLECTION)
            if collection.count() != len(generation.chunks):
                raise ValueError("the Chroma collection and chunks.jsonl disagree")
        except Exception as exc:  # chromadb and bm25s raise many types for damaged files
            raise IndexCorrupt(
                f"index generation {folder} is damaged ({exc}); run kb-ingest to rebuild it"
            ) from exc
        return OpenGeneration(
            generation.name, generation.meta, generation.chunks, bm25, collection, client
        )
