"""Chunk-level sync of the index with the KB folder: diff, embed only what changed, publish."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ingest import refusal_meta
from ingest.chunk import Chunk, chunk_markdown
from ingest.config import Settings
from ingest.embed import Embedder, embedder_for, model_label
from ingest.errors import IndexCorrupt, KBFolderError
from ingest.keyword import VERSION_KEY, build_bm25
from ingest.keyword import version as keyword_version
from ingest.load import Skipped, load_folder
from ingest.manifest import file_digest, pipeline_fingerprint, stat_folder
from ingest.snippets import snippet_reader
from ingest.store import FORMAT_VERSION

if TYPE_CHECKING:
    import numpy as np

    from ingest.bm25 import KeywordIndex
    from ingest.store import Generation


class Index(Protocol):
    def lock(self) -> AbstractContextManager[None]: ...
    def current_name(self) -> str | None: ...
    def load(self, name: str | None = None, vectors: bool = False) -> Generation: ...
    def write(
        self, chunks: list[Chunk], vectors: np.ndarray, meta: dict, keyword: KeywordIndex
    ) -> str: ...
    def publish(self, name: str) -> None: ...
    def prune(self, keep_previous: str | None) -> list[str]: ...


@dataclass
class Report:
    added: list[Chunk] = field(default_factory=list)
    updated: list[Chunk] = field(default_factory=list)
    removed: list[Chunk] = field(default_factory=list)
    unchanged: list[Chunk] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # skipped files whose old chunks were kept
    warnings: list[str] = field(default_factory=list)
    files: int = 0
    chunks: int = 0
    embedded: int = 0
    model_loaded: bool = False
    generation: str | None = None
    seconds: float = 0.0
    unchanged_rows: int = 0  # unchanged chunks that were not even read (incremental sync)
    files_read: int | None = None  # files opened; None: all of them (full sync)
    rows_read: int | None = None  # stored chunks read; None: all of them (full sync)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, "
            f"removed {len(self.removed)}, unchanged {len(self.unchanged) + self.unchanged_rows} "
            f"(files {self.files}, chunks {self.chunks}) in {self.seconds:.1f} s"
        )


def open_index(settings: Settings) -> Index:
    """The local generation store, or the Chroma server when KB_CHROMA_HOST is set."""
    if settings.chroma_host:
        from ingest.server_store import ServerIndex

        return ServerIndex(settings.chroma_host, settings.chroma_port)
    from ingest.store import LocalIndex

    return LocalIndex(settings.index_dir)


def sync(
    settings: Settings,
    *,
    dry_run: bool = False,
    full: bool = False,
    embedder: Embedder | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Bring the index in line with the KB folder; `progress(done, total)` while embedding."""
    from ingest.incremental import incremental_sync

    started = time.perf_counter()
    index = open_index(settings)
    if dry_run:
        quick = None if full else incremental_sync(settings, index, dry_run=True)
        report = quick or _plan(settings, index, full)[0]
    else:
        with index.lock():
            quick = None
            if not full:
                quick = incremental_sync(
                    settings, index, dry_run=False, embedder=embedder, progress=progress
                )
            report = quick or _apply(settings, index, full, embedder, progress)
    report.seconds = time.perf_counter() - started
    return report


def _plan(settings: Settings, index: Index, full: bool):
    # Stat before reading: a file saved after this has another mtime, so it is read next time.
    stats = stat_folder(settings.kb_dir, settings.max_file_bytes)
    loaded = load_folder(settings.kb_dir, settings.max_file_bytes)
    report = Report(skipped=loaded.skipped)
    previous = None
    if index.current_name():
        try:
            previous = index.load()
        except IndexCorrupt as exc:
            report.warnings.append(f"{exc}; building a fresh index")
    old = {c.id: c for c in previous.chunks} if previous else {}

    chunks = [
        c
        for doc in loaded.documents
        for c in chunk_markdown(doc.text, doc.source, snippet_reader(settings.kb_dir, doc.source))
    ]
    unreadable = {s.source for s in loaded.skipped}
    kept = [c for c in old.values() if c.source in unreadable]
    report.kept = sorted({c.source for c in kept})
    chunks += kept
    if not loaded.documents and not kept:
        raise KBFolderError(f"no readable markdown files under {settings.kb_dir}")

    new_ids = {c.id for c in chunks}
    for chunk in chunks:
        before = old.get(chunk.id)
        if before is None:
            report.added.append(chunk)
        elif before.hash != chunk.hash:
            report.updated.append(chunk)
        else:
            report.unchanged.append(chunk)
    report.removed = [c for cid, c in old.items() if cid not in new_ids]
    report.files = len(loaded.documents) + len(report.kept)
    report.chunks = len(chunks)

    label = model_label(settings.embed_model, settings.embed_quantized)
    same_model = previous is not None and previous.meta.get("model") == label
    rebuild = full or not same_model
    if rebuild and previous is not None:
        # Everything will be re-embedded: count every chunk as updated, none unchanged.
        report.updated += [c for c in report.unchanged]
        report.unchanged = []
    identical = previous is not None and [c.to_dict() for c in chunks] == [
        c.to_dict() for c in previous.chunks
    ]
    # A generation from before stats, layouts or this pipeline is rewritten once (vectors
    # reused), so the next syncs can be incremental. The pipeline's fingerprint covers the
    # tokenizer and stemmer (manifest._PIPELINE_FILES), so a keyword index of other stems too.
    outdated = previous is not None and (
        previous.meta.get("format") != FORMAT_VERSION
        or previous.meta.get("pipeline") != pipeline_fingerprint()
        or "stats" not in previous.meta
        or not refusal_meta.current(previous.meta)
        or not _verifies(index, previous)
    )
    files = {doc.source: file_digest(doc.text) for doc in loaded.documents}
    files.update({s: previous.meta["files"].get(s, "") for s in report.kept} if previous else {})
    # An edit that changes no chunk (front matter, trailing blank lines) still needs a new
    # generation: the UI compares these digests with the files to warn about stale sections.
    same_files = previous is not None and previous.meta.get("files") == files
    must_write = rebuild or not identical or outdated or not same_files
    stats = {s: v for s, v in stats.items() if s in files and s not in report.kept}
    return report, previous, chunks, must_write, rebuild, label, files, stats


def _verifies(index: Index, generation: Generation) -> bool:
    """False when the generation fails the checks an incremental sync makes first."""
    try:
        getattr(index, "verify", lambda name, meta: None)(generation.name, generation.meta)
    except IndexCorrupt:
        return False
    return True


def _apply(settings, index, full, embedder, progress) -> Report:
    report, previous, chunks, must_write, rebuild, label, files, stats = _plan(
        settings, index, full
    )
    if not must_write:
        return report

    import numpy as np

    known: dict[str, np.ndarray] = {}
    if previous is not None and not rebuild:
        try:
            old = index.load(previous.name, vectors=True)
            assert old.vectors is not None
            known = {c.hash: old.vectors[i] for i, c in enumerate(old.chunks)}
        except IndexCorrupt as exc:
            report.warnings.append(f"{exc}; re-embedding everything")
    # One model for the chunks and the refusal questions, loaded once (on first use).
    owned = embedder is None
    embedder = embedder or embedder_for(settings)
    embed_missing(settings, chunks, known, report, embedder, progress)
    matrix = (
        np.vstack([known[c.hash] for c in chunks]).astype(np.float32)
        if chunks
        else np.zeros((0, 384), dtype=np.float32)
    )
    keyword = build_bm25([c.embed_text for c in chunks])  # built once: statistics and store
    meta = {
        "model": label,
        "dimension": int(matrix.shape[1]),
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "kb_dir": str(settings.kb_dir),
        "files": files,
        "stats": stats,
        "pipeline": pipeline_fingerprint(),
        VERSION_KEY: keyword_version(),
        "skipped": {s.source: s.reason for s in report.skipped},
        "refusal": refusal_meta.record(
            settings,
            matrix,
            keyword,
            [c.source for c in chunks],
            refusal_meta.sample(refusal_meta.synthetic_questions(chunks)),
            embedder,
            refusal_meta.changelogs_of(chunks),
            refusal_meta.capitals_of(chunks),
        ),
    }
    if owned:
        embedder.unload()  # writing the generation needs the memory more
    name = index.write(chunks, matrix, meta, keyword)
    index.publish(name)
    report.generation = name
    index.prune(keep_previous=previous.name if previous else None)
    return report


def embed_missing(settings, chunks, known: dict, report: Report, embedder, progress) -> None:
    """Add to `known` (hash -> vector) a vector for every chunk text it lacks, each text once."""
    missing: dict[str, str] = {}  # hash -> text
    for chunk in chunks:
        if chunk.hash not in known and chunk.hash not in missing:
            missing[chunk.hash] = chunk.embed_text
    if not missing:
        return
    owned = embedder is None
    embedder = embedder or embedder_for(settings)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, len(missing))

    vectors = embedder.embed(list(missing.values()), progress=step)
    known.update(zip(missing, vectors, strict=True))
    report.embedded = len(missing)
    report.model_loaded = True
    if owned:
        embedder.unload()  # writing the generation needs the memory more
