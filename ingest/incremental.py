"""The sync when a published generation exists: costs grow with the change, not the KB.

Files are compared by stat and digest against the generation's meta (manifest.py); only
changed files are chunked, only their stored rows are read, and the next generation is
written as the previous one plus the change (delta_store.py). A no-op reads meta.json and
stats the folder, nothing else. Whenever that is not possible (first ingest, --full, another
model or pipeline version, an older or damaged generation) the caller does a full sync.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from ingest import refusal_meta
from ingest.chunk import Chunk, chunk_markdown
from ingest.config import Settings
from ingest.embed import Embedder, model_label
from ingest.errors import IndexCorrupt
from ingest.manifest import Scan, pipeline_fingerprint, scan
from ingest.snippets import snippet_reader
from ingest.store import FORMAT_VERSION, LocalIndex

if TYPE_CHECKING:
    import numpy as np

    from ingest.sync import Index, Report


def incremental_sync(
    settings: Settings,
    index: Index,
    *,
    dry_run: bool,
    embedder: Embedder | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report | None:
    """Sync against the published generation; None when a full sync must do it instead."""
    from ingest.sync import Report

    name = index.current_name()
    if name is None or not hasattr(index, "load_meta") or not hasattr(index, "verify"):
        return None
    try:
        meta = index.load_meta(name)
        index.verify(name, meta)
    except IndexCorrupt:
        return None  # the full sync reports it and rebuilds
    if (
        meta.get("model") != model_label(settings.embed_model, settings.embed_quantized)
        or meta.get("pipeline") != pipeline_fingerprint()
        or not isinstance(meta.get("files"), dict)
        or not isinstance(meta.get("stats"), dict)
        or not refusal_meta.current(meta)
    ):
        return None  # the full sync rewrites the generation (and its refusal statistics)
    found = scan(settings.kb_dir, settings.max_file_bytes, meta["files"], meta["stats"])
    report = Report(skipped=found.skipped, kept=sorted(found.kept))
    report.files = len(found.unchanged) + len(found.changed) + len(found.kept)
    report.files_read = found.read
    if not found.changes:
        report.chunks = report.unchanged_rows = int(meta.get("chunks", 0))
        return report
    if meta.get("format") != FORMAT_VERSION:
        return None
    touched = sorted({d.source for d in found.changed} | set(found.removed))
    if isinstance(index, LocalIndex):
        return _local(
            settings, index, name, meta, found, touched, dry_run, embedder, progress, report
        )
    if not hasattr(index, "write_delta"):
        return None
    return _server(settings, index, name, meta, found, touched, dry_run, embedder, progress, report)


def _server(settings, index, name, meta, found, touched, dry_run, embedder, progress, report):
    """The Chroma server: the lineage gets the changed files' rows (server_lineage.py).
    meta["refusal"] carries over from the previous generation (recomputing it would read every
    row's vector back from the server); a full sync (`kb-ingest --full`) refreshes it."""
    import numpy as np

    from ingest.sync import embed_missing

    try:
        before = index.read_rows(name, touched)
    except IndexCorrupt:
        return None
    chunks = _rechunk(settings, found, before, meta, report)
    if dry_run:
        return report
    known = index.stored_vectors(name, {c.hash for c in chunks})
    embed_missing(settings, chunks, known, report, embedder, progress)
    vectors = (
        np.vstack([known[c.hash] for c in chunks]).astype(np.float32)
        if chunks
        else np.zeros((0, 0), dtype=np.float32)
    )
    new_meta = _meta(settings, meta, found)
    new_meta["refusal"] = {**meta["refusal"], "capitals": _capitals(meta, touched, chunks)}
    generation = index.write_delta(name, touched, chunks, vectors, new_meta)
    index.publish(generation)
    report.generation = generation
    index.prune(keep_previous=name)
    return report


def _local(settings, index, name, meta, found, touched, dry_run, embedder, progress, report):
    from ingest import delta_store

    layout = delta_store.load_layout(index, name)
    if layout is None:
        return None
    try:
        before = delta_store.read_rows(index, name, layout, touched)
    except IndexCorrupt:
        return None
    chunks = _rechunk(settings, found, before, meta, report)
    if dry_run:
        return report

    vectors = _vectors(settings, index, name, layout, chunks, embedder, progress, report)
    keep = sorted(set(found.unchanged) | set(found.kept))
    new_ids = {c.id for c in chunks}
    stale = [c.id for c in before if c.id not in new_ids]
    new_meta = _meta(settings, meta, found)
    synthetic = refusal_meta.updated_sample(
        meta["refusal"]["synthetic_questions"], set(touched), chunks
    )

    changelogs = [s for s in meta["refusal"].get("changelogs", []) if s not in touched]
    changelogs += refusal_meta.changelogs_of(chunks)
    capitals = _capitals(meta, touched, chunks)

    def refusal(matrix, keyword, sources) -> dict[str, Any]:
        return refusal_meta.record(
            settings,
            matrix,
            keyword,
            sources,
            synthetic,
            embedder,
            sorted(changelogs),
            capitals,
        )

    generation = delta_store.write_delta(
        index, name, layout, keep, chunks, vectors, stale, new_meta, refusal
    )
    index.publish(generation)
    report.generation = generation
    index.prune(keep_previous=name)
    return report


def _rechunk(settings, found, before: list[Chunk], meta, report: Report) -> list[Chunk]:
    """The changed files' chunks, counted in the report against their rows `before`."""
    chunks = [
        c for doc in sorted(found.changed, key=lambda d: d.source) for c in _chunks(doc, settings)
    ]
    _diff(report, before, chunks)
    report.unchanged_rows = int(meta["chunks"]) - len(before)
    report.chunks = report.unchanged_rows + len(chunks)
    report.rows_read = len(before)
    return chunks


def _chunks(doc, settings: Settings) -> list[Chunk]:
    return chunk_markdown(doc.text, doc.source, snippet_reader(settings.kb_dir, doc.source))


def _diff(report: Report, before: list[Chunk], after: list[Chunk]) -> None:
    old = {c.id: c for c in before}
    for chunk in after:
        previous = old.get(chunk.id)
        if previous is None:
            report.added.append(chunk)
        elif previous.hash != chunk.hash:
            report.updated.append(chunk)
        else:
            report.unchanged.append(chunk)
    ids = {c.id for c in after}
    report.removed = [c for c in before if c.id not in ids]


def _vectors(settings, index, name, layout, chunks, embedder, progress, report) -> np.ndarray:
    """Stored vectors for known content (edited files, renames), the model for the rest."""
    import numpy as np

    from ingest import delta_store
    from ingest.sync import embed_missing

    known = delta_store.stored_vectors(index, name, layout, {c.hash for c in chunks})
    embed_missing(settings, chunks, known, report, embedder, progress)
    if not chunks:
        return np.zeros((0, 0), dtype=np.float32)
    return np.vstack([known[c.hash] for c in chunks]).astype(np.float32)


def _capitals(
    meta: dict[str, Any], touched: Collection[str], chunks: list[Chunk]
) -> dict[str, list[str]]:
    """The capitals each file writes (refusal_meta.capitals_of): the previous generation's for
    the files left alone, the changed files' own; a removed file's are gone."""
    kept = meta["refusal"]["capitals"].items()  # refusal_meta.current() let it through
    capitals = {source: words for source, words in kept if source not in touched}
    capitals.update(refusal_meta.capitals_of(chunks))
    return dict(sorted(capitals.items()))


def _meta(settings: Settings, previous: dict[str, Any], found: Scan) -> dict[str, Any]:
    skipped = {s.source: s.reason for s in found.skipped}
    return {
        **{k: v for k, v in previous.items() if k not in ("format", "chunks", "generation")},
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "kb_dir": str(settings.kb_dir),
        "files": found.files,
        "stats": found.stats,
        "skipped": skipped,
    }
