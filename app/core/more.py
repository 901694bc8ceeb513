"""More of the same. After an answer, "Tell me more", "Can you elaborate?" or "Go on"
(query.Query.asks_more) asked of it again and got the same quotes back. Now the answer goes on
from its lead: the units of the lead's section (its subsections' headings and text included) not
yet shown, in file order, up to about MORE_WORDS words of prose and MORE_CODE_LINES lines of
code, never ending on a heading or on a "...:" lead-in without what it introduces; each further
"Tell me more" goes on past what the earlier ones showed. When the section has nothing left, the
section above it goes on (not the page as a whole); when that has nothing either, the answer
says so."""

from __future__ import annotations

from collections.abc import Collection

from app.core.outline import Document, heading_unit, inside
from app.core.passages import Unit, split_units
from app.core.quote import Passage, without_signposts
from app.core.retrieve import Hit
from ingest.chunk import PATH_SEP, Chunk

MORE_WORDS = 120
MORE_CODE_LINES = 40
NO_MORE = "The knowledge base says no more than that under"

Shown = Collection[tuple[str, str]]  # (source, unit quote) of what the reader has seen
Placed = tuple[Chunk, Unit]


def more_of(lead: Chunk, shown: Shown, document: Document) -> list[Passage]:
    """What the lead's section, or the one above it, says that is not `shown` yet, from the
    lead on (see the module's text); empty when both have said it all."""
    path = lead.heading_path
    for section in (path, path.rpartition(PATH_SEP)[0]):
        if PATH_SEP not in section and section != path:
            break  # the page as a whole: its other sections are about anything
        units = _section_units(document(lead.source), section)
        start = next((n for n, (c, u) in enumerate(units) if (c.source, u.quote) in shown), 0)
        rest = [(c, u) for c, u in units[start:] if (c.source, u.quote) not in shown]
        taken = _within_budget(rest)
        if taken:
            return without_signposts(_passages(taken))
    return []


def shown_of(passages: list[Passage]) -> set[tuple[str, str]]:
    return {(p.hit.chunk.source, u.quote) for p in passages for u in p.units}


def _section_units(chunks: Collection[Chunk], section: str) -> list[Placed]:
    """The section's units in file order, each once (a chunk repeats the short paragraph the
    one before it ends on), a subsection's heading before its text."""
    out: list[Placed] = []
    seen: set[tuple[int, str]] = set()
    for chunk in chunks:
        if not inside(chunk, section):
            continue
        heading = heading_unit(chunk) if chunk.heading_path != section else None
        for unit in ([heading] if heading else []) + split_units(chunk):
            if (unit.start_line, unit.text) not in seen:
                seen.add((unit.start_line, unit.text))
                out.append((chunk, unit))
    return out


def _within_budget(rest: list[Placed]) -> list[Placed]:
    """The first of `rest` up to the budget (at least one unit), then the block a "...:"
    lead-in introduces; without a heading or lead-in left dangling at the end."""
    taken: list[Placed] = []
    prose = code = 0
    for chunk, unit in rest:
        lines = unit.text.count("\n") + 1 if unit.kind == "code" else 0
        size = 0 if unit.kind in ("code", "heading") else len(unit.plain.split())
        if taken and (prose + size > MORE_WORDS or code + lines > MORE_CODE_LINES):
            break
        taken.append((chunk, unit))
        prose, code = prose + size, code + lines
    after = rest[len(taken) :]
    if taken and taken[-1][1].leads_in and after and after[0][0] is taken[-1][0]:
        chunk, block = after[0][0], after[0][1].block  # block numbers count within a chunk
        taken += [(c, u) for c, u in after if c is chunk and u.block == block]
    while taken and (taken[-1][1].kind == "heading" or taken[-1][1].leads_in):
        taken.pop()
    return taken


def _passages(taken: list[Placed]) -> list[Passage]:
    """One passage per run of units of one chunk."""
    out: list[Passage] = []
    for chunk, unit in taken:
        if out and out[-1].hit.chunk is chunk:
            out[-1] = Passage(out[-1].hit, (*out[-1].units, unit))
        else:
            out.append(Passage(Hit(chunk, 0.0, 0.0, 0.0, 1), (unit,)))
    return out
