"""kb-chat: start the Streamlit UI on 127.0.0.1:8501."""

from __future__ import annotations

import sys


def main() -> int:
    print("kb-chat: not built yet", file=sys.stderr)
    return 2
