"""A generation's Chroma folder written through chromadb's engine is the folder chromadb writes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import chromadb
import numpy as np
from conftest import MODEL_CACHE, ROOT

from ingest.chroma_folder import (
    _update_with_client,
    _write_with_client,
    update_collection,
    write_collection,
)
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


def test_an_edit_through_the_engine_is_the_edit_chromadb_makes(
    settings, embedder, tmp_path
) -> None:
    """Deleted ids are gone, upserted rows carry their new vectors, exactly as through
    chromadb's client."""
    chunks, vectors = rows(settings, embedder)
    write_collection(tmp_path / "previous", chunks, vectors)
    stale, changed = [c.id for c in chunks[:2]], chunks[2:5]
    blend = vectors[2:5] + vectors[5:8]  # other vectors for the same ids, none a copy (ties)
    new_vectors = blend / np.linalg.norm(blend, axis=1, keepdims=True)
    for name, update in (("ours", update_collection), ("chromadb", _update_with_client)):
        shutil.copytree(tmp_path / "previous", tmp_path / name)
        update(tmp_path / name, stale, changed, new_vectors)
    queries = embedder.embed(["what should a test mock?", "how are errors logged?"])
    ours = as_read_by_chromadb(tmp_path / "ours", queries)
    assert ours["count"] == len(chunks) - len(stale)
    vector_of = {row[0]: row[2] for row in ours["rows"]}
    before = {row[0]: row[2] for row in as_read_by_chromadb(tmp_path / "previous", queries)["rows"]}
    assert not set(stale) & set(vector_of)
    assert all(vector_of[c.id] != before[c.id] for c in changed)
    assert ours == as_read_by_chromadb(tmp_path / "chromadb", queries)


def test_a_full_ingest_and_an_edit_do_not_import_chromadb(settings) -> None:
    """The ~0.7 s `import chromadb` costs is not spent, and the index each writes opens."""
    code = (
        "import sys; from pathlib import Path; from ingest.config import Settings; "
        "from ingest.sync import sync; "
        f"sync(Settings(kb_dir=Path({str(settings.kb_dir)!r}), "
        f"data_dir=Path({str(settings.data_dir)!r}), model_dir=Path({str(MODEL_CACHE)!r}))); "
        "print('chromadb' in sys.modules)"
    )
    index = LocalIndex(settings.index_dir)
    for _ in ("full ingest", "edit"):
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert result.stdout.strip() == "False", result.stderr
        folder = index.root / str(index.current_name()) / "chroma"
        chunks = index.load().chunks
        assert as_read_by_chromadb(folder, np.zeros((1, 384)))["count"] == len(chunks)
        first = sorted(settings.kb_dir.rglob("*.md"))[0]
        first.write_text(first.read_text() + "\n\nA new closing paragraph on rollbacks.\n")
    assert any("rollbacks" in c.text for c in chunks)
