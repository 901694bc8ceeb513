"""The code a question asks to see. Asked "Show me code for cursor pagination" or "Example of
an idempotency key store in Python", an answer quoted the prose on the topic and left out the
example its section holds (the scorer ranks what a passage says, and a long block is never
quoted on its own). When the question asks for an example or code (query.ASKS_CODE) and no quoted
passage shows code, the first passage whose section holds an example goes on into it: the code
block naming most of the question's words in the passage's section or its subsections, failing
that in the section above (not a whole page's sections), with the "...:" sentence introducing
it. A block longer than MAX_EXAMPLE_LINES is left to the citation."""

from __future__ import annotations

from collections.abc import Sequence

from app.core.outline import Document, inside
from app.core.parts import merge
from app.core.passages import Unit, split_units
from app.core.query import Query, asks_code, asks_only_code
from app.core.quote import Passage
from app.core.retrieve import Hit
from ingest.chunk import PATH_SEP, Chunk
from ingest.keyword import tokenize

# The words asking for code, and a fence's language: they name no topic ("example.com",
# `status_code`, "python").
ASKING = frozenset(tokenize("example examples sample snippet show give see code look like python"))
MAX_EXAMPLE_LINES = 80


def with_example(query: Query, passages: list[Passage], document: Document | None) -> list[Passage]:
    """The passages, the example the question asks to see after the first one whose section
    holds it, when none shows code (see the module's text); the example alone when the question
    asks it of the previous answer ("Example?", "Show me the code")."""
    if not passages or document is None or not asks_code(query.text):
        return passages
    alone = query.asks_again and asks_only_code(query.text)  # "Show me the code" after an answer
    if any(u.kind == "code" for p in passages for u in p.units):
        return _code_of(passages) if alone else passages
    words = set(query.words) - ASKING
    for n, passage in enumerate(passages):
        chunk = passage.hit.chunk
        found = _example(words, _around(document(chunk.source), chunk, words), chunk, alone)
        if found:
            rank = passage.hit.rank
            shown = [Passage(Hit(c, 0.0, 0.0, 0.0, rank), units) for c, units in found]
            if alone:  # the prose was shown
                return merge(shown)
            return merge([*passages[: n + 1], *shown, *passages[n + 1 :]])
    return passages


def _code_of(passages: list[Passage]) -> list[Passage]:
    """Only the code the passages quote: "Show me the code" after an answer on retrying Celery
    tasks quoted the prose it had seen again, before the block, once the answer's passages held
    the section's example themselves."""
    code = [(p.hit, tuple(u for u in p.units if u.kind == "code")) for p in passages]
    return [Passage(hit, units) for hit, units in code if units]


def _around(chunks: Sequence[Chunk], chunk: Chunk, words: set[str]) -> list[Chunk]:
    """Where an example of what `chunk` says is looked for, in file order: its section with
    its subsections, the text of the section above it, and the sections beside it whose
    heading names one of the question's `words` (a sibling "Webhook delivery" holds no token
    bucket); of a page's opening text (under the title alone) that text, the section it leads
    into and the sections whose heading names one of `words`, not the page's other sections,
    which are about anything."""
    path = chunk.heading_path
    if PATH_SEP not in path:  # and the section the opening leads into
        first = next((c for c in chunks if c.heading_path.startswith(path + PATH_SEP)), None)
        lead_into = first.heading_path.split(PATH_SEP)[:2] if first else []
        section = PATH_SEP.join(lead_into)
        return [
            c
            for c in chunks
            if c.heading_path == path or (first and inside(c, section)) or _named(c, path, words)
        ]
    parent = path.rpartition(PATH_SEP)[0]
    if PATH_SEP not in parent:
        parent = path
    return [
        c for c in chunks if inside(c, path) or c.heading_path == parent or _named(c, parent, words)
    ]


def _named(chunk: Chunk, parent: str, words: set[str]) -> bool:
    """The chunk is of a subsection of `parent` whose own heading names one of `words`."""
    if not chunk.heading_path.startswith(parent + PATH_SEP):
        return False
    child = chunk.heading_path[len(parent + PATH_SEP) :].split(PATH_SEP)[0]
    return bool(words & set(tokenize(child)))


Shown = list[tuple[Chunk, tuple[Unit, ...]]]  # (chunk, its units quoted), in file order


def _example(words: set[str], chunks: list[Chunk], near: Chunk, own_code: bool = False) -> Shown:
    """The code block short enough to show that names words of the question: in `near`'s
    section (or its subsections) before elsewhere, code before a console session or shell
    commands (a program's output names every word of it), then the one naming the most, the
    first at or after `near` among equals; with its lead-in (_with_lead_in). Empty when no
    block names a word of the question (`words`: those naming its topic). `own_code`: a block of
    `near`'s own section counts even when it names none ("Show me the code" after an answer on
    idempotent jobs: the section's example is about charges and business keys)."""
    own = near.heading_path
    found: list[tuple[tuple[bool, bool, int, bool, int], Shown]] = []
    previous: tuple[Chunk, list[Unit]] | None = None
    for chunk in chunks:
        units = split_units(chunk)
        near_own = inside(chunk, own)
        for unit in units:
            named = len(words & set(tokenize(unit.text))) if unit.kind == "code" else 0
            shown = named or (own_code and unit.kind == "code" and chunk.heading_path == own)
            if shown and unit.text.count("\n") <= MAX_EXAMPLE_LINES:
                before = unit.start_line < near.start_line
                rank = (not near_own, unit.commands, -named, before, unit.start_line)
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
