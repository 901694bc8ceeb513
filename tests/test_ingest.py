"""Ingestion against a real Chroma store and the real model, on the small fixture KB."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from conftest import cli_env, kill_while_embedding, run_module

from ingest.errors import IngestLocked, KBFolderError
from ingest.lock import ingest_lock
from ingest.store import LocalIndex
from ingest.sync import sync


def contents(settings) -> dict[tuple[str, str], str]:
    generation = LocalIndex(settings.index_dir).load()
    return {(c.source, c.heading_path): c.text for c in generation.chunks}


def chroma_count(settings) -> int:
    import chromadb

    from ingest.store import COLLECTION, chroma_settings

    index = LocalIndex(settings.index_dir)
    path = index.root / index.current_name() / "chroma"
    client = chromadb.PersistentClient(path=str(path), settings=chroma_settings())
    try:
        return client.get_collection(COLLECTION).count()
    finally:
        client.close()


def test_first_ingest_stores_every_chunk(settings, embedder) -> None:
    report = sync(settings, embedder=embedder)
    assert report.files == 3
    assert len(report.added) == report.chunks == report.embedded > 5
    assert chroma_count(settings) == report.chunks
    texts = contents(settings)
    assert (
        "Mock only at the boundaries"
        in texts[("practice/testing.md", "Testing practice › What to mock")]
    )


def test_noop_reingest_embeds_nothing_and_never_loads_the_model(settings, embedder) -> None:
    sync(settings, embedder=embedder)
    first = LocalIndex(settings.index_dir).current_name()
    from ingest.embed import Embedder

    unloaded = Embedder()
    report = sync(settings, embedder=unloaded)
    assert (len(report.added), len(report.updated), len(report.removed)) == (0, 0, 0)
    assert report.embedded == 0 and unloaded._model is None
    assert LocalIndex(settings.index_dir).current_name() == first  # nothing rewritten


def test_one_line_edit_reembeds_only_that_chunk(settings, embedder, kb: Path) -> None:
    sync(settings, embedder=embedder)
    path = kb / "web" / "flask-basics.md"
    path.write_text(
        path.read_text().replace("register it on the app", "register it on the app once")
    )
    report = sync(settings, embedder=embedder)
    assert [c.heading_path for c in report.updated] == ["Flask basics › Blueprints group routes"]
    assert report.embedded == 1 and not report.added and not report.removed
    assert (
        "register it on the app once"
        in contents(settings)[("web/flask-basics.md", "Flask basics › Blueprints group routes")]
    )


def test_lines_moving_updates_ranges_without_reembedding(settings, embedder, kb: Path) -> None:
    sync(settings, embedder=embedder)
    path = kb / "practice" / "testing.md"
    path.write_text("\n\n\n" + path.read_text())
    report = sync(settings, embedder=embedder)
    assert report.embedded == 0 and not report.updated
    lines = path.read_text().splitlines()
    for chunk in LocalIndex(settings.index_dir).load().chunks:
        if chunk.source == "practice/testing.md":
            assert "\n".join(lines[chunk.start_line - 1 : chunk.end_line]) == chunk.text


def test_delete_and_rename_are_reflected(settings, embedder, kb: Path) -> None:
    first = sync(settings, embedder=embedder)
    (kb / "web" / "flask-basics.md").unlink()
    (kb / "practice" / "testing.md").rename(kb / "practice" / "testing-guide.md")
    report = sync(settings, embedder=embedder)
    sources = {source for source, _ in contents(settings)}
    assert sources == {"web/fastapi-basics.md", "practice/testing-guide.md"}
    assert report.removed and report.added
    assert report.embedded == 0  # a rename re-uses the stored embeddings
    assert chroma_count(settings) == report.chunks < first.chunks


def test_second_concurrent_ingest_is_refused(settings, embedder) -> None:
    with ingest_lock(settings.index_dir):
        with pytest.raises(IngestLocked, match="another kb-ingest is running"):
            sync(settings, embedder=embedder)
        started = time.monotonic()
        result = run_module("ingest", env=cli_env(settings))
        assert result.returncode != 0
        assert "another kb-ingest is running" in result.stderr
        assert time.monotonic() - started < 30  # it fails fast instead of waiting
    assert sync(settings, embedder=embedder).chunks > 0  # and the lock is released


def test_dry_run_writes_nothing(settings, kb: Path) -> None:
    result = run_module("ingest", "--dry-run", env=cli_env(settings))
    assert result.returncode == 0, result.stderr
    assert "+ web/flask-basics.md › Flask basics › The application factory" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("added ")
    assert not (settings.index_dir / "CURRENT").exists()


def test_cli_summary_line_and_bad_files_skipped_by_name(settings, kb: Path, tmp_path: Path) -> None:
    (kb / "latin1.md").write_bytes("# Café\n\ncaf\xe9".encode("latin-1"))
    (kb / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (kb / "huge.md").write_text("# Huge\n\n" + "word " * 400_000)
    outside = tmp_path / "secret.md"
    outside.write_text("# Secret\n\nnot part of the KB")
    (kb / "link.md").symlink_to(outside)
    env = cli_env(settings, KB_MAX_FILE_MB="1")
    result = run_module("ingest", env=env)
    assert result.returncode == 0, result.stderr
    assert "skipped latin1.md: not UTF-8" in result.stderr
    assert "skipped binary.md: binary file" in result.stderr
    assert "skipped huge.md: 1.9 MB is over the 1 MB cap (KB_MAX_FILE_MB)" in result.stderr
    assert "skipped link.md: symlink pointing outside the KB folder" in result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("added ") and "(files 3, chunks " in summary
    assert {s for s, _ in contents(settings)} == {
        "web/fastapi-basics.md",
        "web/flask-basics.md",
        "practice/testing.md",
    }


@pytest.mark.parametrize("case", ["missing", "empty", "file"])
def test_bad_kb_folder_is_a_one_line_error(settings, tmp_path: Path, case: str) -> None:
    target = tmp_path / case
    if case == "empty":
        target.mkdir()
    elif case == "file":
        target.write_text("x")
    with pytest.raises(KBFolderError):
        sync(settings.__class__(kb_dir=target, data_dir=settings.data_dir))
    result = run_module("ingest", "--kb", str(target), env=cli_env(settings))
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("kb-ingest: error:") and str(target) in result.stderr


def test_unreadable_file_keeps_its_previous_chunks(settings, embedder, kb: Path) -> None:
    sync(settings, embedder=embedder)
    (kb / "web" / "flask-basics.md").write_bytes(b"\xff\xfe broken")
    report = sync(settings, embedder=embedder)
    assert report.kept == ["web/flask-basics.md"] and not report.removed
    assert ("web/flask-basics.md", "Flask basics › The application factory") in contents(settings)


def test_killed_ingest_leaves_the_old_index_and_the_next_run_converges(
    settings, embedder, kb
) -> None:
    sync(settings, embedder=embedder)
    before = contents(settings)
    for i in range(40):  # enough new chunks that embedding takes a few seconds
        (kb / f"extra-{i}.md").write_text(f"# Extra {i}\n\n" + f"Sentence number {i}. " * 30)
    kill_while_embedding(cli_env(settings))
    assert contents(settings) == before  # the published index is untouched
    report = sync(settings, embedder=embedder)
    assert len(report.added) == 40 and report.chunks == len(before) + 40
    assert chroma_count(settings) == report.chunks
    leftovers = [p.name for p in settings.index_dir.iterdir() if p.is_dir()]
    assert len(leftovers) <= 2  # the half-written generation was cleaned up


def test_meta_records_model_and_files(settings, embedder) -> None:
    sync(settings, embedder=embedder)
    index = LocalIndex(settings.index_dir)
    meta = json.loads((index.root / index.current_name() / "meta.json").read_text())
    assert meta["model"] == "all-MiniLM-L6-v2"
    assert set(meta["files"]) == {
        "web/fastapi-basics.md",
        "web/flask-basics.md",
        "practice/testing.md",
    }
