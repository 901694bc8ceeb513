"""Ingest while serving, crashes at several points, watch mode, hostile input, offline."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, cli_env, run_module, start_ingest

from app.core.engine import Assistant
from ingest.errors import IndexCorrupt
from ingest.store import LocalIndex
from ingest.sync import sync

NEW_FACT = "Quarantine a flaky test with a ticket number and a deadline."


def popen(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def published(settings) -> dict[str, str]:
    return {c.id: c.text for c in LocalIndex(settings.index_dir).load().chunks}


def test_queries_keep_working_while_ingest_runs(settings, embedder, kb: Path) -> None:
    sync(settings, embedder=embedder)
    old_ids = set(published(settings))
    loop = popen(
        [str(ROOT / "tests" / "query_loop.py"), "How should I quarantine a flaky test?", "300"],
        cli_env(settings),
    )
    assert loop.stdout is not None
    first = json.loads(loop.stdout.readline())  # the loop is up and answering
    assert first["ok"], first
    # Edit, add and delete files, then ingest from another process.
    flaky = kb / "practice" / "testing.md"
    flaky.write_text(flaky.read_text() + f"\n## Quarantining flaky tests\n\n{NEW_FACT}\n")
    (kb / "new-topic.md").write_text("# Caching\n\nCache invalidation needs an owner.\n")
    (kb / "web" / "flask-basics.md").unlink()
    ingest = run_module("ingest", env=cli_env(settings))
    assert ingest.returncode == 0, ingest.stderr
    swapped_at = time.time()
    new_ids = set(published(settings))
    records = []
    for line in loop.stdout:
        records.append(json.loads(line))
        if records[-1]["t"] > swapped_at + 3:
            break
    loop.kill()
    loop.wait()
    assert records and all(r["ok"] for r in records), [r for r in records if not r["ok"]][:3]
    for r in records:  # each answer comes wholly from one generation, old or new
        assert r["known"]
        assert set(r["ids"]) <= old_ids or set(r["ids"]) <= new_ids
    late = [r for r in records if r["t"] > swapped_at + 2]
    assert late and all(NEW_FACT in r["answer"] for r in late)


def test_two_ingests_at_once_one_proceeds_one_refuses(settings, embedder, kb: Path) -> None:
    for i in range(20):
        (kb / f"bulk-{i}.md").write_text(f"# Bulk {i}\n\n" + f"Line {i} about queues. " * 40)
    env = cli_env(settings)
    first = start_ingest(env)
    assert first.stderr is not None
    while not (settings.index_dir / ".lock").exists() or "embedding" not in first.stderr.read(64):
        time.sleep(0.05)
    second = run_module("ingest", env=env)
    out, _ = first.communicate(timeout=300)
    assert second.returncode == 1 and "another kb-ingest is running" in second.stderr
    assert first.returncode == 0 and out.strip().splitlines()[-1].startswith("added ")


def _wait_for(predicate, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _new_generation(settings, before: set[str], needs: str | None):
    def seen() -> bool:
        for entry in settings.index_dir.iterdir():
            if entry.is_dir() and entry.name not in before:
                return needs is None or (entry / needs).exists()
        return False

    return seen


@pytest.mark.parametrize("moment", ["embedding", "writing", "before-swap"])
def test_sigkill_at_any_moment_keeps_the_old_index(settings, embedder, kb: Path, moment) -> None:
    sync(settings, embedder=embedder)
    before = published(settings)
    assistant = Assistant(settings, embedder)
    for i in range(30):
        (kb / f"extra-{i}.md").write_text(f"# Extra {i}\n\n" + f"Sentence {i} on retries. " * 30)
    dirs = {p.name for p in settings.index_dir.iterdir()}
    proc = start_ingest(cli_env(settings))
    assert proc.stderr is not None
    if moment == "embedding":
        _wait_for(lambda: "embedding" in proc.stderr.read(32))
    elif moment == "writing":
        _wait_for(_new_generation(settings, dirs, None))
    else:
        _wait_for(_new_generation(settings, dirs, "chroma"))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert published(settings) == before
    assert assistant.ask("What should I mock in tests?").citations  # still answering
    report = sync(settings, embedder=embedder)
    assert len(report.added) == 30 and report.chunks == len(before) + 30


def test_watch_mode_debounces_and_stops_cleanly(settings, embedder, kb: Path) -> None:
    sync(settings, embedder=embedder)
    proc = start_ingest(cli_env(settings), "--watch")
    assert proc.stdout is not None and proc.stderr is not None
    summaries: list[str] = []
    reader = threading.Thread(
        target=lambda: summaries.extend(iter(proc.stdout.readline, "")), daemon=True
    )
    reader.start()
    _wait_for(lambda: len(summaries) == 1)
    assert summaries[0].startswith("added 0, updated 0, removed 0")
    path = kb / "practice" / "testing.md"
    for i in range(3):  # a burst of saves
        path.write_text(path.read_text() + f"\nEdit number {i}.\n")
        time.sleep(0.2)
    _wait_for(lambda: len(summaries) == 2)
    (kb / "web" / "flask-basics.md").rename(kb / "web" / "flask.md")
    _wait_for(lambda: len(summaries) == 3)
    time.sleep(2.5)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0
    assert len(summaries) == 3  # three saves made one ingest
    assert summaries[1].startswith("added 0, updated 1, removed 0")
    assert "removed " in summaries[2] and "removed 0" not in summaries[2]
    assert "stopped watching" in proc.stderr.read()


AWKWARD = {
    "not-utf8.md": "latin".encode("latin-1") + b"\xe9\xff",
    "binary.md": bytes(range(256)),
    "empty.md": b"",
    "only-code.md": b"```python\nprint('hello')\n```\n",
    "long-lines.md": b"# Long\n\n" + b"word " * 50_000 + b"\n",
    "deep.md": b"# A\n## B\n### C\n#### D\n##### E\n###### F\n\nDeep text about deadlocks.\n",
    "dupes.md": b"# Dupes\n\n## Setup\n\none\n\n## Setup\n\ntwo\n",
    "front-matter.md": b"---\ntitle: x\ntags: [a]\n---\n# Front\n\nText after front matter.\n",
    "with space ü.md": "# Ünïcode name\n\nText in a file with spaces.\n".encode(),
}


def test_awkward_files_are_ingested_or_skipped_by_name(settings, kb: Path, tmp_path: Path) -> None:
    for name, data in AWKWARD.items():
        (kb / name).write_bytes(data)
    (kb / "huge.md").write_bytes(b"# Huge\n\n" + b"x" * (20 * 1024 * 1024))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\n\nnot ours\n")
    (kb / "escape.md").symlink_to(outside / "secret.md")
    (kb / "escape-dir").symlink_to(outside)
    result = run_module("ingest", env=cli_env(settings))
    assert result.returncode == 0, result.stderr
    for name, reason in [
        ("not-utf8.md", "not UTF-8"),
        ("binary.md", "binary file"),
        ("huge.md", "over the 10 MB cap"),
        ("escape.md", "symlink pointing outside"),
        ("escape-dir", "symlink pointing outside"),
    ]:
        line = next((x for x in result.stderr.splitlines() if x.startswith(f"skipped {name}:")), "")
        assert reason in line, result.stderr
    chunks = LocalIndex(settings.index_dir).load().chunks
    sources = {c.source for c in chunks}
    assert {
        "only-code.md",
        "long-lines.md",
        "deep.md",
        "dupes.md",
        "front-matter.md",
        "with space ü.md",
        "practice/testing.md",
    } <= sources
    assert not sources & {"not-utf8.md", "binary.md", "huge.md", "escape.md", "empty.md"}
    dupes = sorted(c.anchor for c in chunks if c.source == "dupes.md")
    assert dupes == ["setup", "setup-1"]  # the second heading gets GitHub's -1 suffix
    front = next(c for c in chunks if c.source == "front-matter.md")
    assert "title: x" not in front.text and front.start_line == 5


class ConnectionRecorder:
    """A TCP listener standing in for every proxy: any connection is an attempt to go online."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.sock.close()


AUDIT = """
import sys
def hook(event, args):
    if event in ("socket.connect", "socket.getaddrinfo"):
        target = args[1] if event == "socket.connect" else args[0]
        if not (isinstance(target, tuple) and str(target[0]).startswith("127.")) \\
                and target not in ("127.0.0.1", "localhost"):
            with open({log!r}, "a") as f:
                f.write(f"{{event}} {{target}}\\n")
sys.addaudithook(hook)
"""


def test_ingest_and_ask_never_reach_the_network(settings, tmp_path: Path) -> None:
    recorder = ConnectionRecorder()
    log = tmp_path / "network.log"
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(AUDIT.format(log=str(log)))
    proxy = f"http://127.0.0.1:{recorder.port}"
    env = cli_env(
        settings,
        PYTHONPATH=str(site),
        HTTP_PROXY=proxy,
        HTTPS_PROXY=proxy,
        ALL_PROXY=proxy,
        http_proxy=proxy,
        https_proxy=proxy,
        NO_PROXY="",
    )
    env.pop("HF_HUB_OFFLINE")  # our own code must switch the hub off, not the caller
    try:
        ingest = run_module("ingest", env=env)
        ask = run_module("app.cli", "What should I mock in tests?", env=env)
    finally:
        recorder.close()
    assert ingest.returncode == 0, ingest.stderr
    assert ask.returncode == 0 and "[1]" in ask.stdout, ask.stderr
    assert recorder.connections == 0
    assert not log.exists(), log.read_text()


def _corrupt(folder: Path, how: str) -> None:
    if how == "chroma-deleted":
        import shutil

        shutil.rmtree(folder / "chroma")
    elif how == "chroma-garbage":
        for path in (folder / "chroma").rglob("*.sqlite3"):
            path.write_bytes(b"this is not a database" * 100)
    elif how == "vectors-truncated":
        (folder / "vectors.npy").write_bytes(b"\x93NUMPY")
    elif how == "meta-deleted":
        (folder / "meta.json").unlink()
    elif how == "bm25-deleted":
        import shutil

        shutil.rmtree(folder / "bm25")


@pytest.mark.parametrize(
    "how", ["chroma-deleted", "chroma-garbage", "vectors-truncated", "meta-deleted", "bm25-deleted"]
)
def test_damaged_generation_is_reported_then_rebuilt(settings, embedder, how: str) -> None:
    sync(settings, embedder=embedder)
    index = LocalIndex(settings.index_dir)
    _corrupt(index.root / index.current_name(), how)
    with pytest.raises(IndexCorrupt, match="damaged .* run kb-ingest to rebuild it"):
        Assistant(settings, embedder).ask("What should I mock in tests?")
    report = sync(settings, embedder=embedder)
    assert report.chunks > 0 and report.generation is not None
    assert Assistant(settings, embedder).ask("What should I mock in tests?").citations


def test_damaged_store_is_a_one_line_error_from_the_cli(settings, embedder) -> None:
    sync(settings, embedder=embedder)
    index = LocalIndex(settings.index_dir)
    _corrupt(index.root / index.current_name(), "chroma-garbage")
    ask = run_module("app.cli", "What should I mock in tests?", env=cli_env(settings))
    assert ask.returncode == 1, ask.stdout  # a clear message, not a traceback or a segfault
    assert ask.stderr.startswith("kb-ask: error:") and "kb-ingest" in ask.stderr
    assert len(ask.stderr.strip().splitlines()) == 1
