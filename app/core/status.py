"""Read-only views of the index and the KB folder for the UI: counts, changes, example questions."""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from calendar import timegm
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.chunk import PATH_SEP, Chunk
from ingest.load import load_folder
from ingest.sync import file_digest

GENERIC_HEADINGS = {
    "common pitfalls",
    "checklist",
    "summary",
    "overview",
    "introduction",
    "see also",
    "references",
    "further reading",
}


@dataclass(frozen=True)
class FileChanges:
    """KB files that differ from what the current index was built from."""

    added: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()  # "path: reason"

    @property
    def any(self) -> bool:
        return bool(self.added or self.modified or self.deleted)


def changed_files(kb_dir: Path, max_bytes: int, indexed: Mapping[str, str]) -> FileChanges:
    """Compare each file's digest with the one recorded at the last ingest."""
    loaded = load_folder(kb_dir, max_bytes)
    current = {d.source: file_digest(d.text) for d in loaded.documents}
    skipped = {s.source for s in loaded.skipped}
    return FileChanges(
        added=tuple(sorted(set(current) - set(indexed))),
        modified=tuple(sorted(s for s in current if s in indexed and indexed[s] != current[s])),
        deleted=tuple(sorted(set(indexed) - set(current) - skipped)),
        unreadable=tuple(f"{s.source}: {s.reason}" for s in loaded.skipped),
    )


CHANGES_TTL_S = 60.0  # recheck every file's text at least this often, whatever the stats say
_changes: dict[tuple, tuple[float, FileChanges]] = {}
_changes_lock = threading.Lock()


def kb_fingerprint(kb_dir: Path) -> str:
    """A digest of every file's path, size and modification time: cheap (no file is read)
    and different after any save, addition, removal or rename."""
    digest = hashlib.blake2b(digest_size=16)
    for folder, dirs, files in os.walk(kb_dir):
        dirs.sort()
        for name in sorted(files):
            try:
                stat = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            digest.update(f"{folder}/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def kb_changes(
    kb_dir: Path, max_bytes: int, indexed: Mapping[str, str], generation: str | None
) -> FileChanges:
    """changed_files, remembered for every session of this process until a file's stats or
    the generation change (or CHANGES_TTL_S passes): a rerun does not re-read the whole KB."""
    key = (str(kb_dir.resolve()), max_bytes, generation, kb_fingerprint(kb_dir))
    now = time.monotonic()
    with _changes_lock:
        cached = _changes.get(key)
    if cached is not None and now - cached[0] < CHANGES_TTL_S:
        return cached[1]
    changes = changed_files(kb_dir, max_bytes, indexed)
    with _changes_lock:
        if len(_changes) > 32:
            _changes.clear()
        _changes[key] = (now, changes)
    return changes


def parse_time(stamp: str) -> float | None:
    try:
        return float(timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")))
    except (TypeError, ValueError):
        return None


def ago(stamp: str, now: float | None = None) -> str:
    """'2026-11-26 11:10 UTC (5 min ago)' for an ISO UTC timestamp."""
    moment = parse_time(stamp)
    if moment is None:
        return stamp or "unknown"
    seconds = max(0, int((now if now is not None else time.time()) - moment))
    if seconds < 60:
        rel = "just now"
    elif seconds < 3600:
        rel = f"{seconds // 60} min ago"
    elif seconds < 86400:
        rel = f"{seconds // 3600} h ago"
    else:
        rel = f"{seconds // 86400} d ago"
    return f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime(moment))} UTC ({rel})"


# ---- example questions for an empty chat ----


def _question(heading: str) -> str:
    text = re.sub(r"[`*_]", "", heading).strip().rstrip(".:?")
    first = text.split(" ", 1)[0]
    if first.lower() in {"how", "when", "why", "should"}:
        return text + "?"
    if not any(ch.isupper() for ch in first[1:]):
        text = text[:1].lower() + text[1:]
    return f"What does the knowledge base say about {text}?"


def example_questions(chunks: Sequence[Chunk], limit: int = 4) -> list[str]:
    """One question per top-level section, made from a second-level heading."""
    by_section: dict[str, list[str]] = {}
    seen: set[str] = set()
    for chunk in sorted(chunks, key=lambda c: (c.source, c.start_line)):
        parts = chunk.heading_path.split(PATH_SEP)
        if len(parts) != 2 or chunk.source in seen:
            continue
        heading = parts[1]
        if heading.lower() in GENERIC_HEADINGS or not 2 <= len(heading.split()) <= 8:
            continue
        seen.add(chunk.source)
        section = chunk.source.split("/", 1)[0] if "/" in chunk.source else ""
        by_section.setdefault(section, []).append(_question(heading))
    if len(by_section) > 1:
        by_section.pop("", None)  # files at the top of kb/ (a README) make poor examples
    picked: list[str] = []
    rounds = max((len(v) for v in by_section.values()), default=0)
    for i in range(rounds):  # round-robin over sections, so the examples cover the KB
        for name in sorted(by_section):
            if i < len(by_section[name]) and len(picked) < limit:
                picked.append(by_section[name][i])
    return picked
