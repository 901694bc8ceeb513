"""Eight chat sessions at once (each a process driving the real app through AppTest), asking,
rating, deleting chats and pressing Re-ingest for half a minute, while another process keeps
re-ingesting a KB that changes under them: no exception, no lost history row, and every
answer drawn from one index generation."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, cli_env, run_module

from app.core import history
from ingest.sync import sync

pytestmark = pytest.mark.slow

SESSIONS = 8
SECONDS = 30  # long enough for several ingests to publish while every session asks
MARKER = """# Rotation marker

## Releases

The rotation marker for releases is rotation-v{n}: releases ship behind a feature flag and the
rotation marker names the current release train rotation-v{n}.

## Rollbacks

The rotation marker for rollbacks is rotation-v{n}: a rollback restores the previous release
train, and the rotation marker rotation-v{n} tells which one is live.
"""


def write_marker(kb: Path, n: int) -> None:
    (kb / "practice" / "rotation.md").write_text(MARKER.format(n=n), encoding="utf-8")


def test_eight_sessions_while_another_process_reingests(settings, embedder, tmp_path):
    write_marker(settings.kb_dir, 0)
    sync(settings, embedder=embedder)
    env = cli_env(settings, KB_LLM="none")
    go = tmp_path / "go"
    logs = [(tmp_path / f"session{i}.log").open("wb") for i in range(SESSIONS)]
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "tests" / "stress_session.py"),
                str(i),
                str(go),
                str(SECONDS),
                str(tmp_path / f"report{i}.json"),
            ],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        for i, log in enumerate(logs)
    ]
    try:
        deadline = time.monotonic() + 300
        while len(list(tmp_path.glob("go.ready*"))) < SESSIONS:
            assert all(w.poll() is None for w in workers), "a session died while starting"
            assert time.monotonic() < deadline, "the sessions did not start"
            time.sleep(0.5)
        go.touch()
        started, version, ingests, failures = time.monotonic(), 0, 0, []
        while any(w.poll() is None for w in workers):
            version += 1
            write_marker(settings.kb_dir, version)
            result = run_module("ingest", env=env, timeout=300)
            if result.returncode == 0:
                ingests += 1
            elif "another kb-ingest is running" not in result.stderr:  # a session's Re-ingest
                failures.append(result.stderr)
        lasted = time.monotonic() - started
    finally:
        for worker in workers:
            worker.kill() if worker.poll() is None else None
            worker.wait()
        for log in logs:
            log.close()

    reports = []
    for i in range(SESSIONS):
        path = tmp_path / f"report{i}.json"
        assert path.exists(), (tmp_path / f"session{i}.log").read_text()[-3000:]
        reports.append(json.loads(path.read_text()))
    asked = sum(r["asked"] for r in reports)
    print(f"\n{SESSIONS} sessions, {lasted:.0f} s: {asked} questions, {ingests} ingests")
    assert lasted >= SECONDS
    assert not failures, failures[:2]
    assert ingests >= 2
    assert all(r["asked"] >= 1 for r in reports)
    assert [r["exceptions"] for r in reports] == [[]] * SESSIONS
    assert [r["mixed"] for r in reports] == [[]] * SESSIONS  # one generation per answer

    db = history.db_path(settings.data_dir)
    for report in reports:  # not one history row lost
        for chat, count in report["chats"].items():
            assert len(history.messages(db, int(chat))) == count, chat
        for ids in report["feedback"].values():
            assert all(history.get_feedback(db, m) is not None for m in ids)
