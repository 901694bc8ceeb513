"""A generation's Chroma folder, written without importing chromadb.

`import chromadb` costs about 0.7 s of CPU (it validates every `@override` signature and loads
OpenTelemetry's gRPC exporter), more than filling the collection of `kb/` and about a third of a
one-file edit. Its PersistentClient is a thin layer over chromadb's Rust engine
(`chromadb_rust_bindings`, a module of the chromadb wheel that imports in ~0.02 s): a full
ingest makes the engine calls that chromadb 1.5's RustBindingsAPI makes for
`PersistentClient(path, settings)`, `create_collection(...)` and `collection.add(...)`, and an
edit those for `get_collection(...)`, `collection.delete(ids=...)` and `collection.upsert(...)`,
with the same settings, so the folder holds the same rows, configuration and HNSW index
(tests/test_chroma_folder.py opens folders written both ways with chromadb and compares them).
Should a chromadb release change those calls, the folder is written through chromadb itself.
Readers and server mode use chromadb.
"""

from __future__ import annotations

import json
import resource
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from ingest.chunk import Chunk

# chromadb's defaults for a PersistentClient (chromadb.config.Settings).
TENANT = "default_tenant"
DATABASE = "default_database"
# What an engine call raises when chromadb's engine is missing or its calls changed.
ENGINE_CHANGED = (ImportError, AttributeError, TypeError)


def write_collection(folder: Path, chunks: list[Chunk], vectors: np.ndarray) -> None:
    """Create `folder` as a Chroma store holding store.COLLECTION (cosine HNSW, no embedding
    function, no documents: local readers take the text from chunks.jsonl) with a row per
    chunk: its id, vector and store.chunk_metadata."""
    try:
        _write_with_engine(folder, chunks, vectors)
    except ENGINE_CHANGED:  # another chromadb: let it write the folder
        shutil.rmtree(folder, ignore_errors=True)
        _write_with_client(folder, chunks, vectors)


def update_collection(
    folder: Path, stale: list[str], chunks: list[Chunk], vectors: np.ndarray
) -> None:
    """In `folder`, a copy of the previous generation's Chroma store: delete the `stale` ids,
    then upsert a row per chunk. Both are idempotent, so should the engine's calls have
    changed part-way, chromadb simply does them again."""
    try:
        _update_with_engine(folder, stale, chunks, vectors)
    except ENGINE_CHANGED:
        _update_with_client(folder, stale, chunks, vectors)


def configuration_json(hnsw: dict[str, Any]) -> str:
    """The collection configuration chromadb hands its engine for `configuration={"hnsw":
    hnsw}` and `embedding_function=None`."""
    return json.dumps({"hnsw": hnsw, "spann": None, "embedding_function": {"type": "legacy"}})


@contextmanager
def _engine(folder: Path) -> Iterator[Any]:
    """chromadb's engine on `folder`, set up as `PersistentClient(path, chroma_settings())`
    sets it up; closed (its files written) on leaving, as by `client.close()`."""
    import chromadb_rust_bindings as engine

    sqlite = engine.SqliteDBConfig(
        hash_type=engine.MigrationHash.MD5,  # Settings.migrations_hash_algorithm
        migration_mode=engine.MigrationMode.Apply,  # Settings.migrations
        url=str(folder / "chroma.sqlite3"),
    )
    bindings = engine.Bindings(
        allow_reset=False,
        sqlite_db_config=sqlite,
        persist_path=str(folder),
        # As RustBindingsAPI sizes it: each open HNSW index holds five files.
        hnsw_cache_size=resource.getrlimit(resource.RLIMIT_NOFILE)[0] // 5,
    )
    try:
        yield bindings
    finally:
        del bindings


def _rows(
    chunks: list[Chunk], vectors: np.ndarray, batch: int
) -> Iterator[tuple[list, list, list]]:
    """Ids, vectors (one array per row, as chromadb passes them) and metadata, in batches."""
    from ingest.store import chunk_metadata

    for start in range(0, len(chunks), batch):
        part = chunks[start : start + batch]
        yield (
            [c.id for c in part],
            list(vectors[start : start + batch]),
            [chunk_metadata(c) for c in part],
        )


def _write_with_engine(folder: Path, chunks: list[Chunk], vectors: np.ndarray) -> None:
    from ingest.store import COLLECTION, HNSW

    folder.mkdir(parents=True, exist_ok=True)
    with _engine(folder) as bindings:
        collection = bindings.create_collection(
            COLLECTION, configuration_json(HNSW), None, None, False, TENANT, DATABASE
        )
        for ids, rows, metadatas in _rows(chunks, vectors, bindings.get_max_batch_size()):
            bindings.add(ids, str(collection.id), rows, metadatas, None, None, TENANT, DATABASE)


def _update_with_engine(
    folder: Path, stale: list[str], chunks: list[Chunk], vectors: np.ndarray
) -> None:
    from ingest.store import COLLECTION

    with _engine(folder) as bindings:
        collection = str(bindings.get_collection(COLLECTION, TENANT, DATABASE).id)
        batch = bindings.get_max_batch_size()
        for start in range(0, len(stale), batch):
            bindings.delete(
                collection, stale[start : start + batch], None, None, None, TENANT, DATABASE
            )
        for ids, rows, metadatas in _rows(chunks, vectors, batch):
            bindings.upsert(collection, ids, rows, metadatas, None, None, TENANT, DATABASE)


def _write_with_client(folder: Path, chunks: list[Chunk], vectors: np.ndarray) -> None:
    import chromadb

    from ingest.store import COLLECTION, HNSW, chroma_settings, fill_collection

    client = chromadb.PersistentClient(path=str(folder), settings=chroma_settings())
    try:
        collection = client.create_collection(
            COLLECTION,
            embedding_function=None,
            configuration={"hnsw": HNSW},  # type: ignore[arg-type]  # HNSW: the same keys
        )
        fill_collection(collection, chunks, vectors, client.get_max_batch_size(), documents=False)
    finally:
        client.close()  # type: ignore[attr-defined]  # chromadb 1.5 has it, untyped


def _update_with_client(
    folder: Path, stale: list[str], chunks: list[Chunk], vectors: np.ndarray
) -> None:
    import chromadb

    from ingest.store import COLLECTION, chroma_settings, fill_collection

    client = chromadb.PersistentClient(path=str(folder), settings=chroma_settings())
    try:
        collection = client.get_collection(COLLECTION)
        batch = client.get_max_batch_size()
        for start in range(0, len(stale), batch):
            collection.delete(ids=stale[start : start + batch])
        fill_collection(collection, chunks, vectors, batch, documents=False, upsert=True)
    finally:
        client.close()  # type: ignore[attr-defined]  # chromadb 1.5 has it, untyped
