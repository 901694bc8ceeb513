"""Incremental generations on disk: the next generation is the previous one plus the change.

Besides the files store.py describes, a generation holds layout.json: for each file of the KB
its rows (first row and count; a file's chunks are consecutive rows) and their bytes in
chunks.jsonl, and every row's content hash. With it a change touches only what changed:
  chunks.jsonl   unchanged files' lines copied as byte ranges, changed files' lines appended
  vectors.npy    unchanged rows copied in blocks, new rows appended (never re-embedded)
  bm25/          the previous term counts' rows reused, changed chunks' rows tokenized afresh
  chroma/        the previous folder copied (no client has it open for writing: the ingest
                 that wrote it closed its client; readers only read), then changed ids
                 deleted and upserted
The previous generation is only read, so readers keep their single-generation view, and a
crash leaves a folder without meta.json that prune() removes.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.chunk import Chunk
from ingest.errors import IndexCorrupt

if TYPE_CHECKING:
    import numpy as np

    from ingest.bm25 import KeywordIndex
    from ingest.store import LocalIndex

LAYOUT = "layout.json"


@dataclass
class Layout:
    files: dict[str, list[int]]  # source -> [first row, rows, first byte, bytes]
    hashes: list[str]  # content hash of every row

    @classmethod
    def of(cls, chunks: list[Chunk], line_bytes: list[int]) -> Layout:
        files: dict[str, list[int]] = {}
        offset = 0
        for row, (chunk, size) in enumerate(zip(chunks, line_bytes, strict=True)):
            entry = files.get(chunk.source)
            if entry is None:
                files[chunk.source] = [row, 1, offset, size]
            elif entry[0] + entry[1] == row:
                entry[1] += 1
                entry[3] += size
            else:
                raise ValueError(f"the chunks of {chunk.source} are not consecutive")
            offset += size
        return cls(files, [c.hash for c in chunks])

    def save(self, folder: Path) -> None:
        _write_synced(folder / LAYOUT, json.dumps({"files": self.files, "hashes": self.hashes}))

    @classmethod
    def load(cls, folder: Path) -> Layout:
        data = json.loads((folder / LAYOUT).read_text(encoding="utf-8"))
        return cls(data["files"], data["hashes"])


def chunk_line(chunk: Chunk) -> bytes:
    return (json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n").encode("utf-8")


def write_chunk_lines(path: Path, chunks: Iterable[Chunk]) -> list[int]:
    """Write chunks.jsonl; returns each line's size in bytes (for the layout)."""
    sizes = []
    with open(path, "wb") as handle:
        for chunk in chunks:
            line = chunk_line(chunk)
            handle.write(line)
            sizes.append(len(line))
        handle.flush()
        os.fsync(handle.fileno())
    return sizes


def load_layout(index: LocalIndex, name: str) -> Layout | None:
    """The layout of a generation, or None for one written before layouts existed."""
    try:
        return Layout.load(index.root / name)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorrupt(f"index generation {index.root / name} is damaged ({exc})") from exc


def read_rows(index: LocalIndex, name: str, layout: Layout, sources: Iterable[str]) -> list[Chunk]:
    """The stored chunks of these files only: their byte ranges of chunks.jsonl are read."""
    chunks = []
    try:
        with open(index.root / name / "chunks.jsonl", "rb") as handle:
            for source in sources:
                entry = layout.files.get(source)
                if entry is None:
                    continue
                handle.seek(entry[2])
                lines = handle.read(entry[3]).decode("utf-8").splitlines()
                part = [Chunk(**json.loads(line)) for line in lines]
                if len(part) != entry[1] or any(c.source != source for c in part):
                    raise ValueError(f"chunks.jsonl does not match the layout at {source}")
                chunks += part
    except (OSError, ValueError, TypeError) as exc:
        raise IndexCorrupt(f"index generation {index.root / name} is damaged ({exc})") from exc
    return chunks


def stored_vectors(index: LocalIndex, name: str, layout: Layout, hashes: set[str]) -> dict:
    """Vectors of the previous generation for these content hashes (renamed and moved text)."""
    import numpy as np

    rows = {}
    for row, digest in enumerate(layout.hashes):
        if digest in hashes and digest not in rows:
            rows[digest] = row
    if not rows:
        return {}
    matrix = np.load(index.root / name / "vectors.npy", mmap_mode="r")
    return {digest: np.array(matrix[row]) for digest, row in rows.items()}


def write_delta(
    index: LocalIndex,
    previous: str,
    layout: Layout,
    keep: list[str],
    chunks: list[Chunk],
    vectors: np.ndarray,
    stale: list[str],
    meta: dict[str, Any],
    refusal: Callable[[np.ndarray, KeywordIndex, list[str]], dict[str, Any]] | None = None,
) -> str:
    """A new generation: the previous one's rows of the `keep` files, then `chunks` (the
    changed files' new rows) with their `vectors`; `stale` lists the previous ids that no
    longer exist. `refusal(vectors, keyword index, source of each row)` gives its
    meta["refusal"] (see refusal_meta.py). Nothing points at it yet."""
    import numpy as np

    from ingest.bm25 import KeywordIndex
    from ingest.chroma_folder import update_collection
    from ingest.durable import fsync_dir, fsync_tree, write_atomic
    from ingest.store import FORMAT_VERSION, new_generation_name

    old = index.root / previous
    name = new_generation_name()
    folder = index.root / name
    folder.mkdir(parents=True)
    # The kept files' rows, packed in their previous order: runs of consecutive rows are
    # copied as blocks.
    kept_files = sorted(keep, key=lambda s: layout.files[s][0])
    runs = _runs([layout.files[s] for s in kept_files])  # [first row, rows, first byte, bytes]
    kept_rows = sum(run[1] for run in runs)
    total = kept_rows + len(chunks)

    # chunks.jsonl: byte ranges of the previous file, then the changed files' lines.
    sizes = []
    with open(old / "chunks.jsonl", "rb") as earlier, open(folder / "chunks.jsonl", "wb") as out:
        for _, _, start, length in runs:
            earlier.seek(start)
            out.write(earlier.read(length))
        for chunk in chunks:
            line = chunk_line(chunk)
            out.write(line)
            sizes.append(len(line))
        out.flush()
        os.fsync(out.fileno())

    # vectors.npy: blocks of rows of the previous matrix, then the new rows.
    before = np.load(old / "vectors.npy", mmap_mode="r")
    dimension = before.shape[1]
    after = np.lib.format.open_memmap(
        folder / "vectors.npy", mode="w+", dtype=np.float32, shape=(total, dimension)
    )
    row = 0
    for first, count, _, _ in runs:
        after[row : row + count] = before[first : first + count]
        row += count
    if len(chunks):
        after[row:] = vectors
    after.flush()
    del after, before

    # bm25/: the previous term counts of the kept rows, then the new chunks tokenized.
    kept_index = np.concatenate(
        [np.arange(first, first + count) for first, count, _, _ in runs] or [np.zeros(0, int)]
    )
    keyword = KeywordIndex.load(old / "bm25").updated(kept_index, [c.embed_text for c in chunks])
    keyword.save(folder / "bm25")

    # chroma/: a copy of the previous store, then only the changed ids written.
    shutil.copytree(old / "chroma", folder / "chroma")
    update_collection(folder / "chroma", stale, chunks, vectors)

    # layout.json, then meta.json last: a generation without it is incomplete.
    new_layout = {}
    row = byte = 0
    for source in kept_files:
        _, count, _, length = layout.files[source]
        new_layout[source] = [row, count, byte, length]
        row, byte = row + count, byte + length
    offset = sum(run[3] for run in runs)
    hashes = [layout.hashes[i] for i in kept_index.tolist()]
    for index_in_new, (chunk, size) in enumerate(zip(chunks, sizes, strict=True)):
        entry = new_layout.get(chunk.source)
        if entry is None:
            new_layout[chunk.source] = [kept_rows + index_in_new, 1, offset, size]
        else:
            entry[1] += 1
            entry[3] += size
        offset += size
        hashes.append(chunk.hash)
    Layout(new_layout, hashes).save(folder)
    meta = {**meta, "format": FORMAT_VERSION, "chunks": total, "generation": name}
    if refusal is not None:
        sources = [""] * total
        for source, (first, count, _, _) in new_layout.items():
            sources[first : first + count] = [source] * count
        meta["refusal"] = refusal(np.load(folder / "vectors.npy", mmap_mode="r"), keyword, sources)
    meta["chunks_bytes"] = offset
    meta["dimension"] = int(dimension)
    # Every file (the ones Chroma wrote too) and folder entry durable, once, before
    # meta.json; meta.json before the pointer.
    fsync_tree(folder)
    write_atomic(folder / "meta.json", json.dumps(meta, indent=2))
    fsync_dir(index.root)
    return name


def _runs(entries: list[list[int]]) -> list[list[int]]:
    """Merge row ranges that follow each other (sorted by first row) into longer runs."""
    runs: list[list[int]] = []
    for first, count, start, length in entries:
        if runs and runs[-1][0] + runs[-1][1] == first and runs[-1][2] + runs[-1][3] == start:
            runs[-1][1] += count
            runs[-1][3] += length
        else:
            runs.append([first, count, start, length])
    return runs


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
