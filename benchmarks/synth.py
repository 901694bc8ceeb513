"""A larger KB made deterministically from the real one, for measuring at scale.

Copy 0 is the KB verbatim; copy k > 0 swaps a per-copy choice of common words for synonyms
(outside code blocks) and renames every heading, so its chunks embed and hash differently
and nothing is trivially deduplicated. Copy k lives under `vNN/`, so stripping the first
path component of a source gives back the original file.

Only the first DISTINCT copies are different texts: copy k repeats copy k % DISTINCT word for
word (in another folder), so a 100x KB holds 100x the files, chunks, rows and index size, but
its full ingest embeds 10x the text, once per distinct chunk (identical chunks share their
vector by content hash, as renamed files do). Everything but embedding scales by 100.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

SYNONYMS = {
    "use": "employ",
    "make": "create",
    "keep": "retain",
    "small": "compact",
    "large": "big",
    "fast": "quick",
    "slow": "sluggish",
    "simple": "plain",
    "change": "modify",
    "check": "verify",
    "function": "routine",
    "method": "technique",
    "request": "call",
    "response": "reply",
    "error": "fault",
    "problem": "issue",
    "example": "sample",
    "important": "essential",
    "often": "frequently",
    "good": "sound",
    "bad": "poor",
    "team": "group",
    "code": "source",
    "test": "check",
    "data": "records",
    "review": "assessment",
    "write": "author",
    "read": "consume",
    "start": "begin",
    "need": "require",
    "help": "assist",
    "show": "display",
    "build": "construct",
    "clear": "explicit",
    "easy": "straightforward",
    "usually": "typically",
}
QUALIFIERS = [
    "in practice",
    "revisited",
    "notes",
    "overview",
    "a second look",
    "essentials",
    "field guide",
    "in depth",
    "by example",
]
DISTINCT = 10  # different texts; further copies repeat them
HEADING = re.compile(r"^(#{1,6}[ \t]+)(.*?)[ \t]*$")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
WORD = re.compile(r"\b[A-Za-z]+\b")


def vary(text: str, copy: int) -> str:
    """Copy `copy` of one markdown document: same structure, different words and headings."""
    if copy == 0:
        return text
    rng = random.Random(copy)
    swaps = {w: s for w, s in SYNONYMS.items() if rng.random() < 0.6}
    qualifier = QUALIFIERS[(copy - 1) % len(QUALIFIERS)]

    def swap(match: re.Match) -> str:
        word = match.group(0)
        new = swaps.get(word.lower())
        if new is None:
            return word
        return new.capitalize() if word[0].isupper() else new

    out, in_code = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            in_code = not in_code
        elif not in_code:
            heading = HEADING.match(line)
            if heading:
                line = f"{heading.group(1)}{heading.group(2)} ({qualifier} {copy})"
            else:
                line = WORD.sub(swap, line)
        out.append(line)
    return "\n".join(out) + "\n"


def synthesize(kb: Path, out: Path, scale: int, distinct: int = DISTINCT) -> Path:
    """Write `scale` copies of every markdown file of `kb` under `out` (rebuilt each time),
    of which the first `distinct` are different texts (1: every copy is `kb` verbatim)."""
    if out.exists():
        shutil.rmtree(out)
    for path in sorted(kb.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        relative = path.relative_to(kb)
        for copy in range(scale):
            target = out / f"v{copy:02d}" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(vary(text, copy % distinct), encoding="utf-8")
    return out


def original_source(source: str) -> str:
    """The real KB's path for a synthetic source: `v03/web/x.md` → `web/x.md`."""
    return source.split("/", 1)[1]


def edit_one_paragraph(kb: Path) -> str:
    """Append a sentence to the first prose paragraph of the first file; returns its source."""
    path = sorted(p for p in kb.rglob("*.md") if p.parent != kb)[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    in_code = False
    for i, line in enumerate(lines):
        if FENCE.match(line):
            in_code = not in_code
        elif not in_code and line.strip() and not line.lstrip().startswith(("#", "-", "|", ">")):
            lines[i] = line + " This sentence was added by the benchmark's one-file edit."
            break
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path.relative_to(kb).as_posix()
