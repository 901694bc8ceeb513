"""kb-chat: start the Streamlit UI on 127.0.0.1:8501."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("streamlit_app.py")
DESCRIPTION = """Start the chat UI (Streamlit) for the knowledge base.

It reads the same KB_* settings as kb-ask; run kb-ingest (or press Re-ingest in the
sidebar) to build the index. Arguments it does not know go to `streamlit run`.

examples:
  kb-chat                          # http://127.0.0.1:8501
  kb-chat --port 8600
  kb-chat --address 0.0.0.0        # listen on every interface (mind who can reach it)
  kb-chat --theme.base dark        # any other `streamlit run` option
"""


def command(argv: list[str] | None = None) -> list[str]:
    """The `python -m streamlit run …` command line kb-chat executes."""
    parser = argparse.ArgumentParser(
        prog="kb-chat", description=DESCRIPTION, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--address", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    args, extra = parser.parse_known_args(argv)
    if not 1 <= args.port <= 65535:
        parser.error("--port must be between 1 and 65535")
    return [
        sys.executable, "-m", "streamlit", "run", str(SCRIPT),
        "--server.address", args.address,
        "--server.port", str(args.port),
        "--browser.gatherUsageStats", "false",
        "--server.headless", "true",
        "--client.toolbarMode", "minimal",
        *extra,
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    from ingest.edge import prepare_process

    cmd = command(argv)
    prepare_process()  # Streamlit inherits it: telemetry off before anything is imported
    os.execv(sys.executable, cmd)  # replaces this process: signals reach Streamlit directly
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
