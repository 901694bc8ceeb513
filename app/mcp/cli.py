"""kb-mcp's command line: stdio for agents that launch it, streamable HTTP behind a token."""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import sys
from dataclasses import replace
from pathlib import Path

from ingest.edge import load_settings, run_cli
from ingest.errors import ConfigError, KBError

DEFAULT_PORT = 8765
MIN_TOKEN_CHARS = 16
DESCRIPTION = """Serve the knowledge base to coding agents over the Model Context Protocol.

Tools: search_kb, ask_kb, read_section, list_documents (and reingest with --allow-ingest);
resources kb://<document>; prompt consult-kb. Read-only unless --allow-ingest.

examples:
  kb-mcp                          # stdio, what Claude Code, Cline, Roo Code and VS Code launch
  kb-mcp --http                   # streamable HTTP at http://127.0.0.1:8765/mcp
  KB_MCP_TOKEN=$(openssl rand -hex 32) kb-mcp --http --host 0.0.0.0   # other hosts: token
  claude mcp add kb -- /path/to/.venv/bin/kb-mcp
"""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


class BearerToken:
    """ASGI middleware: every HTTP request must carry `Authorization: Bearer <token>`."""

    def __init__(self, app, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            given = dict(scope["headers"]).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"www-authenticate", b'Bearer realm="kb-mcp"'),
                        ],
                    }
                )
                body = b'{"error": "missing or wrong bearer token (KB_MCP_TOKEN)"}'
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def serve_http(server, host: str, port: int, token: str | None) -> None:
    import uvicorn

    app = server.streamable_http_app(host=host)
    if token:
        app = BearerToken(app, token)
    shown = f"[{host}]" if ":" in host else host
    guard = " (bearer token required)" if token else ""
    print(f"kb-mcp: serving http://{shown}:{port}/mcp{guard}", file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kb-mcp", description=DESCRIPTION, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--kb", type=Path, help="knowledge-base folder (default: KB_DIR or kb)")
    parser.add_argument("--data", type=Path, help="data folder (default: KB_DATA_DIR or data)")
    parser.add_argument("--http", action="store_true", help="serve streamable HTTP, not stdio")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="HTTP port (default 8765)")
    parser.add_argument(
        "--allow-ingest", action="store_true", help="offer the reingest tool (writes the index)"
    )
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error("--port must be between 1 and 65535")

    def run() -> int:
        settings = load_settings()
        settings = replace(
            settings,
            kb_dir=args.kb or settings.kb_dir,
            data_dir=args.data or settings.data_dir,
        )
        token = settings.mcp_token
        if token is not None and len(token) < MIN_TOKEN_CHARS:
            raise ConfigError(
                f"KB_MCP_TOKEN is {len(token)} characters; use at least {MIN_TOKEN_CHARS} "
                "(e.g. openssl rand -hex 32)"
            )
        if args.http and not is_loopback(args.host) and not token:
            raise ConfigError(
                f"--host {args.host} is reachable from other machines: "
                "set KB_MCP_TOKEN to a secret bearer token first"
            )
        from app.core.engine import Assistant
        from app.mcp.server import build_server

        assistant = Assistant(settings)
        _warm_up(assistant)
        server = build_server(assistant, allow_ingest=args.allow_ingest)
        if args.http:
            serve_http(server, args.host, args.port, settings.mcp_token)
        else:
            server.run()  # stdio
        return 0

    return run_cli("kb-mcp", run)


def _warm_up(assistant) -> None:
    """Load the model and open the index now, so the first tool call is as fast as the rest;
    a missing index is not fatal (the tools say "run kb-ingest")."""
    assistant.embedder.embed_query("warm up")
    try:
        assistant.reader.current()
    except KBError as exc:
        print(f"kb-mcp: warning: {exc}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
