"""Every part of a two-part question answered: a search per part, and each part's own answer
added to the quote when the answer so far leaves that part out.

"Definition of done vs definition of ready" or "What environment should a load test run in and
where should the load come from?" is two questions. One search for the whole text tends to land
on the passage that answers one half, and the other half's answer may not even be among its
passages. So each part (`Query.parts`, split in `app/core/query.py`) is searched on its own, a
part that leans on the first one ("does it slow the function down?") borrowing its words, and
its units are scored as the answer to that part alone. A part counts as answered when its own
best unit is already quoted (and, for a part with words of its own, names the rarest of them),
or when the quote holds most of the words that set the part apart from the other parts
("ready" against "done"); words both parts share ("definition") say nothing about which part a
passage answers, nor do the words of a scene told before the question ("We enqueue the email
with on_commit. Can that job still get lost?"). The whole question's first pick always stays:
dropping it when every part found its own passage lost good answers whose words differ from the
question's. A sentence that only lists a part's words among other names ("whether it is stress,
endurance, spike, or chaos testing"), or a list item that is a bare name, says nothing about
them: it neither answers a part nor stands as one's answer, and a lead that only lists every
part gives way to the parts' own passages. The sides of a comparison ("stub vs mock vs fake", up
to four) are answered by what the documents say each one is (`app/core/sides.py`), not by a
sentence that mentions one beside another. A part's passage that ends on a sentence announcing
an example ("The ticket below ...") stops before it unless the part asks for one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.core.outline import Document
from app.core.passages import Unit, split_units
from app.core.query import ASKS, INTENTS, Query, leans_on_previous, named_ask, names_subject
from app.core.quote import (
    Passage,
    aside,
    bare_label,
    dangles,
    expand,
    items_alone,
    points_ahead,
    quoted_already,
    words,
)
from app.core.retrieve import Hit
from app.core.scorer import Candidate, coverage, points_elsewhere
from app.core.sides import MAX_SIDES, Sides, label, side_names
from ingest.keyword import TOKEN
from ingest.stemmer import stem

if TYPE_CHECKING:
    from app.core.compose import Scored

# Words that never tell one part from another ("done" and "ready" do, so they stay).
FUNCTION_WORDS = frozenset(
    """a an the of to in on at for from with by as and or vs versus is are was were be been
    being am do does did how what when where which who whom why whose should would could can
    will may might must shall i we you it its this that these those my our your their they them
    me us if then than so also just""".split()
)
# A contraction's clitic, no word of its own: "What's" would count "s" as a part's own word, which
# no answer holds ("What's the cache stampede problem and how do I prevent it?"). Not "n't": read
# as no word, attrs' "Why doesn't passing a key function to eq ... also change how define orders
# instances" lost the warning that answers it (its "doesn" found that unit, by luck).
CLITIC = re.compile(r"['’](?:s|d|ll|re|ve|m)\b")
PART_COVERED = 0.75  # a part whose own words the quote holds this (idf-weighted) share of
MAX_PARTS = 2  # the parts that get their own passage; a longer list reads as stitching
MAX_PASSAGES = 2  # sections quoted in all
NAMES_WEIGHT = 0.2  # a part's distinct words in a unit, against its answer probability
OTHER_DOCUMENT = 0.6  # the answer probability a part's unit from another document needs
PART_WORDS = 150  # prose words of a whole answer to a two-part question
SENTENCE_BREAK = re.compile(r"(?<=[.!])\s+(?=[A-Z`])")
# Three or more short names, at least two of them followed by a comma ("whether it is stress,
# endurance, spike, or chaos testing"): a sentence that lists a name says nothing about it.
_NAME = r"[\w`'/.-]+(?: [\w`'/.-]+)?"
NAME_LIST = re.compile(rf"{_NAME}(?:,\s+{_NAME}){{1,}},\s+(?:(?:and|or)\s+)?{_NAME}")
BARE_NAME = 3  # a list item of at most this many words and no full stop is a name ("- Memory")


def answered_parts(query: Query) -> list[Query]:
    """The parts that get their own passage: the first MAX_PARTS, or up to MAX_SIDES when the
    question compares names ("stub vs mock vs fake")."""
    return query.sub_queries()[: MAX_SIDES if side_names(query) else MAX_PARTS]


def part_queries(query: Query) -> list[Query]:
    """What to search for each part: a part that leans on the first one ("and does it slow the
    function down?") borrows its words, as a follow-up borrows the previous question's; a part
    naming its own subject ("canary: how do they differ") does not."""
    parts = answered_parts(query)
    return [
        Query.parse(part.text, [query.parts[0]] if n and _leans(part.text) else [])
        for n, part in enumerate(parts)
    ]


def _leans(part: str) -> bool:
    """The part cannot stand alone: no subject of its own, and worded as a follow-up is."""
    return not names_subject(part) and leans_on_previous(part)


def retrieve_parts(query: Query, search: Callable[[Query], list[Hit]]) -> list[list[Hit]]:
    """The passages retrieved for each part of a two-part question (none for a plain one)."""
    return [search(q) for q in part_queries(query)]


def content_words(text: str) -> frozenset[str]:
    """Stemmed words without the function words: unlike search tokens, this keeps words such as
    "done" that a search may ignore but that tell "definition of done" from "of ready". A dotted
    name counts as its parts too: `asyncio.gather` speaks to "gather"."""
    tokens = TOKEN.findall(CLITIC.sub("", text.lower()))
    tokens += [piece for t in tokens if "." in t for piece in t.split(".")]
    return frozenset(stem(w) for w in tokens if w not in FUNCTION_WORDS)


def asked(part: str) -> str:
    """What a part asks, without the statements before it that set the scene ("We enqueue the
    email with on_commit after saving the order. Can that job still get lost" asks "Can that job
    still get lost"): the scene is the whole question's context, which an answer need not name."""
    sentences = SENTENCE_BREAK.split(part)
    first = next((n for n, s in enumerate(sentences) if ASKS.search(s.strip())), 0)
    return " ".join(sentences[first:])


def distinct_words(query: Query) -> list[frozenset[str]]:
    """Each part's words that the other parts do not use: what tells its answer apart. A
    question asked of every part ("X vs Y: which should I choose") keeps its words in each: a
    passage naming X and Y does not answer it; but not "difference" or "differ", which a passage
    saying what each one is answers."""
    words = [content_words(p) for p in query.parts]
    asks = {named_ask(p) for p in query.parts}
    ask = asks.pop() or "" if len(asks) == 1 else ""
    shared = frozenset(w for w in content_words(INTENTS["compare"].sub(" ", ask)) if len(w) > 1)
    return [
        content_words(asked(part))
        - (frozenset().union(*(w for m, w in enumerate(words) if m != n)) - shared)
        for n, part in enumerate(query.parts)
    ]


def spoken_words(unit: Unit) -> frozenset[str]:
    """The words a unit says something about: not the names it only lists ("stress, endurance,
    spike, or chaos testing"), nor an item that is a bare name ("- Sprint Goal"), so that a
    part is not taken as answered by a sentence that merely names it among others."""
    text = unit.quote
    if unit.kind == "item" and len(text.split()) <= BARE_NAME and not text.rstrip().endswith("."):
        return frozenset()
    return content_words(NAME_LIST.sub(" ", text))


def quoted_words(passages: list[Passage]) -> frozenset[str]:
    return frozenset().union(*(spoken_words(u) for p in passages for u in p.units))


def quoted(passages: list[Passage]) -> set[tuple[str, int]]:
    return {(p.hit.chunk.id, u.order) for p in passages for u in p.units}


def answers_alone(query: Query, cand: Candidate) -> bool:
    """A unit that may stand as a part's answer: prose that is not a dangling "...:" lead-in, a
    pointer to another page or leftover markup (code only when the part asks for an example)."""
    unit = cand.unit
    if unit.kind == "code":
        return "example" in query.intents
    return not (dangles(unit, cand.units) or points_elsewhere(cand) or aside(unit))


def complete(
    query: Query,
    lead: Passage,
    rankings: list[list[Scored]],
    idf,
    threshold: float,
    document: Document | None = None,
    sources: list[str] | None = None,
) -> list[Passage]:
    """The lead passage plus, for each part it leaves out, that part's best unit quoted as a
    complete thought, in the question's order. `rankings` holds each part's scored units. A side
    of a comparison with an own unit (`app/core/sides.py`) is answered by that unit, looked up
    in `document` (the pages `sources` the question found, best first) when its part's units
    hold none; the lead gives way when every side has one and the lead holds none of them nor
    contrasts them all."""
    parts = answered_parts(query)
    sides = Sides.of(query, idf)
    defined = _defined(sides, parts, rankings, document, sources or []) if sides else {}
    topic = content_words(lead.hit.chunk.heading_path)  # "load testing" tells no part apart
    distinct = distinct_words(query)
    own = [words - topic for words in distinct]
    # A lead that only lists the parts among other names ("stress, endurance, spike, or chaos
    # testing") answers neither: the parts' own passages replace it when they are found.
    passages = [] if all(_only_lists(words, lead.units) for words in own) else [lead]
    each_named = all(names_subject(p) for p in query.parts)
    answered: dict[int, Passage] = {}  # part number -> the passage added for it
    for n, (part, ranked) in enumerate(zip(parts, rankings, strict=False)):
        scores = {(s.candidate.hit.chunk.id, s.candidate.unit.order): s.probability for s in ranked}
        if sides is not None and n in defined:
            if not quoted_already(defined[n], passages):
                answered[n] = _side_passage(sides, defined[n], scores, part)
                passages.append(answered[n])
            continue
        if own[n] and _speaks_to(own[n], quoted_words(passages), idf):
            continue  # the quote already speaks to what sets this part apart
        fits = [
            s
            for s in ranked
            if s.answers >= _bar(s, lead, threshold)
            and answers_alone(part, s.candidate)
            and not _only_lists(own[n], (s.candidate.unit,))
        ]
        if not fits:
            continue  # nothing clearly answers this part: better no quote than a wrong one
        named = distinct[n] - own[n]  # the part's words its lead's headings name ("cache stampede")
        if (
            own[n]
            and named
            and _speaks_to(named, quoted_words(passages), idf)
            and not any(_names(own[n], s.candidate, idf) for s in fits)
        ):
            continue  # the quote speaks to the part, and no unit names the rest ("problem")
        best = max(fits, key=lambda s: s.probability + _names(own[n], s.candidate, idf))
        used = quoted(passages)
        if own[n] and _key(best) in used:
            if _names_rarest(own[n], best.candidate, idf):
                continue  # its own best unit is quoted and names what sets the part apart
            # the quote lacks the part's own words: its answer is something not quoted
            fits = [s for s in fits if _key(s) not in used]
            if not fits:
                continue
            best = max(fits, key=lambda s: s.probability + _names(own[n], s.candidate, idf))
        if _key(best) in quoted(passages):
            continue  # a part without words of its own: its best unit is quoted already
        # A third section reads as stitching, not an answer; when each part names its own
        # subject ("blue-green: ...", "canary: ..."), a long section's pieces count as one.
        where = _section if each_named else _chunk
        sections = {where(p.hit) for p in passages}
        if where(best.candidate.hit) not in sections and len(sections) >= MAX_PASSAGES:
            break
        answered[n] = _unpromised(expand(best.candidate, scores), part)
        passages.append(answered[n])
    if sides is not None and defined:
        every = all(n in defined for n, name in enumerate(sides.names[: len(parts)]) if name)
        if (
            every
            and lead in passages
            and not any(quoted_already(s, [lead]) for s in defined.values())
            and not any(sides.contrasts(u) for u in lead.units)
        ):
            passages.remove(lead)  # the sides' own units say what each is; the lead, neither
        added = {p.hit.chunk.id: n for n, p in answered.items()}
        passages = [sides.narrow(p) for p in merge(passages)]
        passages.sort(key=lambda p: _side_order(p, sides, defined, added))
        return fit(passages, PART_WORDS, room_for_each=True)
    passages = passages or [lead]  # no part's own passage found: the lead stays
    first = answered[0].hit.chunk.id if 0 in answered else None
    # The lead first: a part's passage takes what is left.
    fitted = fit(merge(passages), PART_WORDS, room_for_each=each_named)
    if first and len(fitted) > 1 and fitted[1].hit.chunk.id == first:
        fitted[0], fitted[1] = fitted[1], fitted[0]  # the first part's answer reads first
    return fitted


def _defined(
    sides: Sides,
    parts: list[Query],
    rankings: list[list[Scored]],
    document: Document | None,
    sources: list[str],
) -> dict[int, Candidate]:
    """Each side's own unit (`_own`) among its part's scored units, or else among the units of
    the documents the question found: a page's opening that says what a side is ("**Continuous
    Integration (CI)** is ...") is often not retrieved for "CI vs CD"."""
    out: dict[int, Candidate] = {}
    pages: list[Candidate] | None = None  # the documents' units, read once when needed
    for n, (part, ranked) in enumerate(zip(parts, rankings, strict=False)):
        if n >= len(sides.names) or sides.names[n] is None:
            continue
        found = _own(sides, n, [s.candidate for s in ranked if answers_alone(part, s.candidate)])
        if found is None and document is not None:
            pages = _document_units(document, sources) if pages is None else pages
            found = _own(sides, n, [c for c in pages if answers_alone(part, c)])
        if found is not None:
            out[n] = found
    return out


def _own(sides: Sides, n: int, cands: list[Candidate]) -> Candidate | None:
    """Side n's own unit among `cands` (best first): the opening of the section whose heading
    names it with the fewest other words, or else the first unit labelled with it."""
    headed = [c for c in cands if sides.heads(c) == n]
    if headed:
        return min(headed, key=lambda c: (sides.extra_words(c, n), c.hit.rank))
    return next((c for c in cands if sides.labels(c) == n), None)


def _document_units(document: Document, sources: list[str]) -> list[Candidate]:
    """Every unit of the documents `sources`, in their order and then file order."""
    out: list[Candidate] = []
    for rank, source in enumerate(sources, 1):
        for chunk in document(source):
            units = tuple(split_units(chunk))
            hit = Hit(chunk, 0.0, 0.0, 0.0, rank)
            out.extend(Candidate(hit, u, units) for u in units)
    return out


def _side_passage(
    sides: Sides, cand: Candidate, scores: dict[tuple[str, int], float], part: Query
) -> Passage:
    """A side's own unit as quoted: a list item after its lead-in with the siblings labelled
    with a side (the rest, and what is nested in them, say nothing of the sides), other units as
    a complete thought."""
    if cand.unit.kind == "item":
        return items_alone(cand, lambda u: sides.named(label(u) or "") != set())
    quote = _unpromised(expand(cand, scores), part)
    if sides.heads(cand) is None:
        return quote
    # a section's opening: what stands before it is a note or a label, not the side's answer
    return Passage(quote.hit, tuple(u for u in quote.units if u.order >= cand.unit.order))


def _side_order(
    passage: Passage, sides: Sides, defined: dict[int, Candidate], added: dict[str, int]
) -> tuple[int, int]:
    """Where a passage goes in a comparison's answer, in the question's order: by the first
    side whose own unit it quotes, else the part it was added for, else the first side it
    names (a passage naming none first); of passages on one side, the one it owns first."""
    held = [n for n, s in defined.items() if quoted_already(s, [passage])]
    if held:
        return min(held), 0
    if passage.hit.chunk.id in added:
        return added[passage.hit.chunk.id], 1
    return min(sides.named(" ".join(u.quote for u in passage.units)), default=-1), 2


def merge(passages: list[Passage]) -> list[Passage]:
    """Passages of one chunk become one (its units in file order), so that words quoted twice
    are not counted twice against the budget; a unit that the overlapping piece of its section
    quotes already is left out of the later passage."""
    by_chunk: dict[str, Passage] = {}
    for p in passages:
        key = p.hit.chunk.id
        if key in by_chunk:
            units = {u.order: u for u in by_chunk[key].units + p.units}
            by_chunk[key] = Passage(p.hit, tuple(units[o] for o in sorted(units)))
        else:
            by_chunk[key] = p
    out: list[Passage] = []
    for p in by_chunk.values():  # a long section's chunks overlap: its shared lines once
        seen = {(q.hit.chunk.source, u.start_line, u.text) for q in out for u in q.units}
        kept = tuple(u for u in p.units if (p.hit.chunk.source, u.start_line, u.text) not in seen)
        if kept:
            out.append(Passage(p.hit, kept))
    return out


def _unpromised(passage: Passage, part: Query) -> Passage:
    """A part's passage does not end on a sentence announcing what follows ("The ticket below
    follows ...") unless the part asks for an example: the code it announces would only pad the
    answer, as code never stands as a part's answer (`answers_alone`)."""
    if "example" in part.intents:
        return passage
    units = list(passage.units)
    while len(units) > 1 and points_ahead(units[-1], units):
        units.pop()
    return Passage(passage.hit, tuple(units))


def _bar(s: Scored, lead: Passage, threshold: float) -> float:
    """How sure the scorer must be: a unit from another document than the lead's is a second
    source to cite, so a borderline one more often added a wrong citation than an answer."""
    same = s.candidate.hit.chunk.source == lead.hit.chunk.source
    return threshold if same else max(threshold, OTHER_DOCUMENT)


def _only_lists(own: frozenset[str], units: tuple[Unit, ...]) -> bool:
    """The units name some of a part's own words but say something about none of them."""
    named = frozenset().union(*(content_words(u.quote) for u in units))
    spoken = frozenset().union(*(spoken_words(u) for u in units))
    return bool(own & named) and not own & spoken


def _section(hit: Hit) -> tuple[str, str]:
    return hit.chunk.source, hit.chunk.heading_path


def _chunk(hit: Hit) -> tuple[str, str]:
    return hit.chunk.source, hit.chunk.id


def _rarest(own: frozenset[str], idf) -> str:
    return max(own, key=lambda t: (idf(t), t))


def _key(s: Scored) -> tuple[str, int]:
    return s.candidate.hit.chunk.id, s.candidate.unit.order


def _names_rarest(own: frozenset[str], cand: Candidate, idf) -> bool:
    """The unit names the rarest of the part's own words that the knowledge base uses at all
    (a word no passage uses tells no unit apart)."""
    known = frozenset(t for t in own if t in idf.idf)
    return bool(known) and _rarest(known, idf) in spoken_words(cand.unit)


def _speaks_to(own: frozenset[str], found: frozenset[str], idf) -> bool:
    """The quote holds the part's rarest distinct word and most of the others (by weight)."""
    return _rarest(own, idf) in found and coverage(own, found, idf) >= PART_COVERED


def _names(own: frozenset[str], cand: Candidate, idf) -> float:
    """How much of what sets the part apart a unit names: among units that answer, the one
    saying "production-like environment" answers "what environment", not the one beside it."""
    return NAMES_WEIGHT * coverage(own, spoken_words(cand.unit), idf) if own else 0.0


def fit(passages: list[Passage], limit: int, room_for_each: bool = False) -> list[Passage]:
    """The passages cut to `limit` prose words in all: trailing units of the later passages go
    first (never leaving a "...:" lead-in or a label without its code last); a passage whose
    opening unit does not fit is left out (never the first). `room_for_each`: the passages
    answer parts naming their own subjects ("blue-green: ...", "canary: ..."), so an earlier one
    leaves room for the later ones' opening units when they all fit."""
    openings = [words(list(p.units[:1])) if room_for_each else 0 for p in passages]
    if sum(openings) > limit:
        openings = [0] * len(passages)
    out: list[Passage] = []
    for n, p in enumerate(passages):
        room = limit - sum(words(list(q.units)) for q in out) - sum(openings[n + 1 :])
        units = list(p.units)
        while len(units) > 1 and (
            words(units) > room
            or units[-1].leads_in
            or bare_label(units[-1], tuple(units))
            or units[-1].table == "head"  # a table's header without a row says nothing
        ):
            units.pop()
        if units[-1].table == "head" and out:
            continue  # only the header of a table fitted: the passage is left out
        if not out or words(units) <= room:
            out.append(Passage(p.hit, tuple(units)))
    return out
