"""Shared fixtures: the real embedding model once per session, fixture KBs copied to tmp_path."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.edge import prepare_process

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"
MODEL_CACHE = ROOT / "data" / "models"  # the ONNX graph and cached question vectors, shared

prepare_process()
# A shell that starts the suite in the background (`make test &`) makes it ignore SIGINT, and
# every process a test starts inherits that: `kb-ingest --watch` would then never see the Ctrl-C
# the watch tests send. Tests stand for a user at a terminal, where Ctrl-C is delivered.
signal.signal(signal.SIGINT, signal.default_int_handler)


def index_settings(kb_dir: Path, data_dir: Path):
    """Settings for an index a test builds: its own data folder, and the shared model folder, so
    the exported ONNX graph and the refusal calibration's question vectors are made once per
    run, not once per index."""
    from ingest.config import Settings

    return Settings(kb_dir=kb_dir, data_dir=data_dir, model_dir=MODEL_CACHE)


def below_floors(assistant, corpus: Path) -> tuple[list[str], dict[str, float]]:
    """The measures of `corpus`'s labelled questions (its questions.jsonl) that fall under its
    floors.json ("no floors.json" when it has none), and every measure."""
    from app.cli import evaluate_one
    from app.core.evaluate import failures, load_floors, load_questions, metrics

    questions = load_questions(corpus / "questions.jsonl")
    values = metrics([evaluate_one(assistant, q, 5) for q in questions], 5)
    floors = load_floors(corpus / "floors.json")
    return (failures(values, floors) if floors else ["no floors.json"]), values


@pytest.fixture(scope="session")
def embedder():
    """The real packaged model, loaded once for the whole run."""
    from ingest.embed import Embedder

    model = Embedder(onnx_dir=MODEL_CACHE)
    model.embed(["warm up"])
    return model


@pytest.fixture(scope="session")
def real_kb(tmp_path_factory, embedder):
    """Settings for an index of the real kb/, built once per run."""
    from ingest.sync import sync

    settings = index_settings(ROOT / "kb", tmp_path_factory.mktemp("real-data"))
    sync(settings, embedder=embedder)
    return settings


def small_kb_assistant(root: Path, embedder, files: dict[str, str]):
    """An assistant over a small knowledge base of `files` (name -> markdown) indexed under
    `root` with the real model and a real index."""
    from app.core.engine import Assistant
    from ingest.sync import sync

    kb = root / "kb"
    kb.mkdir()
    for name, text in files.items():
        (kb / name).write_text(text, encoding="utf-8")
    settings = index_settings(kb, root / "data")
    sync(settings, embedder=embedder)
    return Assistant(settings, embedder)


def extractive_text(assistant, question: str) -> str:
    """The extractive answer `assistant` gives to `question`, as plain text (see plain())."""
    from app.core.answer import extractive_answer
    from app.core.engine import term_weights

    with assistant.reader.pinned() as generation:
        hits = assistant.retrieve(question)
        answer = extractive_answer(question, hits, term_weights(generation), True)
    return plain(answer.text)


def assert_cites_exact_lines(answer, markdown: str) -> None:
    """Every citation of an answer from a one-file KB quotes exactly that file's lines."""
    lines = markdown.splitlines()
    assert answer.citations
    for citation in answer.citations:
        assert citation.text == "\n".join(lines[citation.start_line - 1 : citation.end_line])


def plain(text: str) -> str:
    """An answer's text without its [n] markers, on one line."""
    return " ".join(re.sub(r"\[\d+\]", "", text).split())


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A writable copy of the small fixture knowledge base."""
    folder = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, folder)
    return folder


@pytest.fixture
def settings(kb: Path, tmp_path: Path):
    return index_settings(kb, tmp_path / "data")


@pytest.fixture
def ui_env(settings, monkeypatch, tmp_path):
    """The environment the app reads its settings from, pointing at a copy of the fixture KB."""
    for name in ("KB_TOP_K", "KB_EMBED_MODEL", "KB_CHROMA_HOST", "KB_LLM_MODEL", "KB_LLM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("KB_LLM_MAX_TOKENS", "KB_LLM_TIMEOUT", "KB_CHAT_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KB_DIR", str(settings.kb_dir))
    monkeypatch.setenv("KB_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("KB_MODEL_DIR", str(MODEL_CACHE))
    monkeypatch.setenv("KB_LLM", "none")
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    return settings


@pytest.fixture
def ui(ui_env, embedder):
    """The same, with the fixture KB ingested."""
    from ingest.sync import sync

    sync(ui_env, embedder=embedder)
    return ui_env


def cli_env(settings=None, **extra: str) -> dict[str, str]:
    """Environment for running our console scripts in a subprocess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update({"PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1", "KB_MODEL_DIR": str(MODEL_CACHE)})
    if settings is not None:
        env.update({"KB_DIR": str(settings.kb_dir), "KB_DATA_DIR": str(settings.data_dir)})
    env.update(extra)
    return env


def run_module(module: str, *args: str, env: dict[str, str], timeout: float = 300, **kw):
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        env=env,
        cwd=kw.pop("cwd", ROOT),
        capture_output=True,
        text=True,
        timeout=timeout,
        **kw,
    )


def start_ingest(env: dict[str, str], *args: str) -> subprocess.Popen:
    """`python -m ingest` in the background, with its output piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", *args],
        env=env,
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def kill_while_embedding(env: dict[str, str]) -> None:
    """Start an ingest and SIGKILL it once its progress bar shows it is embedding."""
    proc = start_ingest(env)
    assert proc.stderr is not None
    seen = ""
    while "embedding" not in seen:
        char = proc.stderr.read(1)
        assert char, f"ingest ended before embedding: {seen}"
        seen += char
    proc.kill()
    proc.wait(timeout=30)


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    """Terminate a server process, killing it if it does not stop in time."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def strace_or_skip() -> str:
    """The strace binary, checked to work here (CI installs it; missing there is a failure)."""
    found = shutil.which("strace")
    if found is None:
        message = "strace is missing: apt-get install strace (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    probe = subprocess.run([found, "-f", "-o", os.devnull, "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"strace cannot trace here: {probe.stderr.decode().strip()}")
    return found


def pointing(page: str, test) -> list[str]:
    """The units of `page` (its chunks, each the top hit) that `test` says point elsewhere."""
    from app.core.passages import split_units
    from app.core.retrieve import Hit
    from app.core.scorer import Candidate
    from ingest.chunk import chunk_markdown

    found = []
    for chunk in chunk_markdown(page, "page.md"):
        units = split_units(chunk)
        hit = Hit(chunk, 0.6, 5.0, 0.03, 1)
        found += [u.quote for u in units if test(Candidate(hit, u, tuple(units)))]
    return found
