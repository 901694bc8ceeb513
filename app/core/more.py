"""More of the same. After an answer, "Tell me more", "Can you elaborate?" or "More details?"
(query.ASKS_MORE) asked of it again and got the same quotes back. Now the answer goes on where
the previous one stopped: its section's (and subsections') text after the last line the
previous answer cited there, whole paragraphs, lists and code blocks up to about MORE_WORDS
words; a second "Tell me more" goes on from there. When the section says nothing more, the
answer says so (it repeated the quotes)."""

from __future__ import annotations

from app.core.outline import Document, inside
from app.core.passages import Unit, split_units
from app.core.quote import Passage, words
from app.core.retrieve import Hit
from ingest.chunk import Chunk

MORE_WORDS = 120
NO_MORE = "The knowledge base says no more than that under"


def more_of(cited: list[tuple[Chunk, int]], document: Document) -> list[Passage]:
    """What the section of the first cited passage says after the last line cited there.
    `cited`: each citation's chunk and last line, in the previous answer's order."""
    if not cited:
        return []
    lead = cited[0][0]
    section = lead.heading_path
    last = max(
        end for chunk, end in cited if chunk.source == lead.source and inside(chunk, section)
    )
    out: list[Passage] = []
    seen = last
    for chunk in document(lead.source):
        if not inside(chunk, section) or chunk.end_line <= seen:
            continue
        hit = Hit(chunk, 0.0, 0.0, 0.0, 1)
        units = _after(split_units(chunk), seen)
        taken = _blocks(units, MORE_WORDS - sum(words(list(p.units)) for p in out))
        if taken:
            out.append(Passage(hit, tuple(taken)))
            seen = taken[-1].end_line
        if sum(words(list(p.units)) for p in out) >= MORE_WORDS or len(taken) < len(units):
            break
    return out


def _after(units: list[Unit], line: int) -> list[Unit]:
    """The units starting after `line` (a chunk repeats its section's last short paragraph)."""
    return [u for u in units if u.start_line > line and u.kind != "heading"]


def _blocks(units: list[Unit], budget: int) -> list[Unit]:
    """Whole blocks (paragraph, list, code) from the start of `units` while the words so far
    stay under `budget` (the first block always)."""
    taken: list[Unit] = []
    for block in dict.fromkeys(u.block for u in units):
        these = [u for u in units if u.block == block]
        if taken and words(taken) + words(these) > budget:
            break
        taken += these
    return taken
