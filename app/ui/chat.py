"""kb-chat: start the Streamlit UI on 127.0.0.1:8501 (the only supported way to start it)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.core.access import exposure_error
from ingest.edge import load_settings
from ingest.errors import KBError

SCRIPT = Path(__file__).with_name("streamlit_app.py")
DESCRIPTION = """Start the chat UI (Streamlit) for the knowledge base.

It reads the same KB_* settings as kb-ask; run kb-ingest (or press Re-ingest in the
sidebar) to build the index. Any address other than loopback needs KB_CHAT_PASSWORD: the
chat then asks for a name and that password first, and each name sees only its own chats.
Arguments it does not know go to Streamlit.

examples:
  kb-chat                          # http://127.0.0.1:8501
  kb-chat --port 8600
  KB_CHAT_PASSWORD=... kb-chat --address 0.0.0.0   # for a team: sign-in required
  kb-chat --theme.base dark        # any other Streamlit option
"""


def parse(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        prog="kb-chat", description=DESCRIPTION, formatter_class=argparse.RawTextHelpFormatter
    )
    # Streamlit's own spelling is taken too, so no pass-through option can widen the address.
    parser.add_argument(
        "--address", "--server.address", default="127.0.0.1", help="address to listen on"
    )
    parser.add_argument("--port", "--server.port", type=int, default=8501, help="port (8501)")
    args, extra = parser.parse_known_args(argv)
    if not 1 <= args.port <= 65535:
        parser.error("--port must be between 1 and 65535")
    return args, extra


def command(argv: list[str] | None = None) -> list[str]:
    """The `python -m streamlit run …` command line kb-chat executes."""
    args, extra = parse(argv)
    return [
        sys.executable, "-m", "streamlit", "run", str(SCRIPT),
        "--server.address", args.address,
        "--server.port", str(args.port),
        "--browser.gatherUsageStats", "false",
        "--server.headless", "true",
        "--client.toolbarMode", "minimal",
        "--client.showErrorDetails", "none",  # errors go to the server log, not the browser
        *extra,
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    from ingest.edge import prepare_process

    args, _ = parse(argv)
    try:
        problem = exposure_error(args.address, load_settings().chat_password)
    except KBError as exc:
        problem = str(exc)
    if problem:
        print(f"kb-chat: error: {problem}", file=sys.stderr)
        return 1
    cmd = command(argv)
    prepare_process()  # Streamlit inherits it: telemetry off before anything is imported
    os.execv(sys.executable, cmd)  # replaces this process: signals reach Streamlit directly
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
