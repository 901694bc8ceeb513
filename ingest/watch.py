"""kb-ingest --watch: poll the KB folder and re-ingest after a burst of saves settles."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ingest.config import Settings
from ingest.errors import IngestLocked, KBError

POLL_SECONDS = 0.5
DEBOUNCE_SECONDS = 1.0


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every markdown file: cheap enough to poll twice a second."""
    state = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.lower().endswith(".md"):
                path = os.path.join(folder, name)
                try:
                    info = os.lstat(path)
                except OSError:
                    continue
                state[path] = (info.st_mtime_ns, info.st_size)
    return state


def watch(settings: Settings, ingest_once: Callable[[], None], max_runs: int | None = None) -> int:
    """Ingest now, then again after each settled change; Ctrl-C stops cleanly."""
    runs = 0

    def run() -> None:
        nonlocal runs
        runs += 1
        try:
            ingest_once()
        except IngestLocked as exc:
            print(f"kb-ingest: {exc}; will retry on the next change", file=sys.stderr)
        except KBError as exc:
            print(f"kb-ingest: error: {exc}", file=sys.stderr)

    print(f"watching {settings.kb_dir} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    seen = snapshot(settings.kb_dir)  # before the ingest: saves made during it count as changes
    run()
    try:
        while max_runs is None or runs < max_runs:
            time.sleep(POLL_SECONDS)
            now = snapshot(settings.kb_dir)
            if now == seen:
                continue
            while True:  # wait until the burst of saves is over
                time.sleep(DEBOUNCE_SECONDS)
                settled = snapshot(settings.kb_dir)
                if settled == now:
                    break
                now = settled
            seen = now
            run()
    except KeyboardInterrupt:
        print("stopped watching", file=sys.stderr)
    return 0
