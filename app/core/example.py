"""The code a question asks to see. Asked "Show me code for cursor pagination" or "Example of
an idempotency key store in Python", an answer quoted the prose on the topic and left out the
example its section holds (the scorer ranks what a passage says, and a long block is never
quoted on its own). When the question asks for an example or code (ASKS_CODE) and no quoted
passage shows code, the lead goes on into the code block of the lead's section, or its
subsections, that names most of the question's words, with the "...:" sentence introducing it;
failing that, of the section above it (not the page as a whole). A block longer than
MAX_EXAMPLE_LINES is left to the citation."""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.core.outline import Document
from app.core.parts import merge
from app.core.passages import Unit, split_units
from app.core.query import Query
from app.core.quote import Passage
from app.core.retrieve import Hit
from ingest.chunk import PATH_SEP, Chunk
from ingest.keyword import tokenize

# Asks to see code: "example", "sample", "snippet", "show me", "code for/to/that ..."; not a
# question about code ("code review", "code coverage", "my code runs").
ASKS_CODE = re.compile(
    r"\b(?:examples?|samples?|snippets?|show (?:me|us)|code (?:for|to|that|which|showing)"
    r"|what does (?:the |that |its? )?code look like)\b",
    re.I,
)
MAX_EXAMPLE_LINES = 80


def with_example(query: Query, passages: list[Passage], document: Document | None) -> list[Passage]:
    """The passages, and after them the example the question asks to see, when none shows code
    and the lead's section holds one (see the module's text)."""
    if not passages or document is None or not ASKS_CODE.search(query.text):
        return passages
    if any(u.kind == "code" for p in passages for u in p.units):
        return passages
    lead = passages[0]
    chunks = document(lead.hit.chunk.source)
    path = lead.hit.chunk.heading_path
    for section in (path, path.rpartition(PATH_SEP)[0]):
        if PATH_SEP not in section:
            break  # the page as a whole: its code is about anything
        found = _example(query, _within(chunks, section), lead.hit.chunk.start_line)
        if found:
            shown = [
                Passage(Hit(chunk, 0.0, 0.0, 0.0, lead.hit.rank), units) for chunk, units in found
            ]
            return merge([lead, *shown, *passages[1:]])
    return passages


def _within(chunks: Sequence[Chunk], section: str) -> list[Chunk]:
    """The chunks of `section` and of its subsections, in file order."""
    below = section + PATH_SEP
    return [c for c in chunks if c.heading_path == section or c.heading_path.startswith(below)]


Shown = list[tuple[Chunk, tuple[Unit, ...]]]  # (chunk, its units quoted), in file order


def _example(query: Query, chunks: list[Chunk], after: int) -> Shown:
    """The code block short enough to show that names the most words of the question (the
    first at or after line `after` among equals, else the first), with its lead-in (_with_lead_in);
    empty when no block names a word of the question."""
    words = set(query.tokens)
    found: list[tuple[tuple[int, bool, int], Shown]] = []
    previous: tuple[Chunk, list[Unit]] | None = None
    for chunk in chunks:
        units = split_units(chunk)
        for unit in units:
            named = len(words & set(tokenize(unit.text))) if unit.kind == "code" else 0
            if named and unit.text.count("\n") <= MAX_EXAMPLE_LINES:
                rank = (-named, unit.start_line < after, unit.start_line)
                found.append((rank, _with_lead_in(chunk, units, unit, previous)))
        previous = chunk, units
    return min(found, key=lambda f: f[0])[1] if found else []


def _with_lead_in(
    chunk: Chunk, units: list[Unit], code: Unit, previous: tuple[Chunk, list[Unit]] | None
) -> Shown:
    """The code block after the "...:" sentence right above it: in its chunk, or closing the
    section's chunk before when the block opens its own."""
    if code.order > 0:
        before = units[code.order - 1]
        return [(chunk, (before, code) if before.leads_in else (code,))]
    if previous is not None and previous[0].heading_path == chunk.heading_path and previous[1]:
        last = previous[1][-1]
        if last.leads_in and last.end_line < code.start_line:
            return [(previous[0], (last,)), (chunk, (code,))]
    return [(chunk, (code,))]
