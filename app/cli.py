"""kb-ask and kb-eval (being built)."""

from __future__ import annotations

import sys


def ask_main() -> int:
    print("kb-ask: not built yet", file=sys.stderr)
    return 2


def eval_main() -> int:
    print("kb-eval: not built yet", file=sys.stderr)
    return 2
