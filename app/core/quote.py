"""A quotable passage: a unit grown into a complete thought, a section's opening, and the
markdown an answer shows (each paragraph, list or code block followed by its [n] marker)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from app.core.passages import Unit, split_units
from app.core.retrieve import Hit
from app.core.scorer import MARKUP, Candidate

MAX_LIST_ITEMS = 8  # a longer list is cut to its best items
MAX_WORDS = 100  # prose words in the main passage (a list may take it past this a little)
SECTION_WORDS = 140  # a section this short (code included) is quoted whole
PARAGRAPH_WORDS = 170  # a quote cut inside its paragraph may run on to the paragraph's end
FINISH_SHARE = 0.85  # ... when a sentence there scores this share of the chosen unit's score
MIN_WORDS = 25  # a shorter passage takes the rest of its paragraph
KEEP_SHARE = 0.5  # a neighbour joins the passage when it scores over this share of the best
MAX_CODE_LINES = 40
# A question about one thing quotes, of a list of at least NARROW_ITEMS items, only the items
# scoring within ITEM_MARGIN (log-odds) of the chosen item: the rest is padding around it.
NARROW_ITEMS = 3
ITEM_MARGIN = 2.0
FIX = re.compile(
    r"^(instead|use|the fix|to fix|fix|the solution|solution|the cure|rather|so|prefer|avoid"
    r"|do|don'?t|always|never|make|wrap|call|pass|set|keep|put)\b",
    re.I,
)
# A sentence that opens like this leans on the one before it.
LEANS_BACK = re.compile(
    r"^(this|these|that|those|it|they|such|both|so|then|also|for example|for instance|however"
    r"|in this case|in that case|otherwise|instead|here"
    # "By default it fails the test ...": a pronoun subject after a short opening phrase
    r"|(?:by default|by design|in practice|in general|at runtime|at startup|in production"
    r"|in tests?),?\s+(?:it|they))\b",
    re.I,
)
# A paragraph opening that leans on the one before: LEANS_BACK's openings, a quotation, more
# connectives ("And because of this ...", "To do this, ..."), or "that term", "these tables"
# within its first words.
LEANS = re.compile(
    LEANS_BACK.pattern
    + r"|^(?:>|(?:its|their|but|because|and|or|as|again|now|thus|which|since|doing so"
    r"|to do (?:so|this|that)|moreover|furthermore|in addition|additionally|similarly"
    r"|therefore|hence|after that|once you(?:'ve| have) done (?:so|this|that)|on the other hand"
    r"|as a result|the latter|the former)\b)"
    r"|^\W*(?:\w+\W+){0,7}?(?:(?:this|these|those)\b|(?:the same|the above|the previous|the example"
    r" above|that (?:term|case|way|one|example|point|step|value|name|error|problem|method|function"
    r"|class|code|call|file|setting|option))\b)",
    re.I,
)

# A sentence that points at what follows it: "Here is ...", "The following template ...",
# "... as follows:", "The sketch below shows ...", "Check the below list", "... as below.". Not
# "below" as a comparison: "the latency at or below which 99 % of requests complete".
POINTS_AHEAD = re.compile(
    r"^here(?:'s| is| are)\b|\b(?:the following|as follows"
    r"|below(?!\s+(?:(?:which|whom|that|the|an?|its|their)\b|\d)))\b",
    re.I,
)
# ... or at an example it names without showing: "... the pattern from this example instead."
# A list item ending like this goes on in the next one: the items read as one sentence.
GOES_ON = re.compile(r"(?:[,;]|\b(?:and|or|and finally|and then|then))\s*$", re.I)
ORDERED_ITEM = re.compile(r"^\s*(\d+)[.)][ \t]")  # "3. Mitigate" or "3) Mitigate"
THIS_EXAMPLE = re.compile(r"\bthis example\b", re.I)
# A tutorial's signpost: it says where the text goes next, not what it says ("Let's see all
# that.", "Let's get started!", "We'll add data later.", "In the next chapters we will see ...").
# Not a step that does something ("Let's add `limit` to the query parameters.", "Let's fix the
# version at 2.1"), nor a scene the text goes on from ("Let's say you run three replicas."), nor
# a recap of what an earlier section showed.
SIGNPOST = re.compile(
    r"^(?:(?:now|so|ok(?:ay)?|next|then|and|first|great)\W+)*let(?:'|’)?s\s+(?:now\s+)?"
    r"(?:see|explore|get started|begin|talk|check|review|continue|learn|move on|try|look|dive"
    r"|recap|start(?:\W*$| by\b)|(?:do|fix) (?:that|this|it|so)\b)"
    r"|^(?:in|on) the next (?:chapters?|sections?|pages?)\b"
    r"|^we(?:'ll|’ll| will) (?:see|learn|add|do|cover|explain|discuss|talk about|come back to"
    r"|get to|look at)\b(?: \w+){0,3} later\W*$"
    r"|^continue reading\b",
    re.I,
)
SIGNPOST_WORDS = 16  # a longer sentence opening so says something besides


@dataclass(frozen=True)
class Passage:
    """Units of one chunk quoted together, in file order."""

    hit: Hit
    units: tuple[Unit, ...]

    def __post_init__(self) -> None:
        """A table's rows are quoted under their header, whichever of them the passage took."""
        units = list(self.units)
        for head in dict.fromkeys(u.head for u in self.units if u.head is not None):
            if head not in units:
                units.insert(next(n for n, u in enumerate(units) if u.head == head), head)
        object.__setattr__(self, "units", tuple(units))


def quoted_already(cand: Candidate, passages: list[Passage]) -> bool:
    """The unit is quoted already: by its own chunk, or by the overlapping piece of its
    section that chunking repeated it in (a long section's chunks share lines)."""
    source, unit = cand.hit.chunk.source, cand.unit
    return any(
        p.hit.chunk.source == source and u.start_line == unit.start_line and u.text == unit.text
        for p in passages
        for u in p.units
    )


def aside(unit: Unit) -> bool:
    """A directive or API stub line left raw, or an admonition's title: never quoted around
    the unit an answer chose (a title shown without its aside reads as a stray fragment)."""
    return unit.title or bool(MARKUP.search(unit.text))


def words(units: list[Unit]) -> int:
    return sum(len(u.plain.split()) for u in units if u.kind != "code")


def _block(units: tuple[Unit, ...], block: int) -> list[Unit]:
    return [u for u in units if u.block == block]


def _list(units: tuple[Unit, ...], block: int) -> list[Unit]:
    """A list's units with the lists nested in its items (a sub-list is a block of its own),
    in order."""
    own = _block(units, block)
    level, end = own[0].level, own[-1].order + 1
    while end < len(units) and units[end].level > level:  # the last item's sub-lists
        end += 1
    return [u for u in units[own[0].order : end] if u.block == block or u.level > level]


def _nested(units: tuple[Unit, ...], item: Unit) -> list[Unit]:
    """What a list item holds after its first paragraph: the paragraphs indented under it and
    the lists nested in it."""
    end = item.order + 1
    while end < len(units) and (
        units[end].level > item.level
        or (units[end].block == item.block and units[end].kind != "item")
    ):
        end += 1
    return list(units[item.order + 1 : end])


def _lead_in(units: tuple[Unit, ...], first: Unit) -> Unit | None:
    """What a list starting at item `first` reads on from: the sentence before it or, for a
    nested list, its parent item (a table's header, only a sentence ending on a colon)."""
    lead = _before(units, first)
    if lead is None or not (lead.kind == "sentence" or lead.level < first.level):
        return None
    if first.table and not lead.leads_in:
        return None  # a table's header says what its rows hold: only a "...:" leads into it
    return lead


def _before(units: tuple[Unit, ...], unit: Unit) -> Unit | None:
    return units[unit.order - 1] if unit.order > 0 else None


def _after(units: tuple[Unit, ...], unit: Unit) -> Unit | None:
    return units[unit.order + 1] if unit.order + 1 < len(units) else None


def introduced(units: tuple[Unit, ...], lead: Unit) -> list[Unit]:
    """The list or code block a unit ending on a colon introduces (empty if none follows)."""
    if not lead.leads_in:
        return []
    nxt = _after(units, lead)
    return [] if nxt is None else opens(units, nxt)


def opens(units: tuple[Unit, ...], nxt: Unit) -> list[Unit]:
    """The list, code block (with its tab's label) or quotation that starts at `nxt`, as a
    "...:" lead-in introduces it (empty when `nxt` opens none of them, or too long a code)."""
    if nxt.kind == "sentence":
        if nxt.quote.startswith(">"):  # a quotation: its paragraph
            return _block(units, nxt.block)
        code = _after(units, nxt)
        if _label(nxt) and code is not None and code.kind == "code":  # a tab's label, its code
            return [nxt, code] if code.text.count("\n") <= MAX_CODE_LINES else []
        return []
    if nxt.kind == "code":
        return [nxt] if nxt.text.count("\n") <= MAX_CODE_LINES else []
    return _list(units, nxt.block)[:MAX_LIST_ITEMS]


def _label(unit: Unit) -> bool:
    """A short line that names what follows (a content tab's label), not a sentence."""
    return len(unit.quote.split()) <= 4 and not unit.quote.rstrip().endswith((".", "!", "?", ":"))


def _states(unit: Unit) -> bool:
    """A "name: value" line ("Default: `True`", "**Signature:** `HiddenField()`"): it says
    something without the code a content tab's label ("Option 1: pip") stands over."""
    name, colon, value = unit.quote.replace("*", "").partition(": ")
    if not (colon and name.strip() and value.strip()):
        return False
    return "`" in value or len(name.split()) == 1


def dangles(unit: Unit, units: tuple[Unit, ...]) -> bool:
    """A lead-in ending on a colon whose list, code or quotation its chunk cannot show."""
    return unit.leads_in and not introduced(units, unit)


def _window(cand: Candidate, scores: dict[tuple[str, int], float]) -> list[Unit]:
    """The run of units around the chosen one that answers best: each unit in it gains its
    score minus KEEP_SHARE of the chosen unit's, within MAX_WORDS and never across code."""
    units, unit, key = cand.units, cand.unit, cand.hit.chunk.id
    best = scores.get((key, unit.order), 0.0)

    def gain(u: Unit) -> float:
        if u is not unit and aside(u):
            return -1e9  # a directive or API stub line, never part of the quote
        if u.kind == "code":
            return 0.0 if u is unit else -1e9
        return scores.get((key, u.order), 0.0) - KEEP_SHARE * best

    top, span = gain(unit), (unit.order, unit.order)
    for first in range(unit.order, -1, -1):
        if gain(units[first]) < -1e8:
            break
        for last in range(unit.order, len(units)):
            if gain(units[last]) < -1e8:
                break
            window = units[first : last + 1]
            if words(list(window)) > MAX_WORDS and len(window) > 1:
                break
            total = sum(gain(u) for u in window)
            if total > top + 1e-9:
                top, span = total, (first, last)
    return list(units[span[0] : span[1] + 1])


def expand(
    cand: Candidate, scores: dict[tuple[str, int], float] | None = None, narrow: bool = False
) -> Passage:
    """The best run of units around the chosen one, with the lead-in it needs, the list or code
    it introduces and the fix that follows a cause. `narrow`: the question asks about one thing,
    so a list the chosen item stands in keeps only the items that answer nearly as well
    (`narrowed`)."""
    units, unit = cand.units, cand.unit
    scores = scores or {}
    kept = narrowed(cand, scores) if narrow else None
    core = kept or _window(cand, scores)
    chosen: dict[int, Unit] = {u.order: u for u in core}

    def add(more: list[Unit]) -> None:
        for u in more:
            chosen.setdefault(u.order, u)

    first, last = core[0], core[-1]
    if kept is not None:  # the list's lead-in and the items that answer, with their sub-lists
        lead = _lead_in(units, _block(units, unit.block)[0])
        if lead is not None:
            add([lead])
        for u in kept:
            add(_nested(units, u))
    elif first.kind == "item":
        items = _list(units, first.block)
        lead = _lead_in(units, items[0])
        if lead is not None:
            add([lead])
        if len(items) <= MAX_LIST_ITEMS:
            add(items)
        else:  # a long list: its best items, in order
            key = cand.hit.chunk.id
            add(sorted(items, key=lambda u: -scores.get((key, u.order), 0.0))[:MAX_LIST_ITEMS])
    elif first.kind == "code":
        lead = _before(units, first)
        if lead is not None and lead.kind != "code":
            add([lead])
    else:
        previous = _before(units, first)
        if (
            previous is not None
            and previous.block == first.block
            and (first.quote[:1].islower() or _anaphoric(first))
        ):
            add([previous])
    for u in core:
        add(introduced(units, u))
    # The rest of a short paragraph, and the fix after a cause.
    if last.kind == "sentence":
        for u in _block(units, last.block):
            if u.order <= last.order:
                continue
            if words(list(chosen.values())) < MIN_WORDS or FIX.match(u.quote):
                add([u])
                add(introduced(units, u))
            else:
                break
    finished = last.kind == "sentence" and _finish_paragraph(cand, chosen, scores)
    # Never end on a colon with nothing after it.
    ordered = sorted(chosen.values(), key=lambda u: u.order)
    while ordered and ordered[-1].leads_in:
        more = introduced(units, ordered[-1])
        if more:
            ordered = sorted({u.order: u for u in ordered + more}.values(), key=lambda u: u.order)
            break
        ordered.pop()
    if not ordered:
        ordered = [unit]
    ordered = _trim(ordered, unit, PARAGRAPH_WORDS if finished else MAX_WORDS)
    return Passage(cand.hit, _complete(ordered, unit))


def items_alone(cand: Candidate, also: Callable[[Unit], bool]) -> Passage:
    """A list item with the siblings `also` keeps, without what is nested in them, after their
    list's lead-in when its chunk holds it (what a comparison quotes of a list labelling each
    side: "`model_dump()`: Returns ...", "`model_dump_json()`: Returns ...")."""
    units, unit = cand.units, cand.unit
    items = [u for u in _block(units, unit.block) if u.kind == "item" and (u is unit or also(u))]
    lead = _lead_in(units, _block(units, unit.block)[0])
    leads = (  # a sentence ending on ":" or ";"
        lead is not None
        and lead.kind == "sentence"
        and (lead.leads_in or lead.quote.rstrip().endswith(";"))
    )
    return Passage(cand.hit, (lead, *items) if lead is not None and leads else tuple(items))


def narrowed(cand: Candidate, scores: dict[tuple[str, int], float]) -> list[Unit] | None:
    """The items of the chosen item's list scoring within ITEM_MARGIN (log-odds) of it, in
    order (a kept item's own sub-list comes with it); None when the chosen unit is no item, the
    list is shorter than NARROW_ITEMS (its sub-lists' items counted), an item introduces a
    nested list or code (it needs what follows it), the items read as one sentence (an item
    ends on a comma or "and"), or every item is kept."""
    unit, key = cand.unit, cand.hit.chunk.id
    if unit.kind != "item":
        return None
    items = [u for u in _block(cand.units, unit.block) if u.kind == "item"]
    every = [u for u in _list(cand.units, unit.block) if u.kind == "item"]
    if len(every) < NARROW_ITEMS or any(u.leads_in for u in items):
        return None
    if any(GOES_ON.search(u.plain) for u in items[:-1]):
        return None  # the items are one sentence ("1. the instance, 2. the attribute, and finally")
    best = log_odds(scores.get((key, unit.order), 0.0))
    kept = [
        u
        for u in items
        if u is unit or log_odds(scores.get((key, u.order), 0.0)) >= best - ITEM_MARGIN
    ]
    return kept if len(kept) < len(items) else None


def log_odds(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def points_ahead(unit: Unit, quoted: list[Unit]) -> bool:
    """A sentence announcing what comes after it ("The example below runs ...") or an example
    the quote does not show (no code before it)."""
    if unit.kind != "sentence":
        return False
    shown = any(u.kind == "code" and u.order < unit.order for u in quoted)
    return bool(POINTS_AHEAD.search(unit.quote)) or (
        not shown and bool(THIS_EXAMPLE.search(unit.quote))
    )


def _finish_paragraph(
    cand: Candidate, chosen: dict[int, Unit], scores: dict[tuple[str, int], float]
) -> bool:
    """Add the rest of the quote's last paragraph when the quote stopped before a sentence
    that answers nearly as well as the chosen one (FINISH_SHARE of its score) and the whole
    stays within PARAGRAPH_WORDS ("... use memray" after a tracemalloc how-to). True when
    it did."""
    units, key = cand.units, cand.hit.chunk.id
    last = units[max(chosen)]
    rest = [u for u in _block(units, last.block) if u.order > last.order]
    best = scores.get((key, cand.unit.order), 0.0)
    if not rest or any(u.kind != "sentence" or aside(u) for u in rest):
        return False
    if max(scores.get((key, u.order), 0.0) for u in rest) < FINISH_SHARE * best:
        return False
    if words(list(chosen.values()) + rest) > PARAGRAPH_WORDS:
        return False
    for u in rest:
        chosen.setdefault(u.order, u)
    return True


def section(cand: Candidate) -> Passage | None:
    """The chosen unit's whole section when it is short (at most SECTION_WORDS, its code's
    words included): a short section reads best as it stands. None for a longer one."""
    units = [u for u in cand.units if u is cand.unit or not aside(u)]
    code = sum(len(u.text.split()) for u in units if u.kind == "code")
    if words(units) + code > SECTION_WORDS:
        return None
    return Passage(cand.hit, _complete(units, cand.unit))


def _complete(units: list[Unit], keep: Unit) -> tuple[Unit, ...]:
    """Without the "...:" lead-ins whose list or code the quote leaves out: they read as
    broken sentences (the chosen unit always stays)."""
    quoted = tuple(units)
    kept = tuple(u for u in units if u is keep or not _cut_off(u, quoted))
    # A short label ("`mypy.ini`", a row of names) left without its code says nothing.
    return tuple(
        u
        for u in kept
        if u is keep or u.kind != "sentence" or not _label(u) or _labels_code(u, kept) or _states(u)
    )


def _cut_off(unit: Unit, quoted: tuple[Unit, ...]) -> bool:
    """A "...:" lead-in whose next quoted unit starts another paragraph that is not a list,
    code or quotation (or that nothing follows)."""
    if not unit.leads_in:
        return False
    later = [u for u in quoted if u.order > unit.order]
    if not later:
        return True
    nxt = later[0]
    return (
        nxt.block != unit.block
        and nxt.kind == "sentence"
        and not (nxt.quote.startswith(">") or _labels_code(nxt, quoted))
    )


def bare_label(unit: Unit, quoted: tuple[Unit, ...]) -> bool:
    """A short label ("Format python code") whose code the quote leaves out: it says nothing."""
    return unit.kind == "sentence" and _label(unit) and not _labels_code(unit, quoted)


def _labels_code(unit: Unit, quoted: tuple[Unit, ...]) -> bool:
    """A content tab's label followed by its code in the quote."""
    later = [u for u in quoted if u.order > unit.order]
    return _label(unit) and bool(later) and later[0].kind == "code"


def signpost(unit: Unit) -> bool:
    """A short sentence without code that only says where the tutorial goes next (SIGNPOST)."""
    text = unit.quote.strip()
    return (
        unit.kind == "sentence"
        and not unit.leads_in
        and len(text.split()) <= SIGNPOST_WORDS
        and "`" not in text
        and bool(SIGNPOST.match(text.lstrip("*_ ")))
    )


def without_signposts(passages: list[Passage]) -> list[Passage]:
    """The passages without the tutorial signposts they quote ("Let's see all that."), except
    one the next quoted sentence leans on ("Let's now see the SQL syntax to create an index."
    before "It is very simple:"); a passage that is nothing else stays as it is."""
    out = []
    for passage in passages:
        units = passage.units
        kept = tuple(
            u
            for n, u in enumerate(units)
            if not signpost(u) or (n + 1 < len(units) and _anaphoric(units[n + 1]))
        )
        out.append(replace(passage, units=kept) if kept else passage)
    return out


def leans_on_context(unit: Unit) -> bool:
    """A paragraph that cannot open a quote: a list or code (its lead-in comes first), or one
    whose opening leans on what comes before it (LEANS)."""
    return unit.kind in ("code", "item") or bool(LEANS.search(unit.text.lstrip("*_ ")))


def _anaphoric(unit: Unit) -> bool:
    return bool(LEANS_BACK.match(unit.quote))


def _trim(units: list[Unit], keep: Unit, limit: int = MAX_WORDS) -> list[Unit]:
    """Drop trailing prose past the word budget (never the chosen unit or a list it needs)."""
    while words(units) > limit and units[-1] is not keep and units[-1].kind == "sentence":
        units = units[:-1]
    return units


def opening(hits: list[Hit], max_words: int = 60, after: int = 0) -> Passage | None:
    """The first prose of the best section that has any (and the list or code its lead-in
    introduces); None when no retrieved section has prose. `after`: a file line the opening
    starts past (the lines a chunk shares with the piece before it)."""
    for hit in hits:
        units = tuple(u for u in split_units(hit.chunk) if u.start_line > after)
        chosen: list[Unit] = []
        for unit in units:
            if unit.kind == "code" and not chosen:
                continue
            chosen.append(unit)
            if words(chosen) >= max_words or unit.kind == "code":
                break
        while chosen and chosen[-1].leads_in:
            more = introduced(units, chosen[-1])
            if more:
                chosen += [u for u in more if u not in chosen]
                break
            chosen.pop()
        if chosen:
            return Passage(hit, tuple(chosen))
    return None


def render(
    passages: list[Passage], markers: dict[str, int], captions: dict[str, str] | None = None
) -> str:
    """Markdown: each block (paragraph, list, code) of a passage, then its [n] marker; a chunk's
    caption (`captions`, by chunk id: the release a changelog's line belongs to) in italics above
    it, once over consecutive passages of the same caption."""
    parts: list[str] = []
    outline = False  # the last part is a list of subsection headings (app/core/outline.py)
    captions = captions or {}
    shown = None  # the caption above the passages just rendered
    for passage in passages:
        marker = f"[{markers[passage.hit.chunk.id]}]"
        caption = captions.get(passage.hit.chunk.id)
        if caption and caption != shown:  # once over the pieces of one release's section
            parts.append(f"*{caption}*")
        shown = caption
        if all(u.kind == "heading" for u in passage.units):
            line = "\n".join(f"- {u.quote} {marker}" for u in passage.units)
            if outline:
                parts[-1] += "\n" + line
            else:
                parts.append(line)
            outline = True
            continue
        outline = False
        blocks: list[list[Unit]] = []
        for unit in passage.units:
            if blocks and _one_list(blocks[-1][-1], unit):
                blocks[-1].append(unit)
            else:
                blocks.append([unit])
        label = ""
        for number, block in enumerate(blocks):
            kind = block[0].kind
            if kind == "heading":  # a section's heading that is the advice (app/core/headings.py)
                parts.append(f"**{block[0].quote}**")
                continue
            nxt = blocks[number + 1] if number + 1 < len(blocks) else None
            if nxt and nxt[0].kind == "code" and len(block) == 1 and _label(block[0]):
                label = block[0].quote + "\n"  # a content tab's label heads its code
                continue
            leads_in = nxt is not None and block[-1].quote.rstrip().endswith(":")
            tail = "" if leads_in else f" {marker}"
            if kind == "code":
                code = block[0].quote.strip("\n")
                parts.append(label + code + (f"\n{marker}" if tail else ""))
                label = ""
            elif block[0].table:  # a table: its marker in the last row's last cell
                lines = [u.quote for u in block]
                if block[-1].table == "head":  # no row: a marker in the delimiter row breaks it
                    lines[-1] += f"\n\n{marker}" if tail else ""
                else:
                    lines[-1] = lines[-1][: -len(" |")] + tail + " |"
                parts.append("\n".join(lines))
            elif kind == "item":
                lines = _list_lines(block)
                lines[-1] += tail
                parts.append("\n".join(lines))
            else:
                parts.append(" ".join(u.quote for u in block) + tail)
    return "\n\n".join(parts)


def _one_list(previous: Unit, unit: Unit) -> bool:
    """`unit` goes on in the paragraph or list `previous` is in: its block, or a list nested in
    it, or the outer list after a nested one. A heading shown above a quote is never in one."""
    if "heading" in (previous.kind, unit.kind):
        return False
    if previous.block == unit.block:
        return True
    if previous.table or unit.table:  # a table is a block of its own
        return False
    return (
        unit.kind == "item"
        and unit.order > previous.order
        and (unit.level > previous.level or (previous.kind == "item" and previous.level > 0))
    )


def _list_lines(items: list[Unit]) -> list[str]:
    """A list's items as markdown, a nested list's items indented under their parent; an
    ordered list keeps its numbers (steps and phases read in order) when the quote keeps its
    items in an unbroken run, and shows bullets when it skips some (the numbers would lie)."""
    lines: list[str] = []
    base, depth = items[0].level, 0
    numbered = _numbers(items)
    starts: list[int] = []  # the column each open level's markers stand at
    text_at = 0  # where the last item's text starts: what nests under it goes there
    for u in items:
        if u.kind != "item" and lines:  # a paragraph indented under the item above
            lines.append(f"{' ' * text_at}{u.quote}")
            continue
        depth = min(max(u.level - base, 0), depth + 1) if lines else 0
        if depth == len(starts):
            starts.append(text_at)  # a nested list: under its parent's text ("1. " is 3 wide)
        del starts[depth + 1 :]
        marker = f"{numbered[u.order]}." if u.order in numbered else "-"
        lines.append(f"{' ' * starts[depth]}{marker} {u.quote}")
        text_at = starts[depth] + len(marker) + 1
    return lines


def _numbers(items: list[Unit]) -> dict[int, int]:
    """Each ordered item's number by unit order, when every nesting level of the quote counts
    up by one from its first item (a list may start past 1: markdown keeps its first number);
    empty when any level skips or mixes bullets with numbers."""
    numbers: dict[int, int] = {}
    last: dict[int, int] = {}  # the last number seen at each level
    for u in items:
        if u.kind != "item":
            continue
        for level in [k for k in last if k > u.level]:
            del last[level]  # back out of a nested list: a new one may start below later
        match = ORDERED_ITEM.match(u.text)
        if match is None:
            if last.get(u.level, -1) != -1:
                return {}  # a bullet after numbers at one level
            last[u.level] = -1  # a bulleted level
            continue
        n = int(match.group(1))
        if last.get(u.level, n - 1) != n - 1:
            return {}
        last[u.level] = n
        numbers[u.order] = n
    return numbers
