"""Items an answer announces but does not quote. When a quoted sentence announces items ("Ask
for three things ...", "the following", a closing colon) and its section goes on with child
subsections instead of a list, the answer names them: the children's headings as a short
list, each cited at its heading's line. When chunking split a "...:" lead-in from the list or
code it introduces, the section's next chunk opens with them: the quote goes on into it. A
quote never ends on a sentence promising what follows ("The sketch below shows ..."): it goes
on into the short code or list announced, or stops before the promise."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from app.core.passages import Unit, split_units
from app.core.query import QUESTION_WORD
from app.core.quote import (
    MAX_LIST_ITEMS,
    POINTS_AHEAD,
    Passage,
    dangles,
    opening,
    opens,
    points_ahead,
    words,
)
from app.core.retrieve import Hit
from ingest.chunk import HEADING, PATH_SEP, Chunk
from ingest.markdown import clean_lines

NEXT_CODE_LINES = 12  # the next piece's opening shows code this short, no longer
# A document's chunks in file order, by source (OpenGeneration.document).
Document = Callable[[str], Sequence[Chunk]]

NUMBERS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
}
COUNT = re.compile(r"\b(" + "|".join(NUMBERS) + r")\b|(?<![\w.])([2-8])(?![\w.])", re.I)
# Wording that announces items without counting them, besides pointing ahead (POINTS_AHEAD).
SEVERAL = re.compile(
    r"\bseveral (?:ways|techniques|categories|types|kinds|options|approaches|strategies|steps"
    r"|parts)\b",
    re.I,
)
# A promise that says something itself has a clause of its own, after a ":" or ";" outside
# inline code: "The demonstration below counts statements: the lazy pattern issues 51 queries
# ..., while the batched pattern ... issues 2."
CLAUSE_BREAK = re.compile(r"[:;]\s+")
CODE_SPAN = re.compile(r"`[^`]*`")
CLAUSE_WORDS = 6  # a clause this long that points at nothing says something
LEAD_IN_WORDS = 70  # a lead-in's paragraph this short comes along whole (with_lead_ins)


def inside(chunk: Chunk, section: str) -> bool:
    """The chunk is of `section` (a heading path) or of one of its subsections."""
    return chunk.heading_path == section or chunk.heading_path.startswith(section + PATH_SEP)


def children(document: Sequence[Chunk], chunk: Chunk) -> list[Chunk]:
    """The first chunk of each direct child section of `chunk`'s section, when the section's
    text ends with `chunk` (its next chunk opens a child); empty otherwise."""
    later = [c for c in document if c.start_line > chunk.start_line]
    prefix = chunk.heading_path + PATH_SEP
    if not later or not later[0].heading_path.startswith(prefix):
        return []
    found: dict[str, Chunk] = {}
    for c in later:
        if not c.heading_path.startswith(prefix):
            break
        if PATH_SEP not in c.heading_path[len(prefix) :]:
            found.setdefault(c.heading_path, c)
    return list(found.values())


def announces(unit: Unit, units: Sequence[Unit], count: int) -> bool:
    """A sentence that announces `count` items its chunk does not hold (no list or code
    follows it there): it names that number, points ahead ("the following", "below") or
    ends on a colon."""
    if unit.kind not in ("sentence", "item"):
        return False
    if any(u.kind != "sentence" for u in units[unit.order + 1 :]):
        return False
    text = unit.quote.rstrip()
    numbers = {
        NUMBERS.get(word.lower(), 0) or int(digit or 0) for word, digit in COUNT.findall(text)
    }
    ahead = POINTS_AHEAD.search(text) or SEVERAL.search(text)
    return count in numbers or bool(ahead) or text.endswith(":")


def heading_unit(chunk: Chunk) -> Unit | None:
    """A section's heading line as a quotable unit (None when the chunk does not open on it)."""
    first = chunk.text.split("\n", 1)[0]
    if not HEADING.match(first):
        return None
    return Unit(first, chunk.start_line, chunk.start_line, "heading", 0, False)


def announced(passages: list[Passage], document: Document) -> list[Passage]:
    """The child-section headings the quoted passages announce, one passage per heading."""
    out: list[Passage] = []
    quoted = {p.hit.chunk.id for p in passages}
    for passage in passages:
        chunk = passage.hit.chunk
        kids = children(document(chunk.source), chunk)
        if not 2 <= len(kids) <= MAX_LIST_ITEMS or any(k.id in quoted for k in kids):
            continue  # an item quoted already: listing the others beside it reads as stitching
        units = split_units(chunk)
        if not any(announces(u, units, len(kids)) for u in passage.units):
            continue
        headings = [heading_unit(kid) for kid in kids]
        if None in headings:
            continue
        out.extend(
            Passage(Hit(kid, 0.0, 0.0, 0.0, passage.hit.rank), (heading,))
            for kid, heading in zip(kids, headings, strict=True)
            if heading is not None
        )
    return out


def next_in_section(document: Sequence[Chunk], chunk: Chunk) -> Chunk | None:
    """The chunk after `chunk` when it is the next piece of the same section."""
    later = [c for c in document if c.start_line > chunk.start_line]
    return later[0] if later and later[0].heading_path == chunk.heading_path else None


def continuation(
    document: Sequence[Chunk], hit: Hit, units: tuple[Unit, ...], unit: Unit
) -> Passage | None:
    """The list or code block that `unit` (one of `units`, its chunk's), a "...:" lead-in or a
    sentence pointing ahead closing its chunk, introduces when chunking put them at the opening
    of the section's next chunk; None when the section does not go on there with a list or code."""
    chunk = hit.chunk
    if not (dangles(unit, units) or points_ahead(unit, [unit])):
        return None
    if _text(chunk, unit.end_line + 1, chunk.end_line):
        return None  # something follows the lead-in in its own chunk (a table, say)
    nxt = next_in_section(document, chunk)
    if nxt is None:
        return None
    following = tuple(split_units(nxt))
    # The next chunk may repeat this one's short last block (ingest/chunk.py's overlap).
    first = next((u for u in following if u.start_line > chunk.end_line), None)
    if first is None or _text(nxt, chunk.end_line + 1, first.start_line - 1):
        return None
    items = opens(following, first)
    return Passage(Hit(nxt, 0.0, 0.0, 0.0, hit.rank), tuple(items)) if items else None


def previous_in_section(document: Sequence[Chunk], chunk: Chunk) -> Chunk | None:
    """The chunk before `chunk` when it is the previous piece of the same section."""
    earlier = [c for c in document if c.start_line < chunk.start_line]
    return earlier[-1] if earlier and earlier[-1].heading_path == chunk.heading_path else None


def with_lead_ins(passages: list[Passage], document: Document) -> list[Passage]:
    """A quote opening on a list or code block that opens its chunk, when chunking left the
    "...:" lead-in introducing it closing the section's previous chunk, starts with that lead-in
    (`lead_in_before`). "How should I handle database migrations in Django without downtime?"
    quoted the four rules without "every migration must be compatible with the previous release
    ... expand and contract ... Concretely:"."""
    out: list[Passage] = []
    for passage in passages:
        first = passage.units[0] if passage.units else None
        found = lead_in_before(document, passage.hit.chunk, first) if first else None
        if found is not None:
            out.append(Passage(Hit(found[0], 0.0, 0.0, 0.0, passage.hit.rank), found[1]))
        out.append(passage)
    return out


def lead_in_before(
    document: Document, chunk: Chunk, first: Unit
) -> tuple[Chunk, tuple[Unit, ...]] | None:
    """The "...:" lead-in closing the section's previous chunk that introduces `first`, a list or
    code block opening `chunk`: the lead-in's paragraph when short (LEAD_IN_WORDS), else the
    sentence, with the chunk it stands in."""
    if first.kind not in ("item", "code") or first.order != 0:
        return None
    before = previous_in_section(document(chunk.source), chunk)
    units = tuple(split_units(before)) if before is not None else ()
    last = units[-1] if units else None
    if before is None or last is None or not last.leads_in:
        return None
    if not 0 < first.start_line - last.end_line <= 2:
        return None
    block = tuple(u for u in units if u.block == last.block)
    return before, (last,) if words(list(block)) > LEAD_IN_WORDS else block


def keep_promises(
    passages: list[Passage], document: Document | None, example: bool = True
) -> list[Passage]:
    """No quote ends on a sentence pointing at what follows it ("The example below runs ...")
    without showing it: the quote goes on into the list or code right after that sentence, in
    its chunk or at the opening of the section's next chunk, when it is short enough to show
    (as a "...:" lead-in's is); otherwise the quote stops before the sentence, unless the answer
    lists the child sections it announces (`announced`). A graded answer that ends on a promise
    reads as cut off. A passage left empty is dropped; the answer's first keeps its sentence.
    A promise that says something itself (`says_more`) stays and ends its quote when what it
    announces cannot be shown, or when the question (`example` False) does not ask to see an
    example: then the code would only pad what the sentence already says."""
    listed = {p.hit.chunk.id for p in passages if all(u.kind == "heading" for u in p.units)}
    out: list[Passage] = []
    for n, passage in enumerate(passages):
        out += _kept(passage, document, listed, first=n == 0, example=example)
    return out


def says_more(unit: Unit) -> bool:
    """A sentence pointing ahead that also says something of its own: one of its clauses (split
    at ":" or ";" outside inline code) has CLAUSE_WORDS words or more and points at nothing."""
    clauses = CLAUSE_BREAK.split(CODE_SPAN.sub("code", unit.quote))
    return len(clauses) > 1 and any(
        len(c.split()) >= CLAUSE_WORDS and not POINTS_AHEAD.search(c) for c in clauses
    )


def _kept(
    passage: Passage, document: Document | None, listed: set[str], first: bool, example: bool
) -> list[Passage]:
    hit, quoted = passage.hit, list(passage.units)
    units: tuple[Unit, ...] = ()
    while quoted and points_ahead(quoted[-1], quoted):
        units = units or tuple(split_units(hit.chunk))  # only a quote ending on a promise
        last = quoted[-1]
        says = says_more(last)
        if says and not example:
            break
        nxt = units[last.order + 1] if last.order + 1 < len(units) else None
        shown = [u for u in opens(units, nxt) if u.block != last.block] if nxt else []
        if shown:
            return [Passage(hit, tuple(quoted + shown))]
        if document is not None:
            doc = document(hit.chunk.source)
            follow = continuation(doc, hit, units, last)
            if follow is not None:
                return [Passage(hit, tuple(quoted)), follow]
            if any(kid.id in listed for kid in children(doc, hit.chunk)):
                break
        if says or (first and len(quoted) == 1):
            break  # the answer's only sentence: better a promise than nothing
        quoted.pop()
    return [Passage(hit, tuple(quoted))] if quoted else []


def _text(chunk: Chunk, first: int, last: int) -> bool:
    """Whether the chunk has anything a reader sees between file lines first..last (not blank
    lines, nor a bare `<div class="termy">` around the code a lead-in introduces)."""
    lines = clean_lines(chunk.text.splitlines())
    start = max(first, chunk.start_line) - chunk.start_line
    return any(line.strip() for line in lines[start : max(last - chunk.start_line + 1, 0)])


# A sentence that hands over to what comes next: "Let's do that now.", "But there's a shorter
# version. 👇", "For that, there's a better way ... 👇", as well as the wording POINTS_AHEAD knows.
HANDS_OVER = re.compile(
    r"👇|^(?:now,? )?let'?s\b.{0,30}\bnow\b"
    r"|\bthere(?:'s| is) an? (?:shorter|better|simpler|easier)\b",
    re.I,
)


def leads_on(unit: Unit) -> bool:
    """Whether a quote ending on `unit` stops short of its point: a sentence handing over to
    what follows it, or a question the text asks to answer it next ("When do we get an actual
    `int` from the database in that `id` field?", "So why should we bother writing them?"; not
    one it reports: "People often ask *why is my build slow?*")."""
    if unit.kind != "sentence":
        return False
    if HANDS_OVER.search(unit.quote) or POINTS_AHEAD.search(unit.quote):
        return True
    text = unit.quote.strip("*_ ")
    return text.endswith("?") and bool(ASKS_NEXT.match(text))


# A question the text asks itself: it opens on a question word, after "So", "But", "And" ...
ASKS_NEXT = re.compile(rf"^(?:(?:so|but|and|then|now|well|ok|okay)\b,?\s+)?{QUESTION_WORD}", re.I)


def next_piece(passages: list[Passage], hits: Sequence[Hit], document: Document) -> list[Passage]:
    """A quote that runs to the end of its chunk on a sentence handing over to what follows
    (`leads_on`), or on a paragraph pointing at it ("The pairs below ... . Each ..."), goes on
    into the opening of the document's next chunk: a tutorial builds up to its point ("But
    there's a shorter version. 👇", "Let's do that now.") and makes it in the
    next section, often in words the question does not use ("Use `response_model`" after a
    section on docs that show no response schema), so the search need not have found it. The
    next chunk must go on from the quote's section (`_goes_on_from`): not a FAQ's next entry, nor
    another part of the page."""
    if not passages or not passages[-1].units:
        return passages
    last = passages[-1]
    chunk = last.hit.chunk
    units = split_units(chunk)
    if not units or last.units[-1].order != units[-1].order:
        return passages
    hands_over = leads_on(last.units[-1])
    if not (hands_over or _paragraph_points_ahead(last)):
        return passages
    later = [c for c in document(chunk.source) if c.start_line > chunk.start_line]
    if not later:
        return passages
    if not _goes_on_from(chunk, later[0]):
        return passages
    found = next(
        (h for h in hits if h.chunk.id == later[0].id), Hit(later[0], 0.0, 0.0, 0.0, last.hit.rank)
    )
    if any(p.hit.chunk.id == found.chunk.id for p in passages):
        return passages
    more = opening([found], after=chunk.end_line)  # past the lines the pieces share
    if more is None:
        return passages
    shown = [u for u in more.units if u.kind != "heading"]
    if not hands_over and (not shown or shown[0].kind == "sentence"):
        return passages  # "... directory and below." points at no list, table or code
    units = [u for u in more.units if u.kind != "code" or u.text.count("\n") <= NEXT_CODE_LINES]
    while units and units[-1].leads_in and units[-1] is not more.units[-1]:
        units.pop()  # its code was too long to show here
    return [*passages, Passage(found, tuple(units))] if units else passages


def _paragraph_points_ahead(passage: Passage) -> bool:
    """The quote's last paragraph points at what follows it, in any of its sentences: "The
    pairs below are review comments for ... . Each pair ..." goes on into the table (next_piece
    follows it only into a list, a table or code: "... in its directory and below" points at
    nothing)."""
    block = passage.units[-1].block
    return any(
        u.kind == "sentence" and u.block == block and POINTS_AHEAD.search(u.quote)
        for u in passage.units
    )


def _goes_on_from(chunk: Chunk, nxt: Chunk) -> bool:
    """`nxt` goes on from `chunk`'s section: its next piece, a subsection, or a later section
    under the same heading (at any depth; the page itself, for a page's top-level sections),
    unless a heading it adds asks a question of its own (a FAQ's next entry)."""
    path, following = chunk.heading_path, nxt.heading_path
    if following == path:
        return True
    parent = path if following.startswith(path + PATH_SEP) else path.rpartition(PATH_SEP)[0]
    if parent and not following.startswith(parent + PATH_SEP):
        return False
    if not parent and PATH_SEP in following:  # the page's own sections: each a heading at the top
        return False
    added = following[len(parent) + len(PATH_SEP) :] if parent else following
    return not any(heading.rstrip().endswith("?") for heading in added.split(PATH_SEP))
