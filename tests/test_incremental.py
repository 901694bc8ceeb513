"""Incremental generations: a change costs what it touches, and the previous generation stays."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from conftest import cli_env, index_settings, kill_while_embedding

from app.core.engine import Assistant
from ingest.keyword import load_bm25, tokenize
from ingest.store import LocalIndex
from ingest.sync import sync

EDITED = "web/flask-basics.md"


def rows(settings) -> dict[str, tuple[dict, np.ndarray]]:
    """Every stored row of the published generation: chunk fields and vector, by chunk id."""
    generation = LocalIndex(settings.index_dir).load(vectors=True)
    assert generation.vectors is not None
    return {c.id: (c.to_dict(), generation.vectors[i]) for i, c in enumerate(generation.chunks)}


def folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def test_one_file_edit_changes_exactly_that_files_rows(settings, embedder, kb: Path) -> None:
    sync(settings, embedder=embedder)
    index = LocalIndex(settings.index_dir)
    previous = index.current_name()
    assert previous is not None
    before, before_bytes = rows(settings), folder_digest(index.root / previous)
    path = kb / EDITED
    path.write_text(path.read_text().replace("register it on the app", "register it once"))

    report = sync(settings, embedder=embedder)
    old_rows = sum(1 for fields, _ in before.values() if fields["source"] == EDITED)
    assert report.files_read == 1 and report.rows_read == old_rows  # only that file was opened
    after = rows(settings)
    assert after.keys() == before.keys()
    changed = {
        cid
        for cid in after
        if after[cid][0] != before[cid][0] or not np.array_equal(after[cid][1], before[cid][1])
    }
    assert changed and {after[cid][0]["source"] for cid in changed} == {EDITED}
    assert any("register it once" in after[cid][0]["text"] for cid in changed)
    # The previous generation is untouched on disk and still answers.
    assert folder_digest(index.root / previous) == before_bytes
    old = index.load(previous)
    assert {c.id: c.to_dict() for c in old.chunks} == {cid: f for cid, (f, _) in before.items()}


def test_incremental_generation_equals_a_full_rebuild(
    settings, embedder, kb: Path, tmp_path
) -> None:
    sync(settings, embedder=embedder)
    (kb / "web" / "fastapi-basics.md").rename(kb / "web" / "fastapi.md")  # a rename
    (kb / "practice" / "testing.md").write_text("# Testing\n\nOnly one section is left.\n")
    (kb / "new.md").write_text("# Queues\n\nRetry a failed job with exponential backoff.\n")
    report = sync(settings, embedder=embedder)
    assert report.rows_read is not None  # the incremental path, not a full sync
    rebuilt = index_settings(kb, tmp_path / "rebuilt")
    sync(rebuilt, embedder=embedder, full=True)

    mine, full = rows(settings), rows(rebuilt)
    assert mine.keys() == full.keys()
    for cid in mine:
        assert mine[cid][0] == full[cid][0]
        assert np.allclose(mine[cid][1], full[cid][1], atol=1e-5)
    question = "How do I retry a failed job?"
    answers = [Assistant(s, embedder) for s in (settings, rebuilt)]
    hits = [[h.chunk.id for h in a.retrieve(question)] for a in answers]
    assert hits[0] == hits[1] and hits[0]
    assert answers[0].ask(question).citations[0].chunk.source == "new.md"
    # Keyword scores match chunk by chunk, whatever the row order.
    assert keyword_scores(settings, question) == keyword_scores(rebuilt, question)


def keyword_scores(settings, question: str) -> dict[str, float]:
    index = LocalIndex(settings.index_dir)
    name = index.current_name()
    assert name is not None
    scores = load_bm25(index.root / name / "bm25").get_scores(tokenize(question))
    return {c.id: round(float(scores[i]), 5) for i, c in enumerate(index.load(name).chunks)}


def test_noop_does_not_open_chunk_data(settings, embedder) -> None:
    sync(settings, embedder=embedder)
    index = LocalIndex(settings.index_dir)
    name = index.current_name()
    assert name is not None
    chunks = index.root / name / "chunks.jsonl"
    saved = chunks.read_bytes()
    chunks.write_bytes(b"x" * len(saved))  # same size, but any read of the chunks would fail
    report = sync(settings, embedder=embedder)
    chunks.write_bytes(saved)
    assert report.files_read == 0 and report.rows_read is None
    assert not report.changed and len(report.unchanged) + report.unchanged_rows == report.chunks
    assert index.current_name() == name
    assert report.summary().startswith(f"added 0, updated 0, removed 0, unchanged {report.chunks}")


def test_touched_file_is_read_but_not_a_change(settings, embedder, kb: Path) -> None:
    sync(settings, embedder=embedder)
    name = LocalIndex(settings.index_dir).current_name()
    path = kb / EDITED
    path.write_text(path.read_text())  # same bytes, new mtime
    report = sync(settings, embedder=embedder)
    assert report.files_read == 1 and not report.changed
    assert LocalIndex(settings.index_dir).current_name() == name


def test_killed_incremental_ingest_keeps_the_previous_generation(settings, embedder, kb) -> None:
    sync(settings, embedder=embedder)
    index = LocalIndex(settings.index_dir)
    previous = index.current_name()
    assert previous is not None
    before = folder_digest(index.root / previous)
    for i in range(40):
        (kb / f"extra-{i}.md").write_text(f"# Extra {i}\n\n" + f"Sentence number {i}. " * 30)
    kill_while_embedding(cli_env(settings))
    assert index.current_name() == previous
    assert folder_digest(index.root / previous) == before
    assert Assistant(settings, embedder).ask("What should I mock in tests?").citations
    report = sync(settings, embedder=embedder)
    assert report.rows_read == 0 and len(report.added) == 40  # incremental: nothing old read
    assert len(index.load().chunks) == report.chunks


def test_keyword_index_scores_like_bm25s_and_updates_like_a_rebuild() -> None:
    import bm25s
    from conftest import FIXTURE_KB

    from ingest.bm25 import KeywordIndex
    from ingest.chunk import chunk_markdown

    texts = [
        c.embed_text
        for path in sorted(FIXTURE_KB.rglob("*.md"))
        for c in chunk_markdown(path.read_text(), path.name)
    ]
    reference = bm25s.BM25()
    reference.index([tokenize(t) or ["\x00empty"] for t in texts], show_progress=False)
    ours = KeywordIndex.build(texts)
    for question in ["What should I mock in tests?", "flask blueprint register app factory"]:
        tokens = [t for t in tokenize(question) * 2 if t in reference.vocab_dict]
        assert np.allclose(ours.get_scores(tokens), reference.get_scores(tokens), atol=1e-5)
    # Dropping the first two rows and adding them back at the end equals building afresh.
    moved = ours.updated(np.arange(2, len(texts)), texts[:2])
    rebuilt = KeywordIndex.build(texts[2:] + texts[:2])
    tokens = tokenize("mock fixtures flask")
    assert np.allclose(moved.get_scores(tokens), rebuilt.get_scores(tokens))
