"""A new generation's Chroma folder, written without importing chromadb.

`import chromadb` costs about 0.7 s of CPU (it validates every `@override` signature and loads
OpenTelemetry's gRPC exporter), more than filling the collection of `kb/`. Its
PersistentClient is a thin layer over chromadb's Rust engine (`chromadb_rust_bindings`, a
module of the chromadb wheel that imports in ~0.02 s): a full ingest makes the engine calls that
chromadb 1.5's RustBindingsAPI makes for `PersistentClient(path, settings)`,
`create_collection(...)` and `collection.add(...)`, with the same settings, so the folder holds
the same rows, configuration and HNSW index (tests/test_chroma_folder.py opens one with
chromadb and compares it with one chromadb wrote). Should a chromadb release change those
calls, the folder is written through chromadb itself. Readers, edits (which open the copied
folder) and server mode use chromadb.
"""

from __future__ import annotations

import json
import resource
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from ingest.chunk import Chunk

# chromadb's defaults for a PersistentClient (chromadb.config.Settings).
TENANT = "default_tenant"
DATABASE = "default_database"


def write_collection(folder: Path, chunks: list[Chunk], vectors: np.ndarray) -> None:
    """Create `folder` as a Chroma store holding store.COLLECTION (cosine HNSW, no embedding
    function, no documents: local readers take the text from chunks.jsonl) with a row per
    chunk: its id, vector and store.chunk_metadata."""
    try:
        _write_with_engine(folder, chunks, vectors)
    except (ImportError, AttributeError, TypeError):  # another chromadb: let it write the folder
        shutil.rmtree(folder, ignore_errors=True)
        _write_with_client(folder, chunks, vectors)


def configuration_json(hnsw: dict[str, Any]) -> str:
    """The collection configuration chromadb hands its engine for `configuration={"hnsw":
    hnsw}` and `embedding_function=None`."""
    return json.dumps({"hnsw": hnsw, "spann": None, "embedding_function": {"type": "legacy"}})


def _write_with_engine(folder: Path, chunks: list[Chunk], vectors: np.ndarray) -> None:
    import chromadb_rust_bindings as engine

    from ingest.store import COLLECTION, HNSW, chunk_metadata

    folder.mkdir(parents=True, exist_ok=True)
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
        collection = bindings.create_collection(
            COLLECTION, configuration_json(HNSW), None, None, False, TENANT, DATABASE
        )
        batch = bindings.get_max_batch_size()
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            bindings.add(
                [c.id for c in part],
                str(collection.id),
                list(vectors[start : start + batch]),  # one array per row, as chromadb passes
                [chunk_metadata(c) for c in part],
                None,
                None,
                TENANT,
                DATABASE,
            )
    finally:
        del bindings  # as client.close(): the engine writes and closes its files


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
