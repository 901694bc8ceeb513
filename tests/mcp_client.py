"""Drive a real kb-mcp process with the official MCP SDK client, from synchronous tests.

The SDK client is async; a blocking portal runs it on an event loop in a background thread, so
tests call `client.call("search_kb", {...})` and get the CallToolResult back.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from anyio.from_thread import BlockingPortal, start_blocking_portal
from conftest import ROOT

KB_MCP = str(Path(sys.executable).parent / "kb-mcp")


@asynccontextmanager
async def stdio_session(env: dict[str, str], *args: str) -> AsyncIterator[Any]:
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=KB_MCP, args=list(args), env=env, cwd=ROOT)
    with open(Path(env["KB_DATA_DIR"]).parent / "kb-mcp.stderr", "a") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


@asynccontextmanager
async def http_session(url: str, token: str | None) -> AsyncIterator[Any]:
    import httpx2
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(60, read=300)) as http:
        async with streamable_http_client(url, http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


class SyncClient:
    """A connected ClientSession, called from the test's thread."""

    def __init__(self, portal: BlockingPortal, session: Any) -> None:
        self.portal = portal
        self.session = session

    def call(self, tool: str, arguments: dict[str, Any] | None = None) -> Any:
        return self.portal.call(self.session.call_tool, tool, arguments or {})

    def tools(self) -> dict[str, Any]:
        return {t.name: t for t in self.portal.call(self.session.list_tools).tools}

    def __getattr__(self, name: str) -> Any:
        """Other session methods (list_resources, read_resource, get_prompt...), blocking."""
        method = getattr(self.session, name)
        return lambda *args: self.portal.call(method, *args)


@contextmanager
def connected(session_cm) -> Iterator[SyncClient]:
    with start_blocking_portal() as portal:
        with portal.wrap_async_context_manager(session_cm) as session:
            yield SyncClient(portal, session)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_http(env: dict[str, str], port: int, *args: str) -> subprocess.Popen:
    """`kb-mcp --http` in the background, returned once it accepts connections."""
    process = subprocess.Popen(
        [KB_MCP, "--http", "--port", str(port), *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"kb-mcp --http exited: {process.stderr.read()}")  # type: ignore[union-attr]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("kb-mcp --http did not start listening")


def text_of(result: Any) -> str:
    """The text content of a tool result (what an agent reads)."""
    return "\n".join(block.text for block in result.content if hasattr(block, "text"))
