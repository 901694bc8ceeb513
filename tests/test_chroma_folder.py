"""A generation's Chroma folder written through chromadb's engine is the folder chromadb writes."""

from __future__ import annotations

import json
import subprocess
import sys

import chromadb
import numpy as np
from conftest import MODEL_CACHE, ROOT

from ingest.chroma_folder import _write_with_client, write_collection
from ingest.chunk import chunk_markdown
from ingest.load import load_folder
from ingest.store import (
    COLLECTION,
    EF_SEARCH,
    LocalIndex,
    chroma_settings,
    chunk_metadata,
    fill_collection,
)


def rows(settings, embedder):
    documents = load_folder(settings.kb_dir, 10**6).documents
    chunks = [c for d in documents for c in chunk_markdown(d.text, d.source)]
    return chunks, embedder.embed([c.embed_text for c in chunks])


def written_by_chromadb(folder, chunks, vectors) -> None:
    client = chromadb.PersistentClient(path=str(folder), settings=chroma_settings())
    collection = client.create_collection(
        COLLECTION,
        embedding_function=None,
        configuration={"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}},
    )
    fill_collection(collection, chunks, vectors, client.get_max_batch_size(), documents=False)
    client.close()


def as_read_by_chromadb(folder, queries: np.ndarray) -> dict:
    client = chromadb.PersistentClient(path=str(folder), settings=chroma_settings())
    try:
        collection = client.get_collection(COLLECTION)
        got = collection.get(include=["metadatas", "embeddings"])
        found = collection.query(query_embeddings=queries, n_results=5, include=["distances"])
        return {
            "count": collection.count(),
            "configuration": collection.configuration_json,
            "rows": sorted(
                (i, json.dumps(m, sort_keys=True), e.tobytes())
                for i, m, e in zip(got["ids"], got["metadatas"], got["embeddings"], strict=True)
            ),
            "nearest": found["ids"],
            "distances": np.asarray(found["distances"]).round(6).tolist(),
        }
    finally:
        client.close()


def test_engine_writes_what_chromadb_writes(settings, embedder, tmp_path) -> None:
    chunks, vectors = rows(settings, embedder)
    write_collection(tmp_path / "ours", chunks, vectors)
    written_by_chromadb(tmp_path / "chromadb", chunks, vectors)
    _write_with_client(tmp_path / "fallback", chunks, vectors)
    queries = embedder.embed(["what should a test mock?", "how are errors logged?"])
    ours = as_read_by_chromadb(tmp_path / "ours", queries)
    assert ours["count"] == len(chunks) > 5
    assert ours["configuration"]["hnsw"]["space"] == "cosine"
    assert ours["configuration"]["hnsw"]["ef_search"] == EF_SEARCH
    stored = sorted(row[1] for row in ours["rows"])
    assert stored == sorted(json.dumps(chunk_metadata(c), sort_keys=True) for c in chunks)
    assert ours == as_read_by_chromadb(tmp_path / "chromadb", queries)
    assert as_read_by_chromadb(tmp_path / "fallback", queries) == ours


def test_a_full_ingest_does_not_import_chromadb(settings) -> None:
    """The ~0.7 s `import chromadb` costs is not spent, and the index it writes opens."""
    code = (
        "import sys; from pathlib import Path; from ingest.config import Settings; "
        "from ingest.sync import sync; "
        f"sync(Settings(kb_dir=Path({str(settings.kb_dir)!r}), "
        f"data_dir=Path({str(settings.data_dir)!r}), model_dir=Path({str(MODEL_CACHE)!r}))); "
        "print('chromadb' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.stdout.strip() == "False", result.stderr
    index = LocalIndex(settings.index_dir)
    folder = index.root / str(index.current_name()) / "chroma"
    assert as_read_by_chromadb(folder, np.zeros((1, 384)))["count"] == len(index.load().chunks)
