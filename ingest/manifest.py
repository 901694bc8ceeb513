"""Which files changed since the published generation, without opening its chunks.

A generation's meta records, per file, its content digest (`files`) and the (size, mtime_ns)
it had when read (`stats`). A file whose stat still matches is not even read; one whose stat
moved is read and hashed, and counts as changed only when its digest differs (a `touch` is
not a change). Like git, a stat taken within RACY_SECONDS of its mtime is not recorded: a
second save in the same clock tick would keep size and mtime, so that file is re-read next time.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import KBFolderError
from ingest.load import Document, Skipped, markdown_paths, read_document

RACY_SECONDS = 2.0
_PIPELINE_FILES = (
    "chunk.py",
    "markdown.py",
    "snippets.py",
    "keyword.py",
    "stemmer.py",
    "load.py",
    "embed.py",
    "onnx_model.py",
)


def file_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def pipeline_fingerprint() -> str:
    """Changes whenever the code that turns files into stored rows changes (chunking,
    tokenizing, reading, embedding): then every file is re-chunked, not trusted by its stat."""
    digest = hashlib.sha256()
    folder = Path(__file__).parent
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py") and (name in _PIPELINE_FILES or name.startswith("markdown")):
            digest.update(name.encode() + b"\0" + (folder / name).read_bytes())
    return digest.hexdigest()[:16]


def signature(path: Path, max_bytes: int) -> list[int] | None:
    """[size, mtime_ns] of a regular file within the size cap, else None."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
        return None
    return [info.st_size, info.st_mtime_ns]


def settled(stamp: list[int] | None, now: float) -> bool:
    """A stat worth recording: its mtime is not so recent that a same-tick save could hide."""
    return stamp is not None and now - stamp[1] / 1e9 > RACY_SECONDS


def stat_folder(root: Path, max_bytes: int) -> dict[str, list[int]]:
    """Settled stats of the folder's files, taken before a full sync reads them."""
    now = time.time()
    stamps = {p.relative_to(root).as_posix(): signature(p, max_bytes) for p in markdown_paths(root)}
    return {source: stamp for source, stamp in stamps.items() if stamp and settled(stamp, now)}


@dataclass
class Scan:
    unchanged: list[str] = field(default_factory=list)  # stored chunks stay as they are
    changed: list[Document] = field(default_factory=list)  # new or edited files
    removed: list[str] = field(default_factory=list)  # stored files gone from the folder
    skipped: list[Skipped] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # unreadable now; stored chunks kept
    files: dict[str, str] = field(default_factory=dict)  # digest of every indexed file
    stats: dict[str, list[int]] = field(default_factory=dict)  # [size, mtime_ns], not racy
    read: int = 0  # files opened (the rest were trusted by their stat)

    @property
    def changes(self) -> bool:
        return bool(self.changed or self.removed)


def scan(root: Path, max_bytes: int, files: dict[str, str], stats: dict[str, list]) -> Scan:
    """Compare the folder with a generation's `files` digests and `stats`."""
    result = Scan()
    now = time.time()
    seen = set()
    for path in markdown_paths(root):
        source = path.relative_to(root).as_posix()
        seen.add(source)
        stamp = signature(path, max_bytes)
        if stamp is not None and source in files and stats.get(source) == stamp:
            result.unchanged.append(source)
            result.files[source] = files[source]
            result.stats[source] = stats[source]
            continue
        item = read_document(path, root, max_bytes)
        result.read += 1
        if isinstance(item, Skipped):
            result.skipped.append(item)
            if source in files:
                result.kept.append(source)
                result.files[source] = files[source]
            continue
        digest = file_digest(item.text)
        result.files[source] = digest
        if stamp is not None and settled(stamp, now):
            result.stats[source] = stamp
        if files.get(source) == digest:
            result.unchanged.append(source)
        else:
            result.changed.append(item)
    result.removed = sorted(set(files) - seen)
    if not result.unchanged and not result.changed and not result.kept:
        if not seen:
            raise KBFolderError(f"no markdown (*.md) files under {root}")
        raise KBFolderError(f"no readable markdown files under {root}")
    return result
