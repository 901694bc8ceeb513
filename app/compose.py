"""Compose an extractive answer: the unit that answers the question, as one complete thought.

1. Every unit (sentence, list item, code block) of the top passages is scored by the answer
   scorer (`app/scorer.py`): does it answer this question, not merely share its topic.
2. The best unit is quoted with what it needs to read as a whole: the lead-in of the list item
   it is part of, the list or code a "...:" lead-in introduces, the sentence before a "This ..."
   sentence, the fix that follows a cause, and a short paragraph's rest; never past its section.
3. Each part of a two-part question ("X vs Y", "what ... and when ...") the passage leaves out
   gets its own best unit, expanded the same way.
4. When no unit scores above the scorer's threshold, the answer says so in one line and shows
   the best section's heading and opening lines, cited, instead of stitched quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.passages import Unit, split_units
from app.query import Query
from app.retrieve import Hit
from app.scorer import (
    MARKUP,
    POINTER,
    Candidate,
    Scorer,
    _unit_tokens,
    coverage,
    default_scorer,
    features,
)

PASSAGES_SCORED = 5  # the top hits whose units compete
MAX_LIST_ITEMS = 8  # a longer list is cut to its best items
MAX_WORDS = 100  # prose words in the main passage (a list may take it past this a little)
MIN_WORDS = 25  # a shorter passage takes the rest of its paragraph
KEEP_SHARE = 0.5  # a neighbour joins the passage when it scores over this share of the best
MAX_CODE_LINES = 40
SECOND_SHARE = 0.7  # a second passage only when its best unit scores nearly as well
SECOND_ROOM = 80  # ... and the first passage is shorter than this
GATE_CONTENDERS = 3  # the answer is clear when one of the top units passes the gate
MAX_PASSAGES = 2  # more reads as stitching, not an answer
MAX_TOTAL_WORDS = 150  # prose words in all, a second part of the question included
PART_COVERED = 0.5  # a question part whose words the passage holds this share of is answered
FIX = re.compile(
    r"^(instead|use|the fix|to fix|fix|the solution|solution|the cure|rather|so|prefer|avoid"
    r"|do|don'?t|always|never|make|wrap|call|pass|set|keep|put)\b",
    re.I,
)
# A sentence that opens like this leans on the one before it.
LEANS_BACK = re.compile(
    r"^(this|these|that|those|it|they|such|both|so|then|also|for example|for instance|however"
    r"|in this case|in that case|otherwise|instead|here)\b",
    re.I,
)
NO_CLEAR_ANSWER = "No passage in the knowledge base clearly answers this; the closest section is"


@dataclass(frozen=True)
class Scored:
    probability: float  # ranking score among this question's units
    answers: float  # calibrated: how likely this unit answers the question at all
    candidate: Candidate


@dataclass(frozen=True)
class Passage:
    """Units of one chunk quoted together, in file order."""

    hit: Hit
    units: tuple[Unit, ...]


def candidates(hits: list[Hit]) -> list[Candidate]:
    out: list[Candidate] = []
    for hit in hits[:PASSAGES_SCORED]:
        units = tuple(split_units(hit.chunk))
        out.extend(Candidate(hit, unit, units) for unit in units)
    return out


def score(query: Query, hits: list[Hit], idf, scorer: Scorer | None = None) -> list[Scored]:
    """Every candidate unit with the probability that it answers the question, best first."""
    scorer = scorer or default_scorer()
    if not hits:
        return []
    top = hits[0]
    best_keyword = max(h.keyword for h in hits[:PASSAGES_SCORED])
    scored = []
    for c in candidates(hits):
        values = features(query, c, top, best_keyword, idf)
        scored.append(Scored(scorer.probability(values), scorer.answers(values), c))
    scored.sort(key=lambda s: (-s.probability, s.candidate.hit.rank, s.candidate.unit.order))
    return scored


def _words(units: list[Unit]) -> int:
    return sum(len(u.quote.split()) for u in units if u.kind != "code")


def _block(units: tuple[Unit, ...], block: int) -> list[Unit]:
    return [u for u in units if u.block == block]


def _before(units: tuple[Unit, ...], unit: Unit) -> Unit | None:
    return units[unit.order - 1] if unit.order > 0 else None


def _after(units: tuple[Unit, ...], unit: Unit) -> Unit | None:
    return units[unit.order + 1] if unit.order + 1 < len(units) else None


def _introduced(units: tuple[Unit, ...], lead: Unit) -> list[Unit]:
    """The list or code block a unit ending on a colon introduces (empty if none follows)."""
    if lead.kind == "code" or not lead.quote.rstrip().endswith(":"):
        return []
    nxt = _after(units, lead)
    if nxt is None or nxt.kind == "sentence":
        return []
    if nxt.kind == "code":
        return [nxt] if nxt.text.count("\n") <= MAX_CODE_LINES else []
    return _block(units, nxt.block)[:MAX_LIST_ITEMS]


def _window(cand: Candidate, scores: dict[tuple[str, int], float]) -> list[Unit]:
    """The run of units around the chosen one that answers best: each unit in it gains its
    score minus KEEP_SHARE of the chosen unit's, within MAX_WORDS and never across code."""
    units, unit, key = cand.units, cand.unit, cand.hit.chunk.id
    best = scores.get((key, unit.order), 0.0)

    def gain(u: Unit) -> float:
        if u is not unit and MARKUP.search(u.text):
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
            if _words(list(window)) > MAX_WORDS and len(window) > 1:
                break
            total = sum(gain(u) for u in window)
            if total > top + 1e-9:
                top, span = total, (first, last)
    return list(units[span[0] : span[1] + 1])


def expand(cand: Candidate, scores: dict[tuple[str, int], float] | None = None) -> Passage:
    """The best run of units around the chosen one, with the lead-in it needs, the list or code
    it introduces and the fix that follows a cause."""
    units, unit = cand.units, cand.unit
    scores = scores or {}
    core = _window(cand, scores)
    chosen: dict[int, Unit] = {u.order: u for u in core}

    def add(more: list[Unit]) -> None:
        for u in more:
            chosen.setdefault(u.order, u)

    first, last = core[0], core[-1]
    if first.kind == "item":
        items = _block(units, first.block)
        lead = _before(units, items[0])
        if lead is not None and lead.kind == "sentence":
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
        add(_introduced(units, u))
    # The rest of a short paragraph, and the fix after a cause.
    if last.kind == "sentence":
        for u in _block(units, last.block):
            if u.order <= last.order:
                continue
            if _words(list(chosen.values())) < MIN_WORDS or FIX.match(u.quote):
                add([u])
                add(_introduced(units, u))
            else:
                break
    # Never end on a colon with nothing after it.
    ordered = sorted(chosen.values(), key=lambda u: u.order)
    while ordered and ordered[-1].kind != "code" and ordered[-1].quote.rstrip().endswith(":"):
        more = _introduced(units, ordered[-1])
        if more:
            ordered = sorted({u.order: u for u in ordered + more}.values(), key=lambda u: u.order)
            break
        ordered.pop()
    if not ordered:
        ordered = [unit]
    ordered = _trim(ordered, unit)
    return Passage(cand.hit, tuple(ordered))


def _anaphoric(unit: Unit) -> bool:
    return bool(LEANS_BACK.match(unit.quote))


def _trim(units: list[Unit], keep: Unit) -> list[Unit]:
    """Drop trailing prose past the word budget (never the chosen unit or a list it needs)."""
    while _words(units) > MAX_WORDS and units[-1] is not keep and units[-1].kind == "sentence":
        units = units[:-1]
    return units


def passage_words(passage: Passage) -> frozenset[str]:
    words: set[str] = set()
    for u in passage.units:
        words |= _unit_tokens(u.quote)
    return frozenset(words)


def choose(query: Query, hits: list[Hit], idf, scorer: Scorer | None = None) -> list[Passage]:
    """The passages an answer quotes; empty when no unit clearly answers the question."""
    scorer = scorer or default_scorer()
    ranked = score(query, hits, idf, scorer)
    if not ranked:
        return []
    table = {(s.candidate.hit.chunk.id, s.candidate.unit.order): s.probability for s in ranked}
    lead = _lead(query, ranked)
    contenders = [s for s in ranked if _standalone(query, s.candidate.unit)][:GATE_CONTENDERS]
    if max((s.answers for s in contenders), default=0.0) < scorer.threshold:
        return []
    passages = [expand(lead.candidate, table)]
    parts = query.sub_queries()
    for part, own_words in zip(parts, query.part_tokens[: len(parts)], strict=True):
        words = frozenset(part.tokens)
        if own_words and any(
            coverage(words, passage_words(p), idf) >= PART_COVERED for p in passages
        ):
            continue  # the passage already speaks to this part
        extra = [s for s in score(part, hits, idf, scorer) if _fresh(s, passages, part)]
        if extra and extra[0].answers >= scorer.threshold:
            part_table = {
                (s.candidate.hit.chunk.id, s.candidate.unit.order): s.probability for s in extra
            }
            _append(passages, expand(extra[0].candidate, part_table), MAX_TOTAL_WORDS)
    if len(passages) == 1 and _total(passages) < SECOND_ROOM:
        source = lead.candidate.hit.chunk.source  # one document reads as one answer
        runner_up = next(
            (
                s
                for s in ranked
                if s.candidate.hit.chunk.source == source and _fresh(s, passages, query)
            ),
            None,
        )
        if runner_up is not None and runner_up.probability >= SECOND_SHARE * lead.probability:
            _append(passages, expand(runner_up.candidate, table), SECOND_ROOM + MIN_WORDS)
    return _merge(passages)


def _fresh(s: Scored, passages: list[Passage], query: Query) -> bool:
    """A unit no passage quotes yet that may answer on its own."""
    key = (s.candidate.hit.chunk.id, s.candidate.unit.order)
    used = {(p.hit.chunk.id, u.order) for p in passages for u in p.units}
    text = s.candidate.unit.text
    return (
        key not in used
        and _standalone(query, s.candidate.unit)
        and not POINTER.search(text)  # "See [X] for more details" adds nothing
        and not MARKUP.search(text)
    )


def _total(passages: list[Passage]) -> int:
    return sum(_words(list(p.units)) for p in passages)


def _append(passages: list[Passage], extra: Passage, limit: int) -> None:
    """Add `extra`, cut to what fits under `limit` words in all; skipped when even its core
    does not fit or the answer already has MAX_PASSAGES passages."""
    if len(passages) >= MAX_PASSAGES:
        return
    units = list(extra.units)
    room = limit - _total(passages)
    while len(units) > 1 and _words(units) > room and units[-1].kind == "sentence":
        units.pop()
    if _words(units) <= room:
        passages.append(Passage(extra.hit, tuple(units)))


def _standalone(query: Query, unit: Unit) -> bool:
    """Code answers on its own only when asked for an example, and only when short."""
    return unit.kind != "code" or (
        "example" in query.intents and unit.text.count("\n") <= MAX_CODE_LINES
    )


def _lead(query: Query, ranked: list[Scored]) -> Scored:
    return next((s for s in ranked if _standalone(query, s.candidate.unit)), ranked[0])


def answer_first(query: Query, hits: list[Hit], idf) -> list[Hit]:
    """The hits with the one holding the best answering unit first (for an LLM's prompt)."""
    ranked = score(query, hits, idf)
    if not ranked:
        return hits
    best = ranked[0].candidate.hit
    return [best] + [h for h in hits if h is not best]


def _merge(passages: list[Passage]) -> list[Passage]:
    """Passages of one chunk become one, in file order; chunks keep retrieval order."""
    by_chunk: dict[str, Passage] = {}
    for p in passages:
        key = p.hit.chunk.id
        if key in by_chunk:
            units = {u.order: u for u in by_chunk[key].units + p.units}
            by_chunk[key] = Passage(p.hit, tuple(units[o] for o in sorted(units)))
        else:
            by_chunk[key] = p
    return list(by_chunk.values())


def opening(hits: list[Hit], max_words: int = 60) -> Passage | None:
    """The first prose of the best section that has any (and the list or code its lead-in
    introduces); None when no retrieved section has prose."""
    for hit in hits:
        units = tuple(split_units(hit.chunk))
        chosen: list[Unit] = []
        for unit in units:
            if unit.kind == "code" and not chosen:
                continue
            chosen.append(unit)
            if _words(chosen) >= max_words or unit.kind == "code":
                break
        while chosen and chosen[-1].kind != "code" and chosen[-1].quote.rstrip().endswith(":"):
            more = _introduced(units, chosen[-1])
            if more:
                chosen += [u for u in more if u not in chosen]
                break
            chosen.pop()
        if chosen:
            return Passage(hit, tuple(chosen))
    return None


def render(passages: list[Passage], markers: dict[str, int]) -> str:
    """Markdown: each block (paragraph, list, code) of a passage, then its [n] marker."""
    parts: list[str] = []
    for passage in passages:
        marker = f"[{markers[passage.hit.chunk.id]}]"
        blocks: list[list[Unit]] = []
        for unit in passage.units:
            if blocks and blocks[-1][-1].block == unit.block:
                blocks[-1].append(unit)
            else:
                blocks.append([unit])
        for number, block in enumerate(blocks):
            kind = block[0].kind
            leads_in = number + 1 < len(blocks) and block[-1].quote.rstrip().endswith(":")
            tail = "" if leads_in else f" {marker}"
            if kind == "code":
                parts.append(block[0].text.strip("\n") + (f"\n{marker}" if tail else ""))
            elif kind == "item":
                lines = [f"- {u.quote}" for u in block]
                lines[-1] += tail
                parts.append("\n".join(lines))
            else:
                parts.append(" ".join(u.quote for u in block) + tail)
    return "\n\n".join(parts)
