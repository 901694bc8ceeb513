"""Snippet includes (`--8<-- "path"`, `{* path *}`): which files a page includes, read from the
KB folder only. How an include is shown lives in ingest/markdown.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ingest.markdown import FASTAPI_SNIPPET, MDX_INCLUDE, SNIPPET, SNIPPET_BLOCK

MAX_SNIPPET_BYTES = 100_000


def snippet_paths(text: str) -> list[str]:
    """The files a document includes with `--8<--`, `{* ... *}` or `{! ... !}`, as written."""
    paths, in_block = [], False
    for line in text.splitlines():
        if SNIPPET_BLOCK.match(line):
            in_block = not in_block
            continue
        match = SNIPPET.match(line) or FASTAPI_SNIPPET.match(line) or MDX_INCLUDE.match(line)
        if match:
            paths.append(match.group(1))
        elif in_block and line.strip() and not line.strip().startswith(";"):
            paths.append(line.strip())
    return paths


def snippet_reader(root: Path, source: str) -> Callable[[str], str | None]:
    """Read an included file from the KB folder: relative to the including file, to the KB root,
    or (for `../../docs_src/x.py`) the same path under the KB root; never outside the KB."""
    base = root.resolve()
    here = (base / source).parent

    def read(path: str) -> str | None:
        name = re.sub(r":\d+(:\d+)?$", "", path)
        stripped = re.sub(r"^(?:\.\./)+", "", name)
        for candidate in (here / name, base / name, base / stripped):
            try:
                resolved = candidate.resolve()
                if not resolved.is_relative_to(base) or not resolved.is_file():
                    continue
                if resolved.stat().st_size > MAX_SNIPPET_BYTES:
                    continue
                return resolved.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError, ValueError):
                continue
        return None

    return read
