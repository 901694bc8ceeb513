"""What every entry point does first: offline environment, settings, one-line errors."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from ingest.config import Settings
from ingest.errors import KBError

# Every dependency's telemetry, switched off whatever the environment says. onnxruntime
# queues usage events under ~/.cache/Microsoft and sends them from long-lived processes
# unless this is set before it is imported (disable_telemetry_events() is not enough).
# Chroma 1.5's product telemetry is a no-op and its OpenTelemetry export needs an endpoint;
# Hugging Face and Streamlit have their switches; llama-index sends none.
TELEMETRY_OFF = {
    "ORT_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",  # Chroma
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",  # the cross-tool convention, for anything else
}
# Defaults a user may override (e.g. HF_HUB_OFFLINE=0 to fetch a KB_EMBED_MODEL once).
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}


def prepare_process() -> None:
    """Keep model libraries off the network; must run before they are imported."""
    os.environ.update(TELEMETRY_OFF)
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
    except BrokenPipeError:
        # The reader went away (`kb-ask ... | head`): stop quietly, as other command-line
        # tools do, and keep Python from failing again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
