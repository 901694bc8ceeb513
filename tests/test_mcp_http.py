"""kb-mcp over streamable HTTP: bound beyond loopback behind a bearer token, many clients."""

from __future__ import annotations

import shutil
import subprocess

import anyio
import httpx2
import pytest
from anyio.from_thread import start_blocking_portal
from conftest import FIXTURE_KB, cli_env, index_settings, stop
from mcp_client import KB_MCP, connected, free_port, http_session, start_http, text_of

from ingest.config import Settings
from ingest.sync import sync

pytestmark = pytest.mark.slow

TOKEN = "test-token-7f3a9c"
QUESTION = "What should I mock?"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"},
    },
}


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, embedder) -> Settings:
    base = tmp_path_factory.mktemp("mcp-http")
    shutil.copytree(FIXTURE_KB, base / "kb")
    settings = index_settings(base / "kb", base / "data")
    sync(settings, embedder=embedder)
    return settings


@pytest.fixture(scope="module")
def url(indexed: Settings):
    """One server for the module, on every interface, with a token and the reingest tool."""
    port = free_port()
    server = start_http(
        cli_env(indexed, KB_MCP_TOKEN=TOKEN), port, "--host", "0.0.0.0", "--allow-ingest"
    )
    yield f"http://127.0.0.1:{port}/mcp"
    stop(server)


def test_tools_over_http_including_reingest(url: str, indexed: Settings) -> None:
    with connected(http_session(url, TOKEN)) as client:
        assert set(client.tools()) == {
            "search_kb",
            "ask_kb",
            "read_section",
            "list_documents",
            "reingest",
        }
        found = client.call("search_kb", {"query": QUESTION, "k": 1}).structured_content
        passage = found["passages"][0]
        lines = (indexed.kb_dir / passage["source"]).read_text().splitlines()
        assert passage["text"] == "\n".join(lines[passage["start_line"] - 1 : passage["end_line"]])
        answer = client.call("ask_kb", {"question": QUESTION}).structured_content
        assert not answer["refused"] and "Mock only at the boundaries" in answer["answer"]
        section = client.call(
            "read_section", {"source": passage["source"], "anchor": passage["anchor"]}
        )
        assert passage["text"] in section.structured_content["text"]
        listing = client.call("list_documents").structured_content
        assert len(listing["documents"]) == 3

        (indexed.kb_dir / "web" / "caching.md").write_text(
            "# Caching\n\n## Who owns invalidation\n\nCache invalidation needs an owner.\n"
        )
        ingested = client.call("reingest")
        assert not ingested.is_error, text_of(ingested)
        assert ingested.structured_content["summary"].startswith("added 1, updated 0")
        found = client.call("search_kb", {"query": "Who owns cache invalidation?", "k": 1})
        assert found.structured_content["passages"][0]["source"] == "web/caching.md"
        assert found.structured_content["generation"] == ingested.structured_content["generation"]


def test_ten_concurrent_clients(url: str) -> None:
    async def one(n: int, results: dict) -> None:
        async with http_session(url, TOKEN) as session:
            for _ in range(3):
                result = await session.call_tool("search_kb", {"query": QUESTION, "k": 2})
                assert not result.is_error
                results.setdefault(n, []).append(result.structured_content["passages"])

    async def all_clients() -> dict:
        results: dict = {}
        async with anyio.create_task_group() as group:
            for n in range(10):
                group.start_soon(one, n, results)
        return results

    with start_blocking_portal() as portal:
        results = portal.call(all_clients)
    assert len(results) == 10
    answers = [p for calls in results.values() for p in calls]
    assert len(answers) == 30 and all(a == answers[0] for a in answers)


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "bearer"]
)
def test_a_missing_or_wrong_token_is_rejected(url: str, header: str | None) -> None:
    headers = {"Accept": "application/json, text/event-stream"}
    if header is not None:
        headers["Authorization"] = header
    response = httpx2.post(url, json=INITIALIZE, headers=headers, timeout=30)
    assert response.status_code == 401
    assert "KB_MCP_TOKEN" in response.text and "search_kb" not in response.text
    good = httpx2.post(
        url, json=INITIALIZE, headers={**headers, "Authorization": f"Bearer {TOKEN}"}, timeout=30
    )
    assert good.status_code == 200


def test_the_sdk_client_cannot_connect_with_a_wrong_token(url: str) -> None:
    from mcp import MCPError

    with pytest.raises(ExceptionGroup) as failure:  # the 401 fails initialize, in a task group
        with connected(http_session(url, "wrong-token")):
            pass
    assert failure.group_contains(MCPError, match="error response")


@pytest.mark.parametrize(
    ("token", "says"), [(None, "--host 0.0.0.0 is reachable"), ("short", "at least 16")]
)
def test_refuses_to_listen_beyond_loopback_without_a_good_token(
    indexed: Settings, token: str | None, says: str
) -> None:
    extra = {"KB_MCP_TOKEN": token} if token else {}
    result = subprocess.run(
        [KB_MCP, "--http", "--host", "0.0.0.0", "--port", str(free_port())],
        env=cli_env(indexed, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "KB_MCP_TOKEN" in result.stderr and says in result.stderr
