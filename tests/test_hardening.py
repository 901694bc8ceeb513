"""Issue 11, ingest and index side: races, stale digests, unreadable indexes."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, cli_env, start_ingest

from app.core.engine import Assistant
from app.core.status import changed_files
from ingest.store import LocalIndex
from ingest.sync import sync

QUESTION = "What should I mock in tests?"


def _wait_for(predicate, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# ---- kb-ingest --watch (defect 12) ----


def test_watch_sees_a_save_made_during_its_first_ingest(settings, kb: Path) -> None:
    for i in range(30):  # enough to embed for a few seconds
        (kb / f"bulk-{i}.md").write_text(f"# Bulk {i}\n\n" + f"Sentence {i} on queues. " * 30)
    proc = start_ingest(cli_env(settings), "--watch")
    assert proc.stdout is not None and proc.stderr is not None
    summaries: list[str] = []
    reader = threading.Thread(
        target=lambda: summaries.extend(iter(proc.stdout.readline, "")), daemon=True
    )
    reader.start()
    try:
        seen = ""
        while "embedding" not in seen:  # the first ingest has read the files and is embedding
            char = proc.stderr.read(1)
            assert char, f"ingest ended before embedding: {seen}"
            seen += char
        path = kb / "practice" / "testing.md"
        path.write_text(path.read_text() + "\n## Saved mid-ingest\n\nPin the clock in tests.\n")
        assert not summaries  # the save landed while the first ingest ran
        threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep stderr drained
        _wait_for(lambda: len(summaries) == 2, timeout=180)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    assert summaries[1].startswith("added 1, updated 0, removed 0"), summaries
    assert any("Pin the clock" in c.text for c in LocalIndex(settings.index_dir).load().chunks)


# ---- file digests (defect 6) ----


def test_an_edit_that_changes_no_chunk_stops_showing_as_modified(settings, embedder, kb) -> None:
    path = kb / "practice" / "testing.md"
    path.write_text("---\nowner: alice\n---\n" + path.read_text())
    sync(settings, embedder=embedder)
    before = LocalIndex(settings.index_dir).load()
    path.write_text(path.read_text().replace("owner: alice", "owner: bob"))  # front matter only

    def modified() -> tuple[str, ...]:
        meta = LocalIndex(settings.index_dir).load().meta
        return changed_files(kb, settings.max_file_bytes, meta["files"]).modified

    assert modified() == ("practice/testing.md",)
    report = sync(settings, embedder=embedder)
    assert not report.changed and report.embedded == 0  # no chunk changed, nothing embedded
    assert modified() == ()  # the sidebar and "Open section" stop warning
    after = LocalIndex(settings.index_dir).load()
    # The same chunks (an incremental generation may store them in another order).
    assert {c.id: c.to_dict() for c in after.chunks} == {c.id: c.to_dict() for c in before.chunks}
    assert sync(settings, embedder=embedder).generation is None  # and then nothing to write


# ---- an index that cannot be read right now is not a damaged one ----


def _without_root_privileges() -> list[str]:
    """A prefix that makes root obey file modes, as any other user does."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to drop root's file-permission override")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


def test_unreadable_index_fails_cleanly_and_keeps_the_chunks_of_skipped_files(
    settings, embedder, kb: Path
) -> None:
    sync(settings, embedder=embedder)
    flask = kb / "web" / "flask-basics.md"
    flask.write_bytes(flask.read_bytes() + b"\xff\xfe")  # now unreadable: its chunks are kept
    assert sync(settings, embedder=embedder).kept == ["web/flask-basics.md"]
    index = LocalIndex(settings.index_dir)
    before = index.current_name()
    kept = {c.id for c in index.load().chunks if c.source == "web/flask-basics.md"}
    assert kept
    chunks_file = index.root / before / "chunks.jsonl"
    testing = kb / "practice" / "testing.md"  # an edit: the ingest must read indexed chunks
    testing.write_text(testing.read_text() + "\nKeep fixtures small.\n")
    chunks_file.chmod(0)
    try:
        result = subprocess.run(
            [*_without_root_privileges(), sys.executable, "-m", "ingest"],
            env=cli_env(settings),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        if chunks_file.exists():  # (a rebuild would have pruned it)
            chunks_file.chmod(0o644)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("kb-ingest: error: cannot read index generation")
    assert "Permission denied" in result.stderr and len(result.stderr.splitlines()) == 1
    assert index.current_name() == before  # no rebuild: the kept chunks are still served
    assert kept <= {c.id for c in index.load().chunks}


# ---- a damaged generation: every question retries, none may leak a Chroma client ----


def _open_files_under(folder: Path) -> list[str]:
    """Files this process holds open inside `folder` (deleted ones included)."""
    gc.collect()  # a closed client's last SQLite handle goes with its garbage
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder) + "/"):
            found.append(target)
    return found


def test_retrying_a_damaged_generation_leaks_no_chroma_client(settings, embedder) -> None:
    import chromadb

    from ingest.errors import IndexCorrupt
    from ingest.store import COLLECTION, chroma_settings

    sync(settings, embedder=embedder)
    index = LocalIndex(settings.index_dir)
    damaged = index.root / index.current_name()
    client = chromadb.PersistentClient(path=str(damaged / "chroma"), settings=chroma_settings())
    collection = client.get_collection(COLLECTION)
    collection.delete(ids=[index.load().chunks[0].id])  # Chroma now disagrees with the chunks
    client.close()
    assert _open_files_under(damaged) == []
    assistant = Assistant(settings, embedder)
    for _ in range(5):  # every question retries the damaged generation
        with pytest.raises(IndexCorrupt, match="disagree"):
            assistant.ask(QUESTION)
    assert _open_files_under(damaged) == []  # no client (and its files) left open


SWITCH_QUESTION = "What should I mock in tests, and should I quarantine them?"


def _build_generations(settings, embedder, kb: Path, count: int) -> list[str]:
    """`count` real generations that differ in chunks and in word weights; all kept."""
    aside = settings.data_dir / "aside"
    names = []
    for i in range(count):
        for old in kb.glob("quarantine-*.md"):
            old.unlink()
        for j in range(2 * (i + 1)):  # "quarantine" weighs less in each generation
            (kb / f"quarantine-{j}.md").write_text(f"# Flaky {j}\n\nQuarantine flaky suites.\n")
        report = sync(settings, embedder=embedder)
        assert report.generation
        names.append(report.generation)
        shutil.copytree(settings.index_dir / report.generation, aside / report.generation)
    for name in names:  # undo the pruning
        if not (settings.index_dir / name).exists():
            shutil.copytree(aside / name, settings.index_dir / name)
    return names


@pytest.mark.slow
def test_each_question_reads_one_generation_while_generations_switch(
    settings, embedder, kb: Path
) -> None:
    index = LocalIndex(settings.index_dir)
    names = _build_generations(settings, embedder, kb, 3)
    chunks = {name: index.load(name).chunks for name in names}
    known = {name: {(c.id, c.hash) for c in chunks[name]} for name in names}
    thresholds = {name: index.load(name).meta["refusal"]["threshold"] for name in names}
    assistant = Assistant(settings, embedder)
    done = threading.Event()
    errors: list[str] = []
    answers = []
    switches = 0

    def switch() -> None:  # publish the generations in turn, faster than any ingest could
        nonlocal switches
        while not done.is_set():
            index.publish(names[switches % len(names)])
            switches += 1
            time.sleep(0.002)

    def session() -> None:
        asked = 0
        while asked < 10 or (switches < 30 and asked < 200):
            asked += 1
            try:
                answers.append(assistant.ask(SWITCH_QUESTION))
            except Exception as exc:  # the UI would show this one as a traceback
                errors.append(f"{type(exc).__name__}: {exc}")

    switcher = threading.Thread(target=switch)
    switcher.start()
    sessions = [threading.Thread(target=session) for _ in range(8)]
    for thread in sessions:
        thread.start()
    for thread in sessions:
        thread.join()
    done.set()
    switcher.join()
    assert switches >= 30
    assert not errors, f"{len(errors)} of {len(errors) + len(answers)} failed: {errors[:3]}"
    mixed = []
    for answer in answers:  # hits and refusal threshold from the one generation it names
        hits = {(h.chunk.id, h.chunk.hash) for h in answer.hits}
        name = answer.extra["generation"]
        if not hits <= known[name] or answer.extra["threshold"] != thresholds[name]:
            mixed.append(answer)
    assert not mixed, f"{len(mixed)} of {len(answers)} answers mix generations"
    current = assistant.reader.current().name
    still_open = {n for n in names if _open_files_under(settings.index_dir.resolve() / n)}
    assert still_open <= {current}  # each replaced generation was closed after its last question
