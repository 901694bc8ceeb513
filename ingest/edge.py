"""What every entry point does first: offline environment, settings, one-line errors."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from ingest.config import Settings
from ingest.errors import KBError

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}


def prepare_process() -> None:
    """Keep model libraries off the network; must run before they are imported."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def load_settings() -> Settings:
    return Settings.from_env(os.environ)


def run_cli(prog: str, main: Callable[[], int]) -> int:
    """Run a command, turning our errors into one line on stderr and exit status 1."""
    prepare_process()
    try:
        return main()
    except KBError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
