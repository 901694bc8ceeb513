"""kb-mcp over stdio, driven by the official SDK client the way an agent launches it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import FIXTURE_KB, cli_env, index_settings
from mcp_client import connected, stdio_session, text_of

from ingest.config import Settings
from ingest.store import LocalIndex
from ingest.sync import sync

pytestmark = pytest.mark.slow

TASK = (
    "Add a Flask blueprint for the orders routes, write pytest fixtures for it and tell me "
    "what to mock, and make sure the async endpoints never block the event loop."
)
SECRET = "root:x:0:0 this line lives outside the knowledge base"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, embedder) -> Settings:
    """A small real index of a copy of the fixture KB, plus a file outside the KB."""
    base = tmp_path_factory.mktemp("mcp-stdio")
    shutil.copytree(FIXTURE_KB, base / "kb")
    (base / "outside.md").write_text(f"# Outside\n\n{SECRET}\n")
    settings = index_settings(base / "kb", base / "data")
    sync(settings, embedder=embedder)
    return settings


@pytest.fixture(scope="module")
def client(indexed: Settings):
    with connected(stdio_session(cli_env(indexed))) as session:
        yield session


def file_lines(settings: Settings, source: str, start: int, end: int) -> str:
    lines = (settings.kb_dir / source).read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[start - 1 : end])


def test_lists_the_read_only_tools_with_schemas(client) -> None:
    tools = client.tools()
    assert set(tools) == {"search_kb", "ask_kb", "read_section", "list_documents"}
    search = tools["search_kb"]
    assert set(search.input_schema["properties"]) == {"query", "k", "section"}
    assert search.input_schema["required"] == ["query"]
    assert "aspect" in search.description and search.output_schema is not None
    for tool in tools.values():
        assert tool.annotations.read_only_hint is True
        assert tool.description and tool.output_schema


def test_search_covers_every_aspect_of_a_task(client, indexed: Settings) -> None:
    result = client.call("search_kb", {"query": TASK})
    assert not result.is_error, text_of(result)
    found = result.structured_content
    assert len(found["aspects"]) >= 3
    served = {p["aspect"] for p in found["passages"]}
    assert served == set(found["aspects"])  # every aspect has a passage, labelled
    sources = {p["source"] for p in found["passages"]}
    assert sources == {"web/flask-basics.md", "practice/testing.md", "web/fastapi-basics.md"}
    for passage in found["passages"]:
        assert passage["text"] == file_lines(
            indexed, passage["source"], passage["start_line"], passage["end_line"]
        )
    assert [p["rank"] for p in found["passages"]] == list(range(1, len(found["passages"]) + 1))


def test_a_plain_question_is_one_aspect_with_k_passages(client) -> None:
    result = client.call("search_kb", {"query": "What should I mock?", "k": 2})
    found = result.structured_content
    assert found["aspects"] == ["What should I mock?"]
    assert len(found["passages"]) == 2
    assert found["passages"][0]["anchor"] == "what-to-mock"


def test_section_filter(client) -> None:
    result = client.call("search_kb", {"query": TASK, "section": "practice"})
    assert {p["source"] for p in result.structured_content["passages"]} == {"practice/testing.md"}


def test_ask_returns_exactly_what_kb_ask_json_prints(client, indexed: Settings) -> None:
    question = "How do I share a database session across a request in FastAPI?"
    result = client.call("ask_kb", {"question": question})
    assert not result.is_error, text_of(result)
    kb_ask = subprocess.run(
        [str(Path(sys.executable).parent / "kb-ask"), "--json", question],
        env=cli_env(indexed),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert kb_ask.returncode == 0, kb_ask.stderr
    assert result.structured_content == json.loads(kb_ask.stdout)
    answer = result.structured_content
    assert not answer["refused"] and answer["citations"]
    for citation in answer["citations"]:
        assert citation["text"] == file_lines(
            indexed, citation["source"], citation["start_line"], citation["end_line"]
        )
        assert f"[{citation['n']}]" in answer["answer"]


def test_ask_refuses_what_the_kb_does_not_cover(client) -> None:
    result = client.call("ask_kb", {"question": "What is the boiling point of tungsten?"})
    assert not result.is_error
    assert result.structured_content["refused"] is True
    assert result.structured_content["citations"] == []


def test_read_section_by_anchor_and_by_lines(client, indexed: Settings) -> None:
    section = client.call(
        "read_section", {"source": "practice/testing.md", "anchor": "what-to-mock"}
    ).structured_content
    assert section["heading_path"] == "Testing practice › What to mock"
    assert section["text"] == file_lines(
        indexed, "practice/testing.md", section["start_line"], section["end_line"]
    )
    assert section["text"].startswith("## What to mock")
    first = section["numbered"].splitlines()[0]
    assert first.split()[0] == str(section["start_line"]) and "## What to mock" in first
    lines = client.call(
        "read_section", {"source": "web/flask-basics.md", "start_line": 3, "end_line": 5}
    ).structured_content
    assert lines["text"] == file_lines(indexed, "web/flask-basics.md", 3, 5)
    whole = client.call("read_section", {"source": "web/flask-basics.md"}).structured_content
    assert whole["text"] == (indexed.kb_dir / "web/flask-basics.md").read_text().rstrip("\n")


def test_list_documents_with_titles_and_headings(client) -> None:
    listing = client.call("list_documents").structured_content
    assert listing["sections"] == ["practice", "web"]
    by_source = {d["source"]: d for d in listing["documents"]}
    assert set(by_source) == {"practice/testing.md", "web/fastapi-basics.md", "web/flask-basics.md"}
    testing = by_source["practice/testing.md"]
    assert testing["title"] == "Testing practice" and testing["uri"] == "kb://practice/testing.md"
    assert "flaky-tests" in [h["anchor"] for h in testing["headings"]]
    web = client.call("list_documents", {"section": "web"}).structured_content
    assert {d["source"] for d in web["documents"]} == {
        "web/fastapi-basics.md",
        "web/flask-basics.md",
    }


def test_documents_are_resources_and_the_prompt_wraps_a_task(client, indexed: Settings) -> None:
    uris = {str(r.uri) for r in client.list_resources().resources}
    assert "kb://practice/testing.md" in uris and len(uris) == 3
    read = client.read_resource("kb://web/flask-basics.md")
    assert read.contents[0].text == (indexed.kb_dir / "web/flask-basics.md").read_text().rstrip()
    prompt = client.get_prompt("consult-kb", {"task": TASK})
    text = prompt.messages[0].content.text
    assert TASK in text and "search_kb" in text and "cite" in text.lower()


@pytest.mark.parametrize(
    ("tool", "arguments", "says"),
    [
        ("read_section", {"source": "../outside.md"}, "'..' is not allowed"),
        ("read_section", {"source": "web/../../outside.md"}, "'..' is not allowed"),
        ("read_section", {"source": "/etc/passwd"}, "absolute path"),
        ("read_section", {"source": "C:\\Windows\\win.ini"}, "not a KB path"),
        ("read_section", {"source": "web/nope.md"}, "unknown source"),
        ("read_section", {"source": ""}, "source is empty"),
        ("read_section", {"source": "web/flask-basics.md", "anchor": "nope"}, "no heading"),
        ("read_section", {"source": "web/flask-basics.md", "start_line": 0}, "outside"),
        ("read_section", {"source": "web/flask-basics.md", "end_line": 99}, "lines 1–18"),
        ("read_section", {"source": "web/flask-basics.md", "start_line": 9, "end_line": 3}, "≤"),
        ("read_section", {"source": "web/flask-basics.md", "start_line": -5}, "outside"),
        ("search_kb", {"query": "x" * 100_000}, "100,000 characters"),
        ("search_kb", {"query": "  \n "}, "query is empty"),
        ("search_kb", {"query": "mocks", "k": 0}, "k must be between 1 and 20"),
        ("search_kb", {"query": "mocks", "section": "nowhere"}, "unknown section 'nowhere'"),
        ("search_kb", {"query": "mocks", "k": "many"}, "valid integer"),
        ("ask_kb", {"question": ""}, "question is empty"),
        ("ask_kb", {"question": "why? " * 20_000}, "characters; at most"),
        ("list_documents", {"section": "../"}, "unknown section"),
    ],
)
def test_bad_input_is_a_tool_error_not_a_crash(client, tool, arguments, says) -> None:
    result = client.call(tool, arguments)
    assert result.is_error
    message = text_of(result)
    assert says in message and len(message.splitlines()) <= 4
    assert SECRET not in message
    assert client.call("list_documents").structured_content["documents"]  # still serving


def test_symlinks_out_of_the_kb_never_leak(client, indexed: Settings) -> None:
    outside = indexed.kb_dir.parent / "outside.md"
    link = indexed.kb_dir / "web" / "leak.md"
    link.symlink_to(outside)
    indexed_file = indexed.kb_dir / "web" / "flask-basics.md"
    saved = indexed_file.read_text()
    try:
        unindexed = client.call("read_section", {"source": "web/leak.md"})
        assert unindexed.is_error and "unknown source" in text_of(unindexed)
        # An indexed file swapped for a symlink: the indexed text, never the target's.
        indexed_file.unlink()
        indexed_file.symlink_to(outside)
        swapped = client.call("read_section", {"source": "web/flask-basics.md"})
        assert not swapped.is_error
        assert SECRET not in swapped.structured_content["text"]
        assert swapped.structured_content["text"].startswith("# Flask basics")
        assert "no longer in the knowledge base" in swapped.structured_content["notice"]
        resource = client.read_resource("kb://web/flask-basics.md")
        assert SECRET not in resource.contents[0].text
    finally:
        link.unlink()
        indexed_file.unlink()
        indexed_file.write_text(saved)


def test_missing_index_says_run_kb_ingest(indexed: Settings, tmp_path: Path) -> None:
    empty = Settings(kb_dir=indexed.kb_dir, data_dir=tmp_path / "no-index")
    with connected(stdio_session(cli_env(empty))) as fresh:
        for tool, arguments in [
            ("search_kb", {"query": "What should I mock?"}),
            ("ask_kb", {"question": "What should I mock?"}),
            ("read_section", {"source": "practice/testing.md"}),
            ("list_documents", {}),
        ]:
            result = fresh.call(tool, arguments)
            assert result.is_error and "run kb-ingest" in text_of(result), tool
        assert fresh.list_resources().resources == []


def test_reingest_while_connected_is_picked_up_and_calls_never_mix(
    client, indexed: Settings, embedder
) -> None:
    index = LocalIndex(indexed.index_dir)
    before = client.call("search_kb", {"query": TASK}).structured_content["generation"]
    assert before == index.current_name()
    new_fact = "Quarantine a flaky test with a ticket number and a deadline."
    (indexed.kb_dir / "practice" / "quarantine.md").write_text(
        f"# Quarantine\n\n## Flaky test quarantine\n\n{new_fact}\n"
    )
    results: list[dict] = []
    stop = threading.Event()

    def keep_searching() -> None:
        while not stop.is_set():
            results.append(client.call("search_kb", {"query": TASK}).structured_content)

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        sync(indexed, embedder=embedder)
    finally:
        stop.set()
        searcher.join()
    after = index.current_name()
    assert after != before
    found = client.call("search_kb", {"query": "How do I quarantine a flaky test?", "k": 1})
    assert found.structured_content["generation"] == after
    assert found.structured_content["passages"][0]["source"] == "practice/quarantine.md"
    # Every passage of every call comes from the generation that call reports.
    chunks = {name: index.load(name).chunks for name in (before, after)}
    for result in results:
        held = {(c.id, c.source, c.start_line, c.text) for c in chunks[result["generation"]]}
        for p in result["passages"]:
            assert any(
                (c[1], c[2], c[3]) == (p["source"], p["start_line"], p["text"]) for c in held
            )
    os.remove(indexed.kb_dir / "practice" / "quarantine.md")
