"""The things a comparison names, and for each one the unit that says what it is.

"stub vs mock vs fake", "CI vs CD" or "Definition of done vs definition of ready" asks what
each side is. The scorer rates a sentence that only mentions a side ("Similarly to mocks, fakes
also ...", "Update the definition of ready anytime ...") as high as the one saying what the side
is, and such a mention counted as the side answered. A side's own unit is what the documents
give it:
- a unit labelled with its name: "`model_dump()`: Returns ...", "**Stress Testing** - ...",
  "A fake is a working ...", "**Continuous Delivery (CD)** takes ...";
- failing that, the opening of a section headed by its name ("## Stubs", "# Definition of
  Ready"), the one whose heading says least besides the name.
A label or heading naming two sides belongs to neither, unless one side's name holds the other's
(`model_dump_json` names `model_dump` too). A list quoted for a comparison keeps its lead-in and
the items labelled with a side ("`model_dump()`", "`model_dump_json()`" of eight methods).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from app.core.passages import Unit, cells
from app.core.query import ASKS, NAMED_ASK, Query, names_subject
from app.core.quote import NARROW_ITEMS, Passage, aside
from app.core.scorer import Candidate
from ingest.chunk import HEADING, PATH_SEP
from ingest.markdown import ADMONITION, BLOCK
from ingest.stemmer import stem

MAX_SIDES = 4  # "load test vs stress test vs soak test vs spike test"
MAX_NAME_WORDS = 4  # a longer part is a question or a scene, not a name
NAMED_SHARE = 0.6  # a text names a side holding its rarest word and this share of its words
LABEL_WORDS = 6  # a label or a defined subject is at most this long
# A heading naming a side among more words than this is about something else ("Using the
# `Strict()` metadata class").
HEADING_EXTRA = 2
OPENING_WORDS = 4  # a unit opening on a side names it in its first words
# Words that never name a side (the same list tells one part from another: app/core/parts.py).
FUNCTION_WORDS = frozenset(
    """a an the of to in on at for from with by as and or vs versus is are was were be been
    being am do does did how what when where which who whom why whose should would could can
    will may might must shall i we you it its this that these those my our your their they them
    me us if then than so also just""".split()
)
# What a question asked of each side may say and still ask only what each one is.
CHOICE_WORDS = frozenset(
    stem(w) for w in "differ difference different choose pick prefer distinguish".split()
)
# What follows a side's name and applies to every side: "mocks in unit tests", "time-machine
# for code that calls datetime.now()".
QUALIFIER = re.compile(
    r"\s+(?:for|in|on|when|with|to|from|at|by|during|under|inside|within|without|across)\s.*$",
    re.I | re.S,
)
# How a unit opens on what it is about: "**Stress Testing** - ...", "`model_dump()`: ...",
# "A fake is a ...", "Big Bang integration testing is when ..." (not "Stubs are commonly used").
BOLD = re.compile(r"^\*\*(.+?)\*\*")
LABEL = re.compile(r"^(.{1,80}?)(?::\s|\s[-–—]\s)")
DEFINES = re.compile(
    r"^(.{1,80}?)\s(?:(?:is|are)\s+(?:a|an|the|one|when|where)|means|refers to)\s", re.I
)
WORD = re.compile(r"[a-z0-9]+")


def name_stems(text: str) -> frozenset[str]:
    """The stemmed words of a name, identifiers split into theirs (`left_to_right`: left,
    right), without function words."""
    return frozenset(stem(w) for w in WORD.findall(text.lower()) if w not in FUNCTION_WORDS)


def side_name(part: str) -> str | None:
    """The name a part of a comparison stands for ("mocks" of "mocks in unit tests", "Before
    validators" of "Before validators: which should I choose"); None for a part that asks
    something of its own ("canary: which makes rollback easier")."""
    match = NAMED_ASK.match(part)
    if match and names_subject(part):
        if name_stems(match.group(2)) - CHOICE_WORDS:
            return None
        name = match.group(1)
    elif ASKS.search(part.strip()):
        return None
    else:
        name = part
    name = QUALIFIER.sub("", name).strip(" ,.?")
    return name if 0 < len(name.split()) <= MAX_NAME_WORDS and name_stems(name) else None


def side_names(query: Query) -> tuple[str | None, ...] | None:
    """Each part's side name, when the question compares two or more names; else None."""
    names = tuple(side_name(p) for p in query.parts[:MAX_SIDES])
    return names if sum(n is not None for n in names) >= 2 else None


def label(unit: Unit) -> str | None:
    """What a unit opens by naming: its bold opening, the words before its ": " or " - ", the
    subject it defines ("A fake is ..."), or a table row's first cell ("| Soak test | ..."); None
    when it opens on none of them."""
    if unit.kind == "code" or unit.table == "head":
        return None
    if unit.table:
        text = (cells(unit.text) or [""])[0]
        return text if 0 < len(text.split()) <= LABEL_WORDS else None
    text = unit.quote.strip()
    for pattern in (BOLD, LABEL, DEFINES):
        match = pattern.match(text)
        name = match.group(1).strip() if match else ""
        if name and len(name.split()) <= LABEL_WORDS and not name.endswith((".", "!", "?")):
            return name  # a bold sentence ("**Mixing in the definition of done.**") names nothing
    return None


@dataclass(frozen=True)
class Sides:
    """The names a comparison sets side by side, by part (None for a part that is no side)."""

    names: tuple[str | None, ...]
    stems: tuple[frozenset[str], ...]
    idf: Callable[[str], float]

    @classmethod
    def of(cls, query: Query, idf: Callable[[str], float]) -> Sides | None:
        """The sides of a comparison of two or more names; None for any other question."""
        names = side_names(query)
        if names is None:
            return None
        return cls(names, tuple(name_stems(n or "") for n in names), idf)

    def named(self, text: str) -> set[int]:
        """The sides `text` names: its rarest word and most of the others."""
        words = name_stems(text)
        out = set()
        for n, stems in enumerate(self.stems):
            if not stems:
                continue
            rarest = max(stems, key=lambda t: (self.idf(t), t))
            if rarest in words and len(stems & words) >= NAMED_SHARE * len(stems):
                out.add(n)
        return out

    def alone(self, text: str | None) -> int | None:
        """The one side `text` names (another side named only inside its name aside)."""
        named = self.named(text or "")
        only = [n for n in named if all(self.stems[m] <= self.stems[n] for m in named - {n})]
        return only[0] if len(only) == 1 else None

    def labels(self, cand: Candidate) -> int | None:
        """The side a unit is labelled with."""
        return self.alone(label(cand.unit))

    def heads(self, cand: Candidate) -> int | None:
        """The side whose section `cand` opens: the first prose of a section headed by the
        side's name."""
        if not _opens_section(cand):
            return None
        side = self.alone(_heading(cand))
        return side if side is not None and self.extra_words(cand, side) <= HEADING_EXTRA else None

    def owns(self, cand: Candidate) -> int | None:
        """The side a unit belongs to: labelled with its name, or opening its section."""
        side = self.labels(cand)
        return side if side is not None else self.heads(cand)

    def contrasts(self, unit: Unit) -> bool:
        """The unit opens on a side's name and names every side: "Acceptance criteria are
        specific to one piece of work, while the definition of done is a team-wide list"."""
        every = {n for n, name in enumerate(self.names) if name}
        opening = " ".join(unit.quote.split()[:OPENING_WORDS])
        return bool(self.named(opening)) and self.named(unit.quote) >= every

    def extra_words(self, cand: Candidate, side: int) -> int:
        """How much a section's heading says besides the side's name."""
        return len(name_stems(_heading(cand)) - self.stems[side])

    def narrow(self, passage: Passage) -> Passage:
        """The passage's lists of NARROW_ITEMS or more items, cut to their items labelled with
        a side (and what is nested in them) when some are and some are not."""
        units = list(passage.units)
        for block in {u.block for u in units if u.kind == "item"}:
            items = [u for u in units if u.block == block and u.kind == "item"]
            kept = [u for u in items if self.named(label(u) or "")]
            if len(items) < NARROW_ITEMS or not kept or len(kept) == len(items):
                continue
            units = _without(units, [u for u in items if u not in kept])
        return Passage(passage.hit, tuple(units))


def _heading(cand: Candidate) -> str:
    return cand.hit.chunk.heading_path.split(PATH_SEP)[-1]


def _opens_section(cand: Candidate) -> bool:
    """The unit is the first prose of its section: its chunk starts at the section's heading and
    no prose or subheading comes between."""
    chunk, unit = cand.hit.chunk, cand.unit
    lines = chunk.text.splitlines()
    titled = PATH_SEP not in chunk.heading_path and chunk.start_line == 1  # a page's opening
    if not lines or not (HEADING.match(lines[0]) or titled):
        return False
    first = next(
        (
            u
            for u in cand.units
            if u.kind != "code" and not aside(u) and not _set_in(u, lines, chunk.start_line)
        ),
        None,
    )
    between = lines[1 : unit.start_line - chunk.start_line]
    return first is unit and not any(HEADING.match(line) for line in between)


def _set_in(unit: Unit, lines: list[str], first_line: int) -> bool:
    """An admonition ("!!! note", shown as "Note: Because this mode ...") or prose indented
    outside a list (a tab's body): an aside to its section rather than the section's opening."""
    line = lines[unit.start_line - first_line]
    return (
        unit.kind == "sentence"
        and unit.level == 0
        and (line.startswith(("    ", "\t")) or bool(ADMONITION.match(line) or BLOCK.match(line)))
    )


def _without(units: list[Unit], dropped: list[Unit]) -> list[Unit]:
    """`units` without the `dropped` items and what stands under them (the paragraphs indented
    under an item and the lists nested in it)."""
    out: list[Unit] = []
    under: Unit | None = None  # the dropped item whose content is being skipped
    for u in units:
        if under is not None and not (
            (u.block == under.block and u.kind == "item")
            or (u.block != under.block and u.level <= under.level)
        ):
            continue  # still inside the dropped item
        under = u if u in dropped else None
        if under is None:
            out.append(u)
    return out
