"""Index generations on disk: write one, publish it with an atomic pointer swap, read it back.

Layout under data/index/:
  CURRENT                  name of the published generation (replaced atomically)
  .lock                    held by the one running ingest
  <generation>/chunks.jsonl  chunk metadata and text, one JSON object per line
  <generation>/vectors.npy   embeddings, row i belongs to line i of chunks.jsonl
  <generation>/chroma/       the Chroma store queried by the app
  <generation>/bm25/         the keyword index (term counts per chunk, see keyword.py)
  <generation>/layout.json   each file's rows and bytes in chunks.jsonl (see delta_store.py)
  <generation>/meta.json     written last: a generation without it is incomplete
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.chroma_folder import write_collection
from ingest.chunk import Chunk
from ingest.delta_store import Layout, write_chunk_lines
from ingest.durable import fsync_dir, fsync_tree, write_atomic
from ingest.errors import IndexCorrupt, IndexNotBuilt, IndexUnreadable
from ingest.keyword import VOCAB_FILE, save_bm25
from ingest.lock import ingest_lock

if TYPE_CHECKING:
    import numpy as np

    from ingest.bm25 import KeywordIndex

FORMAT_VERSION = 2  # 2: own keyword index, no document text in Chroma, layout.json
# Generations an ingest can still take vectors from (readers need FORMAT_VERSION).
REUSABLE_FORMATS = (1, FORMAT_VERSION)
POINTER = "CURRENT"
COLLECTION = "chunks"
# Chroma's HNSW search explores ef_search candidates (default 100) and then misses some true
# nearest passages; at 400 it misses almost none of the 40 best on our corpora. Local readers
# score vectors.npy exactly; this is what a Chroma server's readers get.
EF_SEARCH = 400
HNSW = {"space": "cosine", "ef_search": EF_SEARCH}  # the collection's configuration
# A generation with a file missing or replaced by a folder is damaged; other OSErrors
# (permissions, I/O errors) are not, and must not trigger a rebuild that drops kept chunks.
MISSING = (FileNotFoundError, IsADirectoryError, NotADirectoryError)


@dataclass
class Generation:
    name: str
    meta: dict[str, Any]
    chunks: list[Chunk]
    vectors: np.ndarray | None = field(default=None, repr=False)


def chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    return {
        "source": chunk.source,
        "section": chunk.source.split("/")[0] if "/" in chunk.source else "",
        "title": chunk.title,
        "heading_path": chunk.heading_path,
        "anchor": chunk.anchor,
        "start_line": chunk.start_line,
        "end_line": chunk.end_line,
        "hash": chunk.hash,
        **({"includes": json.dumps(chunk.includes)} if chunk.includes else {}),
        **({"references": json.dumps(list(chunk.references))} if chunk.references else {}),
    }


def fill_collection(
    collection,
    chunks: list[Chunk],
    vectors: np.ndarray,
    batch: int,
    documents: bool = True,
    upsert: bool = False,
) -> None:
    """Write rows in batches. `documents=False` leaves the text out: local readers take it
    from chunks.jsonl, and Chroma's full-text index of it would triple the store's size."""
    write = collection.upsert if upsert else collection.add
    for start in range(0, len(chunks), batch):
        part = chunks[start : start + batch]
        write(
            ids=[c.id for c in part],
            embeddings=vectors[start : start + batch],
            metadatas=[chunk_metadata(c) for c in part],
            documents=[c.text for c in part] if documents else None,
        )


def new_generation_name() -> str:
    """Sortable by creation time; unique even for two generations in one second."""
    return datetime.now(UTC).strftime("g%Y%m%dT%H%M%S%f") + f"-{os.getpid()}"


class LocalIndex:
    """Generations of the index in folders under one root, for one machine."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def lock(self):
        """Held for the whole ingest: a second writer fails fast."""
        return ingest_lock(self.root)

    def current_name(self) -> str | None:
        try:
            name = (self.root / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise IndexUnreadable(f"cannot read {self.root / POINTER} ({exc})") from exc
        return name or None

    def pointer_stamp(self) -> str | None:
        """Cheap to call before every query: changes whenever a new generation is published."""
        return self.current_name()

    def load(self, name: str | None = None, vectors: bool = False) -> Generation:
        """Read a complete generation (the current one by default); never imports chromadb."""
        name = name or self.current_name()
        if name is None:
            raise IndexNotBuilt(f"no index in {self.root}: run kb-ingest first")
        folder = self.root / name
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            with open(folder / "chunks.jsonl", encoding="utf-8") as handle:
                chunks = [Chunk(**json.loads(line)) for line in handle]
            matrix = None
            if vectors:
                import numpy as np

                matrix = np.load(folder / "vectors.npy")
                if matrix.shape[0] != len(chunks):
                    raise ValueError("vectors.npy and chunks.jsonl disagree")
            if meta.get("format") not in REUSABLE_FORMATS or meta.get("chunks") != len(chunks):
                raise ValueError("meta.json does not match the chunks")
            _check_files(folder, len(chunks), int(meta.get("dimension", 0)), meta["format"])
        except MISSING + (ValueError, TypeError, KeyError) as exc:
            raise IndexCorrupt(
                f"index generation {folder} is damaged ({exc}); run kb-ingest to rebuild it"
            ) from exc
        except OSError as exc:  # permissions, I/O errors, too many open files: not damage
            raise IndexUnreadable(
                f"cannot read index generation {folder} ({exc}); nothing was changed"
            ) from exc
        return Generation(name, meta, chunks, matrix)

    def load_meta(self, name: str) -> dict[str, Any]:
        """Only a generation's meta.json: what a no-op sync needs."""
        try:
            meta = json.loads((self.root / name / "meta.json").read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                raise ValueError("meta.json is not an object")
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(
                f"index generation {self.root / name} is damaged ({exc}); "
                "run kb-ingest to rebuild it"
            ) from exc
        return meta

    def verify(self, name: str, meta: dict[str, Any]) -> None:
        """The cheap checks of load() without reading the chunks: files deleted, overwritten
        or truncated (a sync that reads no chunks still notices a damaged generation)."""
        folder = self.root / name
        try:
            if meta.get("format") != FORMAT_VERSION:
                raise ValueError(f"format {meta.get('format')} is not {FORMAT_VERSION}")
            chunks_bytes = (folder / "chunks.jsonl").stat().st_size
            if chunks_bytes != meta.get("chunks_bytes"):
                raise ValueError("chunks.jsonl does not have the size meta.json records")
            _check_files(folder, int(meta["chunks"]), int(meta.get("dimension", 0)), FORMAT_VERSION)
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise IndexCorrupt(
                f"index generation {folder} is damaged ({exc}); run kb-ingest to rebuild it"
            ) from exc

    def write(
        self, chunks: list[Chunk], vectors: np.ndarray, meta: dict[str, Any], keyword: KeywordIndex
    ) -> str:
        """Build a complete new generation folder (`keyword`: the chunks' keyword index);
        nothing points at it yet."""
        import numpy as np

        name = new_generation_name()
        folder = self.root / name
        folder.mkdir(parents=True)
        sizes = write_chunk_lines(folder / "chunks.jsonl", chunks)
        Layout.of(chunks, sizes).save(folder)
        np.save(folder / "vectors.npy", vectors)
        save_bm25(keyword, folder / "bm25")
        write_collection(folder / "chroma", chunks, vectors)
        # Every file on disk before meta.json marks the generation complete, and before the
        # pointer can name it: after a power cut it is whole or ignored, never empty files.
        fsync_tree(folder)
        meta = {**meta, "format": FORMAT_VERSION, "chunks": len(chunks), "generation": name}
        meta["chunks_bytes"] = sum(sizes)
        write_atomic(folder / "meta.json", json.dumps(meta, indent=2))
        fsync_dir(self.root)
        return name

    def publish(self, name: str) -> None:
        """Point readers at `name`: one atomic rename, durable when this returns."""
        write_atomic(self.root / POINTER, name + "\n")

    def prune(self, keep_previous: str | None) -> list[str]:
        """Delete generations other than the current and the previous one."""
        keep = {self.current_name(), keep_previous}
        removed = []
        for entry in sorted(self.root.iterdir()):
            if entry.is_dir() and entry.name.startswith("g") and entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry.name)
        return removed


def _check_files(folder: Path, chunks: int, dimension: int, format: int) -> None:
    """Cheap checks that catch deleted or overwritten files without opening Chroma."""
    sqlite = folder / "chroma" / "chroma.sqlite3"
    with open(sqlite, "rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise ValueError(f"{sqlite.name} is not a SQLite database")
    if (folder / "vectors.npy").stat().st_size < chunks * dimension * 4:
        raise ValueError("vectors.npy is truncated")
    keyword_file = VOCAB_FILE if format == FORMAT_VERSION else "params.index.json"
    if not (folder / "bm25" / keyword_file).is_file():
        raise ValueError("the keyword index is missing")
