"""LLM mode against a real OpenAI-compatible HTTP server on 127.0.0.1 with canned replies."""

from __future__ import annotations

from dataclasses import replace

import pytest
from llm_server import FakeLLM

from app.core.answer import Answer
from app.core.engine import Assistant
from ingest.errors import LLMError
from ingest.sync import sync


@pytest.fixture
def server():
    with FakeLLM() as fake:
        yield fake


@pytest.fixture
def assistant(settings, embedder, server) -> Assistant:
    sync(settings, embedder=embedder)
    llm_settings = replace(settings, llm="openai", llm_base_url=server.url, llm_model="fake")
    return Assistant(llm_settings, embedder)


def collect(assistant: Assistant, question: str) -> tuple[list[str], Answer]:
    pieces, final = [], None
    for item in assistant.ask_stream(question):
        if isinstance(item, Answer):
            final = item
        else:
            pieces.append(item)
    assert final is not None
    return pieces, final


def test_streaming_answer_keeps_valid_citations_and_drops_bogus_ones(assistant, server) -> None:
    server.reply = "Mock only at the boundaries of your system [1]. Fixtures can be shared [9]."
    pieces, answer = collect(assistant, "What should I mock in tests?")
    assert len(pieces) > 3  # it streamed, word by word
    assert "".join(pieces) == server.reply
    assert "[9]" not in answer.text and "[1]" in answer.text
    assert [c.n for c in answer.citations] == [1]
    assert answer.verified and answer.mode == "llm"


def test_the_answer_keeps_the_question_as_typed(assistant, server) -> None:
    """The model reads the question without the chatter around it; the answer (stored with the
    chat, echoed by kb-ask) keeps it as typed."""
    server.reply = "Mock only at the boundaries of your system [1]."
    typed = "hey guys, What should I mock in tests? thx"
    _, answer = collect(assistant, typed)
    assert answer.question == typed
    assert "hey guys" not in server.requests[-1]["messages"][1]["content"]


def test_passages_are_sent_as_data_with_numbers(assistant, server) -> None:
    server.reply = "See [1]."
    collect(assistant, "What should I mock in tests?")
    messages = server.requests[-1]["messages"]
    assert "not instructions" in messages[0]["content"]
    assert '<passage n="1"' in messages[1]["content"]
    assert "Mock only at the boundaries" in messages[1]["content"]


def test_answer_without_valid_citation_is_unverified(assistant, server) -> None:
    server.reply = "Always mock everything [7]."
    _, answer = collect(assistant, "What should I mock in tests?")
    assert answer.citations == [] and not answer.verified
    assert "Unverified" in answer.notice


def test_injected_instructions_and_outside_images_are_not_rendered(assistant, server) -> None:
    server.reply = (
        "Mock at boundaries [1]. ![tracker](https://evil.example/pixel.png) "
        "[click me](https://evil.example/phish) <img src=x onerror=alert(1)> https://evil.example/x"
    )
    _, answer = collect(assistant, "What should I mock in tests?")
    assert "evil.example" not in answer.text
    assert "<img" not in answer.text and "onerror" not in answer.text
    assert "click me" in answer.text and answer.verified


def test_server_error_gives_a_clear_message(assistant, server) -> None:
    server.status = 500
    with pytest.raises(LLMError, match=r"LLM backend at http://127\.0\.0\.1:\d+/v1 failed"):
        collect(assistant, "What should I mock in tests?")


def test_unreachable_server_gives_a_clear_message(settings, embedder) -> None:
    sync(settings, embedder=embedder)
    dead = replace(settings, llm="openai", llm_base_url="http://127.0.0.1:9/v1", llm_model="x")
    with pytest.raises(LLMError, match="failed"):
        collect(Assistant(dead, embedder), "What should I mock in tests?")


def test_uncovered_question_is_refused_without_calling_the_llm(assistant, server) -> None:
    _, answer = collect(assistant, "What is the capital of France?")
    assert answer.refused and server.requests == []


def test_the_model_reads_passages_as_a_reader_sees_them(settings, embedder, server) -> None:
    (settings.kb_dir / "retries.md").write_text(
        "# Retrying HTTP calls\n\n"
        "## Backoff for flaky upstreams { #backoff }\n\n"
        '!!! warning "Idempotency first"\n'
        "    Retry an upstream call with exponential backoff only when the request is idempotent.\n"
        "<!-- internal: owner is the payments team -->\n"
        "<details><summary>Why jitter</summary>Jitter spreads retries out.</details>\n",
        encoding="utf-8",
    )
    sync(settings, embedder=embedder)
    llm_settings = replace(settings, llm="openai", llm_base_url=server.url, llm_model="fake")
    server.reply = "Back off exponentially, idempotent calls only [1]."
    _, answer = collect(Assistant(llm_settings, embedder), "How should I retry a flaky upstream?")
    prompt = server.requests[-1]["messages"][1]["content"]
    assert 'section="Retrying HTTP calls › Backoff for flaky upstreams"' in prompt
    assert "Retry an upstream call with exponential backoff" in prompt
    for markup in ("!!!", "{ #backoff }", "<!--", "payments team", "<details>", "<summary>"):
        assert markup not in prompt
    # The citation still points at the exact lines of the file.
    assert answer.citations[0].text.startswith("## Backoff for flaky upstreams { #backoff }")
