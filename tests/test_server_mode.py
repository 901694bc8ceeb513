"""Server mode: the same ingest and app against a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ROOT, cli_env, kill_while_embedding, run_module, stop

from ingest.config import Settings
from ingest.errors import IndexCorrupt, IndexNotBuilt, IngestLocked, StoreUnavailable
from ingest.lease import LEASE_COLLECTION
from ingest.server_store import GENERATION_PREFIX, ServerIndex
from ingest.sync import sync

QUESTION = "What should I mock in tests?"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def chroma_binary() -> str:
    beside = Path(sys.executable).with_name("chroma")
    found = str(beside) if beside.exists() else shutil.which("chroma")
    if found is None:
        pytest.skip("the chroma command (from the chromadb package) is not installed")
    return found


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory: pytest.TempPathFactory):
    """A real Chroma server for this module, stopped at the end."""
    folder = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = open(folder / "server.log", "w")
    server = subprocess.Popen(
        [
            chroma_binary(),
            "run",
            "--path",
            str(folder / "db"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        deadline = time.monotonic() + 60
        while not _heartbeat(port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"chroma run did not start:\n{(folder / 'server.log').read_text()}"
                )
            time.sleep(0.2)
        yield port
    finally:
        stop(server)
        log.close()


def _heartbeat(port: int) -> bool:
    import httpx

    try:
        return httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).is_success
    except httpx.TransportError:
        return False


@pytest.fixture
def index(chroma_port: int):
    """A handle on the server, emptied first so every test starts from no index."""
    handle = ServerIndex("127.0.0.1", chroma_port)
    client = handle._connect()
    for collection in client.list_collections():
        client.delete_collection(collection.name)
    yield handle
    handle.close()


@pytest.fixture
def server_settings(settings: Settings, index: ServerIndex) -> Settings:
    return replace(settings, chroma_host=index.host, chroma_port=index.port)


def server_env(settings: Settings, **extra: str) -> dict[str, str]:
    return cli_env(
        settings,
        KB_CHROMA_HOST=settings.chroma_host or "",
        KB_CHROMA_PORT=str(settings.chroma_port),
        **extra,
    )


def contents(index: ServerIndex) -> dict[tuple[str, str], str]:
    return {(c.source, c.heading_path): c.text for c in index.load().chunks}


def generations(index: ServerIndex) -> list[str]:
    """Generations the server still holds (a record each; their rows live in lineages)."""
    meta = index._meta_collection(create=False)
    got = meta.get(where={"kind": "generation"}, include=["metadatas"])
    return sorted(GENERATION_PREFIX + m["generation"] for m in got["metadatas"])


def test_first_ingest_fills_a_generation_in_the_server(server_settings, index, embedder) -> None:
    report = sync(server_settings, embedder=embedder)
    assert report.files == 3 and len(report.added) == report.chunks == report.embedded > 5
    assert index.current_name() == report.generation
    loaded = index.load(vectors=True)
    assert loaded.vectors is not None and loaded.vectors.shape == (report.chunks, 384)
    assert loaded.meta["model"] == "all-MiniLM-L6-v2" and loaded.meta["chunks"] == report.chunks
    assert (
        "Mock only at the boundaries"
        in contents(index)[("practice/testing.md", "Testing practice › What to mock")]
    )
    assert not server_settings.index_dir.exists()  # nothing local in server mode


def test_passages_round_trip_exactly(server_settings, index, embedder, kb: Path) -> None:
    sync(server_settings, embedder=embedder)
    for chunk in index.load().chunks:
        lines = (kb / chunk.source).read_text(encoding="utf-8").splitlines()
        assert "\n".join(lines[chunk.start_line - 1 : chunk.end_line]) == chunk.text


def test_noop_reingest_embeds_nothing(server_settings, index, embedder) -> None:
    first = sync(server_settings, embedder=embedder).generation
    from ingest.embed import Embedder

    unloaded = Embedder()
    report = sync(server_settings, embedder=unloaded)
    assert (len(report.added), len(report.updated), len(report.removed)) == (0, 0, 0)
    assert report.embedded == 0 and unloaded._model is None
    assert index.current_name() == first


def test_noop_ingest_and_a_question_never_import_chromadb(server_settings, index, embedder) -> None:
    """chromadb takes ~0.6 s to import, more than a no-op's whole budget: only writes use it."""
    sync(server_settings, embedder=embedder)
    env = server_env(server_settings)
    probe = (
        "import sys, runpy; sys.argv = [{prog!r}, *{args!r}]\n"
        "try:\n    runpy.run_module({module!r}, run_name='__main__')\n"
        "except SystemExit as end:\n    assert not end.code, end.code\n"
        "print('chromadb' in sys.modules)"
    )
    for module, args in (("ingest", []), ("app.cli", [QUESTION])):
        code = probe.format(prog=module, args=args, module=module)
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == "False", module
    assert "unchanged" in run_module("ingest", env=env).stdout


def test_readers_rebuild_the_keyword_index_from_stored_counts_and_from_older_rows(
    server_settings, index, embedder
) -> None:
    from ingest.keyword import build_bm25, tokenize

    sync(server_settings, embedder=embedder)
    generation, view, stored = index.load_with_collection(None)
    rebuilt = build_bm25([c.embed_text for c in generation.chunks])
    queries = [tokenize(q) for q in (QUESTION, "flask blueprints register routes", "zzz")]
    for tokens in queries:
        assert stored.get_scores(tokens).tolist() == rebuilt.get_scores(tokens).tolist()
    assert stored.document_frequencies() == rebuilt.document_frequencies()
    # A row written before rows carried their term counts: the reader tokenizes its text.
    (first,) = view.collection.get(where={"start_line": 1}, include=[])["ids"][:1]
    lineage = index._connect().get_collection(view.collection.name, embedding_function=None)
    lineage.update(ids=[first], metadatas=[{"terms": None}])  # None deletes the field
    assert "terms" not in view.collection.get(ids=[first], include=["metadatas"])["metadatas"][0]
    _, _, mixed = index.load_with_collection(None)
    for tokens in queries:
        assert mixed.get_scores(tokens).tolist() == rebuilt.get_scores(tokens).tolist()


def test_one_line_edit_updates_one_chunk(server_settings, index, embedder, kb: Path) -> None:
    sync(server_settings, embedder=embedder)
    path = kb / "web" / "flask-basics.md"
    path.write_text(
        path.read_text().replace("register it on the app", "register it on the app once")
    )
    report = sync(server_settings, embedder=embedder)
    assert [c.heading_path for c in report.updated] == ["Flask basics › Blueprints group routes"]
    assert report.embedded == 1 and not report.added and not report.removed
    assert (
        "register it on the app once"
        in contents(index)[("web/flask-basics.md", "Flask basics › Blueprints group routes")]
    )


def test_deleted_file_disappears_and_old_generations_are_pruned(
    server_settings, index, embedder, kb: Path
) -> None:
    first = sync(server_settings, embedder=embedder)
    (kb / "web" / "flask-basics.md").unlink()
    second = sync(server_settings, embedder=embedder)
    assert second.removed and not second.added and second.embedded == 0
    assert {source for source, _ in contents(index)} == {
        "web/fastapi-basics.md",
        "practice/testing.md",
    }
    (kb / "practice" / "testing.md").unlink()
    third = sync(server_settings, embedder=embedder)
    assert {source for source, _ in contents(index)} == {"web/fastapi-basics.md"}
    assert generations(index) == sorted(
        GENERATION_PREFIX + g for g in (second.generation, third.generation)
    )
    with pytest.raises(IndexCorrupt):  # the first one is gone, records and all
        index.load(first.generation)


def test_assistant_answers_from_the_server_and_follows_new_generations(
    server_settings, index, embedder, kb: Path
) -> None:
    from app.core.engine import Assistant

    sync(server_settings, embedder=embedder)
    assistant = Assistant(server_settings, embedder)
    answer = assistant.ask(QUESTION)
    assert not answer.refused
    assert "practice/testing.md" in {c.chunk.source for c in answer.citations}
    path = kb / "practice" / "testing.md"
    path.write_text(path.read_text().replace("third-party HTTP API", "third-party payment API"))
    sync(server_settings, embedder=embedder)  # as another machine's ingest would
    again = assistant.ask(QUESTION)
    assert any("third-party payment API" in c.chunk.text for c in again.citations)


@pytest.mark.slow
def test_two_app_processes_answer_from_the_shared_server(
    server_settings, embedder, tmp_path
) -> None:
    sync(server_settings, embedder=embedder)
    env = server_env(replace(server_settings, data_dir=tmp_path / "no-local-index"))
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "app.cli", QUESTION, "--json"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        answer = json.loads(out)
        assert not answer["refused"]
        assert "practice/testing.md" in {c["source"] for c in answer["citations"]}
    assert not (tmp_path / "no-local-index").exists()


def test_second_ingest_is_refused_while_the_lease_is_held(server_settings, index, embedder) -> None:
    with ServerIndex(index.host, index.port).lock():
        with pytest.raises(IngestLocked, match="another kb-ingest .* is running"):
            sync(server_settings, embedder=embedder)
        started = time.monotonic()
        result = run_module("ingest", env=server_env(server_settings))
        assert result.returncode == 1
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stderr.startswith("kb-ingest: error: another kb-ingest")
        assert f"127.0.0.1:{index.port}" in result.stderr
        assert time.monotonic() - started < 60  # it fails fast instead of waiting
    assert sync(server_settings, embedder=embedder).chunks > 0  # and the lease was released
    assert LEASE_COLLECTION not in {c.name for c in index._connect().list_collections()}


@pytest.mark.parametrize("holder", ["expired", "dead process on this host"])
def test_an_abandoned_lease_is_taken_over(server_settings, index, embedder, holder) -> None:
    client = index._connect()
    now = client.heartbeat()
    if holder == "expired":
        fields = {"holder": "elsewhere pid 1", "host": "elsewhere", "pid": 1, "expires_ns": now - 1}
    else:
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        fields = {
            "holder": "here",
            "host": socket.gethostname(),
            "pid": dead.pid,
            "expires_ns": now + 3600 * 10**9,
        }
    client.create_collection(LEASE_COLLECTION, metadata=fields, embedding_function=None)
    assert sync(server_settings, embedder=embedder).generation is not None


def test_a_long_ingest_keeps_its_lease_alive(index) -> None:
    holder = ServerIndex(index.host, index.port, lease_seconds=0.6)
    try:
        with holder.lock():
            time.sleep(2.0)  # more than three lease lengths: only renewal keeps it
            with pytest.raises(IngestLocked, match="another kb-ingest"):
                with ServerIndex(index.host, index.port).lock():
                    pass
    finally:
        holder.close()


def test_a_lease_lost_midway_publishes_nothing(server_settings, index, embedder) -> None:
    sync(server_settings, embedder=embedder)
    before = index.current_name()
    writer = ServerIndex(index.host, index.port)
    with writer.lock():
        index._connect().delete_collection(LEASE_COLLECTION)  # as a takeover would
        with pytest.raises(IngestLocked, match="lost its lease"):
            writer.publish("g-should-not-appear")
    writer.close()
    assert index.current_name() == before


@pytest.mark.slow
def test_killed_ingest_leaves_the_index_and_does_not_block_the_next(
    server_settings, index, embedder, kb: Path
) -> None:
    sync(server_settings, embedder=embedder)
    before = contents(index)
    for i in range(40):  # enough new chunks that embedding takes a few seconds
        (kb / f"extra-{i}.md").write_text(f"# Extra {i}\n\n" + f"Sentence number {i}. " * 30)
    kill_while_embedding(server_env(server_settings))
    assert contents(index) == before  # the published index is untouched
    report = sync(server_settings, embedder=embedder)  # no wait for the dead holder's lease
    assert len(report.added) == 40 and report.chunks == len(before) + 40
    assert len(generations(index)) <= 2


def test_empty_server_and_incomplete_generation(server_settings, index) -> None:
    from app.core.engine import Assistant

    with pytest.raises(IndexNotBuilt, match=f"127.0.0.1:{index.port}"):
        index.load()
    with pytest.raises(IndexNotBuilt):
        Assistant(server_settings).ask(QUESTION)
    index.publish("g-never-written")  # a pointer at a generation without its meta record
    with pytest.raises(IndexCorrupt, match="run kb-ingest"):
        index.load()
    result = run_module("app.cli", QUESTION, env=server_env(server_settings))
    assert result.returncode == 1
    assert result.stderr.startswith("kb-ask: error: index generation g-never-written")


def test_a_server_that_is_not_running_is_a_one_line_error(settings: Settings) -> None:
    port = free_port()  # nothing listens here
    down = replace(settings, chroma_host="127.0.0.1", chroma_port=port)
    with pytest.raises(StoreUnavailable, match=f"127.0.0.1:{port}.*KB_CHROMA_HOST"):
        sync(down)
    for module, args, prog in (("ingest", (), "kb-ingest"), ("app.cli", (QUESTION,), "kb-ask")):
        result = run_module(module, *args, env=server_env(down), timeout=120)
        assert result.returncode == 1, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stderr.startswith(
            f"{prog}: error: cannot reach the Chroma server at 127.0.0.1:{port}"
        )
        assert "KB_CHROMA_HOST" in result.stderr


def test_a_generation_pruned_during_a_question_is_a_clear_error_then_the_newest_answers(
    server_settings, index, embedder, kb: Path
) -> None:
    from app.core.engine import Assistant
    from ingest.errors import GenerationGone

    sync(server_settings, embedder=embedder)
    assistant = Assistant(server_settings, embedder)
    path = kb / "practice" / "testing.md"
    with assistant.reader.pinned() as old:  # a question in flight on this generation...
        for word in ("payment", "billing"):  # ...while two ingests publish, and prune it
            path.write_text(path.read_text().replace("third-party", f"{word} third-party"))
            sync(server_settings, embedder=embedder)
        assert GENERATION_PREFIX + old.name not in generations(index)
        with pytest.raises(GenerationGone, match="was removed while answering; ask again"):
            assistant.retriever.search(QUESTION, generation=old)
    answer = assistant.ask(QUESTION)  # the next question pins the newest generation
    assert answer.extra["generation"] == index.current_name()
    assert any("payment billing third-party" in c.chunk.text for c in answer.citations)


def test_an_edit_sends_only_the_changed_file_and_each_generation_keeps_its_view(
    server_settings, index, embedder, kb: Path
) -> None:
    from ingest.server_lineage import LINEAGE_PREFIX

    first = sync(server_settings, embedder=embedder)
    client = index._connect()
    (lineage,) = [c for c in client.list_collections() if c.name.startswith(LINEAGE_PREFIX)]
    rows = lineage.count()
    path = kb / "practice" / "testing.md"
    file_chunks = sum(1 for c in index.load().chunks if c.source == "practice/testing.md")
    path.write_text(path.read_text().replace("third-party HTTP API", "third-party payment API"))
    # A killed attempt first: it wrote rows and death marks but published nothing.
    crashed = sync(server_settings, embedder=embedder, dry_run=True)
    assert crashed.updated and index.current_name() == first.generation
    index.write_delta(first.generation, ["web/flask-basics.md"], [], lineage_dummy(), {})
    second = sync(server_settings, embedder=embedder)
    assert second.embedded == len(second.updated) == 1
    assert [c.name for c in client.list_collections() if c.name.startswith(LINEAGE_PREFIX)] == [
        lineage.name
    ]  # the same collection: nothing was copied
    assert lineage.count() == rows + file_chunks  # only the edited file's rows were sent
    old = contents_of(index, first.generation)
    new = contents(index)
    key = ("practice/testing.md", "Testing practice › What to mock")
    assert "third-party HTTP API" in old[key] and "third-party payment API" in new[key]
    assert len(old) == len(new) == rows
    assert {k: v for k, v in old.items() if k != key} == {k: v for k, v in new.items() if k != key}


def lineage_dummy():
    import numpy as np

    return np.zeros((0, 384), dtype=np.float32)


def contents_of(index: ServerIndex, name: str) -> dict[tuple[str, str], str]:
    return {(c.source, c.heading_path): c.text for c in index.load(name).chunks}


def test_an_edit_keeps_the_capitals_the_kb_writes_current(
    server_settings, index, embedder, kb: Path
) -> None:
    """A question's keyword in capitals counts against it until the KB writes it so: the
    server's incremental edit records the edited file's capitals too."""
    from app.core.engine import Assistant

    sync(server_settings, embedder=embedder)
    asked, plain = "How do I group tests with GROUP BY?", "How do I group tests with group by?"
    assistant = Assistant(server_settings, embedder)
    assert assistant.ask(asked).extra["relevance"] < assistant.ask(plain).extra["relevance"]
    path = kb / "practice" / "testing.md"
    path.write_text(
        path.read_text() + "\n## Grouping\n\nCount failures per module with GROUP BY.\n"
    )
    report = sync(server_settings, embedder=embedder)
    assert report.rows_read is not None  # the incremental path wrote this generation
    assistant = Assistant(server_settings, embedder)
    assert assistant.ask(asked).extra["relevance"] == pytest.approx(
        assistant.ask(plain).extra["relevance"]
    )
