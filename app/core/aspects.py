"""Whole tasks, not questions: split a request into the aspects it asks about, search each,
and merge the results so every aspect is covered and each passage says which one it serves.

A coding agent sends the ticket it was given ("export orders as CSV; a junior implements it;
break it down, write the spec with acceptance criteria, tell me what to review"). One search
for the whole text lands on the one or two documents its words share most; a search per
aspect, merged round-robin, finds the delegation, review and framework passages too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from app.core.retrieve import Hit
from ingest.keyword import tokenize

DOCUMENT_WINDOW = 3  # how far down an aspect's list to look for a document not yet shown
MAX_ASPECTS = 8  # more clauses than this are folded into the last aspect
MIN_ASPECT_TOKENS = 2  # a clause with fewer search words ("profile it") joins the next one
MIN_STATEMENT_WORDS = 4  # a clause not led by a verb ("Ticket ORD-412:") needs this many words
MIN_QUESTION_LEAD_WORDS = 6  # "In a composite index, which columns go first?" is one question

# Sentence ends, semicolons, line breaks and list bullets separate requests.
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=\S)|;\s*|:\s*\n|\n\s*(?:[-*+•]|\d+[.)])?\s*")
IMPERATIVES = (
    "add assess avoid break build catch check choose coach compare create cut debug decide "
    "define delegate describe design document draft estimate evaluate explain find fix give "
    "handle help identify implement improve keep list make measure mentor migrate optimise "
    "optimize outline pair pick plan point prepare profile propose refactor review scope set "
    "show speed split stream suggest summarise summarize teach tell test walk write"
).split()
QUESTION_WORDS = "how what when where which why whether should can could do does is are".split()
CONNECTIVE = r"(?:(?:and|so|then|also|first|finally|next|please)\s+)*"
LEADING_VERB = re.compile(CONNECTIVE + r"(?:" + "|".join(IMPERATIVES) + r")\b", re.I)
# Inside a sentence, a new request starts at a comma, colon, "and", "so" or "then" followed by
# an imperative verb ("break it down, write the spec and tell me what to review"), or at a
# comma followed by a question word ("should it be layered, and how do we version it").
CLAUSE_BREAK = re.compile(
    r"(?:[,:]\s*|\s+(?:and|so|then)\s+)" + CONNECTIVE + r"(?=(?:" + "|".join(IMPERATIVES) + r")\b)"
    r"|[,:]\s*(?P<joined>(?:and|or)\s+)?(?=(?P<question>" + "|".join(QUESTION_WORDS) + r")\b)",
    re.I,
)
# A clause opening on a pronoun ("Is that layer pulling its weight?") leans on the one before.
ANAPHORIC = re.compile(r"^(?:\w+\s+)?(?:this|that|these|those|it|its|they|them)\b", re.I)


def _pieces(text: str, breaks: Iterator[re.Match[str]], offset: int) -> list[tuple[int, int]]:
    """Spans of `text` between the breaks that count, as offsets into the whole request."""
    spans, start = [], 0
    for match in breaks:
        lead = text[start : match.start()]
        if (
            "question" in match.re.groupindex
            and match.group("question")
            and not match.group("joined")
            and len(lead.split()) < MIN_QUESTION_LEAD_WORDS
        ):
            continue  # a short lead-in, not a question of its own
        spans.append((offset + start, offset + match.start()))
        start = match.end()
    spans.append((offset + start, offset + len(text)))
    return spans


def split_aspects(request: str) -> list[str]:
    """The separate requests in a task, in order; a plain question is one aspect."""
    clauses = []
    for a, b in _pieces(request, SENTENCE_BREAK.finditer(request), 0):
        sentence = request[a:b]
        clauses += _pieces(sentence, CLAUSE_BREAK.finditer(sentence), a)

    def text(span: tuple[int, int]) -> str:
        return " ".join(request[span[0] : span[1]].strip(" ,.;:-").split())

    clauses = [c for c in clauses if text(c)]
    merged: list[tuple[int, int]] = []  # spans; a merged span covers the text between too
    pending: int | None = None  # start of short clauses waiting to join the next one
    for span in clauses:
        verb_led = bool(LEADING_VERB.match(text(span)))
        if merged and pending is None and not verb_led and ANAPHORIC.match(text(span)):
            merged[-1] = (merged[-1][0], span[1])
            continue
        span = (pending, span[1]) if pending is not None else span
        clause = text(span)
        if len(tokenize(clause)) < MIN_ASPECT_TOKENS or (
            not verb_led and len(clause.split()) < MIN_STATEMENT_WORDS
        ):
            pending = span[0]
            continue
        pending = None
        merged.append(span)
    if pending is not None:
        if merged:
            merged[-1] = (merged[-1][0], len(request))
        else:
            merged.append((pending, len(request)))
    if len(merged) > MAX_ASPECTS:
        merged = merged[: MAX_ASPECTS - 1] + [(merged[MAX_ASPECTS - 1][0], merged[-1][1])]
    unique: list[str] = []
    seen: set[frozenset[str]] = set()
    for span in merged:
        words = frozenset(tokenize(text(span)))
        if words not in seen:
            seen.add(words)
            unique.append(text(span))
    return unique or [" ".join(request.split())]


@dataclass(frozen=True)
class AspectHit:
    hit: Hit
    aspect: str  # the part of the request this passage was chosen for
    rank: int  # 1-based, in the merged list


def search_aspects(
    request: str, k: int, search: Callable[[str, int], list[Hit]]
) -> tuple[list[str], list[AspectHit]]:
    """Search each aspect, then take each aspect's best unused passage in turn.

    Returns at least one passage per aspect (so up to max(k, aspects) passages), each chunk
    once: a chunk two aspects both rank first serves the first, and the second aspect gets its
    next best. For its first passage, an aspect prefers (among its next few) a document the list
    does not show yet, which keeps the list from collapsing onto one document.
    """
    aspects = split_aspects(request)
    if len(aspects) == 1:
        hits = search(aspects[0], k)
        return aspects, [AspectHit(h, aspects[0], h.rank) for h in hits]
    want = max(k, len(aspects))
    per_aspect = [search(aspect, want) for aspect in aspects]
    merged: list[AspectHit] = []
    taken: set[str] = set()
    documents: set[str] = set()
    first_round = True
    while len(merged) < want:
        progressed = False
        for aspect, hits in zip(aspects, per_aspect, strict=True):
            if len(merged) == want:
                break
            fresh = [h for h in hits if h.chunk.id not in taken][:DOCUMENT_WINDOW]
            if not fresh:
                continue
            hit = fresh[0]
            if first_round:  # each aspect's pick: prefer a document the list does not show yet
                hit = next((h for h in fresh if h.chunk.source not in documents), hit)
            taken.add(hit.chunk.id)
            documents.add(hit.chunk.source)
            merged.append(AspectHit(hit, aspect, len(merged) + 1))
            progressed = True
        if not progressed:
            break
        first_round = False
    return aspects, merged
