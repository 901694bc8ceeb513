"""Find and read the knowledge base's markdown files, skipping the ones we cannot trust."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import KBFolderError


@dataclass(frozen=True)
class Document:
    source: str  # path relative to the KB folder, with forward slashes
    text: str


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _markdown_paths(root: Path) -> list[Path]:
    paths = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        paths += [Path(folder) / f for f in files if f.lower().endswith(".md")]
        # Symlinked folders are not walked; list them so they are reported, not ignored.
        paths += [Path(folder) / d for d in dirs if (Path(folder) / d).is_symlink()]
    return sorted(paths)


def read_document(path: Path, root: Path, max_bytes: int) -> Document | Skipped:
    """Read one file as UTF-8 markdown, or say why it was skipped."""
    source = path.relative_to(root).as_posix()
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
            return Skipped(source, "symlink pointing outside the KB folder")
        if path.is_dir():
            return Skipped(source, "symlinked folder (not followed)")
        size = path.stat().st_size
        if size > max_bytes:
            return Skipped(
                source,
                f"{size / 1048576:.1f} MB is over the {max_bytes / 1048576:g} MB cap "
                "(KB_MAX_FILE_MB)",
            )
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(source, f"cannot read: {exc.strerror or exc}")
    if b"\x00" in data:
        return Skipped(source, "binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Skipped(source, f"not UTF-8 (invalid byte at offset {exc.start})")
    return Document(source, text)


def markdown_paths(root: Path) -> list[Path]:
    """The markdown files (and symlinked folders) under `root`; raises on a bad folder."""
    if not root.exists():
        raise KBFolderError(f"knowledge-base folder not found: {root} (set KB_DIR or --kb)")
    if not root.is_dir():
        raise KBFolderError(f"knowledge-base path is not a folder: {root}")
    return _markdown_paths(root)


def load_folder(root: Path, max_bytes: int) -> LoadResult:
    """Every markdown file under `root`; raises when there is nothing to ingest."""
    result = LoadResult()
    for path in markdown_paths(root):
        item = read_document(path, root, max_bytes)
        if isinstance(item, Document):
            result.documents.append(item)
        else:
            result.skipped.append(item)
    if not result.documents and not result.skipped:
        raise KBFolderError(f"no markdown (*.md) files under {root}")
    return result
