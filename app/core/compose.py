"""Compose an extractive answer: the unit that answers the question, as one complete thought.

1. Every unit (sentence, list item, code block) of the top passages is scored by the answer
   scorer (`app/core/scorer.py`): does it answer this question, not merely share its topic. A
   follow-up leaning on the conversation ("How do I lock that down?") leaves out the units of
   passages sharing little of the previous question's words (`_on_subject`).
2. The best unit is quoted with what it needs to read as a whole: the lead-in of the list item
   it is part of, the list or code a "...:" lead-in introduces, the sentence before a "This ..."
   sentence, the fix that follows a cause, and a short paragraph's rest (or a longer one's,
   when the budget cut it before a sentence that answers nearly as well); never past its
   section. A section of at most 140 words (code included) is quoted whole, except that a
   question about one thing (`asks_one`: not a list, a plural ask or a two-part question)
   quotes, of the list the chosen item stands in, only its lead-in and the items scoring
   within 2 log-odds of the chosen one (`quote.narrowed`); a table's rows (items of a list
   under its header) are narrowed so for a two-part question too (`asks_rows`). A sentence that
   only points to another page does not lead when another unit scores nearly as well, nor does
   another passage's opening definition when the question does not ask what something is and
   the top-ranked passage's short section scores nearly as well (that section is quoted). Of
   units the ranking scores level (log-odds within TIE), the calibrated answer probability
   picks the lead. A lead-in whose list or code chunking put in the section's next chunk may
   lead, and a quote whose paragraph closes on such a lead-in keeps it (or is followed by one
   standing as a paragraph of its own that holds a word of the question the quote lacks): the
   quote goes on into that chunk's opening list or code (`app/core/outline.py`). Code leads
   only when the question asks for an example, or asks how and the code is a block of shell
   commands: then the commands are the whole answer. A yes/no question ("Does X ...?", "If ...,
   can we ...?") is led by a sentence that says yes or no ("... won't throw an error ...") when
   one ranks near the best unit and the calibrated probability rates it clearly higher; one
   whose lead is a confident sentence of a short section gets the section from
   the lead's paragraph on, the verdict first; what its section or a parent section says before
   the verdict comes back as a second passage only if it answers better.
3. Each part of a two-part question ("X vs Y", "what ... and when ...") the passage leaves out
   gets its own best unit, found by a search for that part and expanded the same way
   (`app/core/parts.py`); each side of a comparison ("X vs Y vs Z") gets the unit saying what it
   is (`app/core/sides.py`).
4. When no unit scores above the scorer's threshold, the answer says so in one line and shows
   the best section's heading and opening lines, cited, instead of stitched quotes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from dataclasses import dataclass, replace

from app.core.answer_type import wanted
from app.core.headings import identifier
from app.core.links import LINK, resolve
from app.core.outline import Document, continuation, lead_in_before
from app.core.parts import answered_parts, complete, merge
from app.core.passages import Unit, in_section, one_section, sentences, split_units
from app.core.query import Query, asks_only_about, refers_back
from app.core.quote import (
    KEEP_SHARE,
    MAX_CODE_LINES,
    MIN_WORDS,
    POINTS_AHEAD,
    Passage,
    aside,
    dangles,
    expand,
    leans_on_context,
    log_odds,
    narrowed,
    opens,
    quoted_already,
    section,
    words,
)
from app.core.remedy import ASKS_FIX, STATES_FIX
from app.core.retrieve import Hit
from app.core.scorer import (
    DEFINITION,
    Candidate,
    Scorer,
    coverage,
    default_scorer,
    dense_scale,
    features,
    file_text,
    points_elsewhere,
)
from app.core.sides import side_names
from ingest.chunk import PATH_SEP
from ingest.keyword import tokenize
from ingest.refusal import below_title

PASSAGES_SCORED = 5  # the top hits whose units compete
LINKED_MARGIN = 0.15  # a linked page's unit leads when it scores this close to the linking one
SECOND_SHARE = 0.7  # a second passage only when its best unit scores nearly as well
SECOND_ROOM = 80  # ... and the first passage is shorter than this
# ... and, from outside the lead's section and its subsections, when it answers nearly as well by
# the calibrated answer probability (the ranking probability is near 1 for any on-topic unit),
# or the lead itself is an unsure answer.
ELSEWHERE_SHARE = 0.9
UNSURE_LEAD = 0.75
GATE_CONTENDERS = 3  # the answer is clear when one of the top units passes the gate
# A long section is cut into pieces: the best unit of another piece of the lead's section joins
# the answer when it scores this share of the lead, the whole within SIBLING_ROOM words.
SIBLING_SHARE = 0.9
SIBLING_ROOM = 170
MAX_PASSAGES = 2  # more reads as stitching, not an answer
TOP_SHARE = 0.9  # the top passage's short section leads when its best unit scores this share
# A section's opening sentence leads over the best unit of one of its subsections within this
# many log-odds when retrieval ranked the opening's passage first (batch 35's Flask logging
# question). Measured with scripts/compose_grid.py: at 0.7 no labelled answer of the six corpora
# changes and 24 of 1,245 new-user answers move to the section's opening (two blind graders:
# >= 2 67% -> 88% / 92%, = 3 25% / 29% -> 62% / 67%, 14 / 13 up, 3 / 2 down); at 1.2 five
# labelled answers change (kb/ key point .748 -> .743).
PARENT_OPENING = 0.7
# A follow-up that leans on the conversation ("How do I lock that down with Pydantic?", "Any
# pitfalls?"): of the units scoring within SUBJECT_MARGIN (log-odds) of the best, those from
# passages holding under SUBJECT_SHARE of the best such passage's share of the conversation's
# words do not answer (`_on_subject`).
SUBJECT_MARGIN = 1.5
SUBJECT_SHARE = 0.5
# Units whose ranking scores (log-odds) differ by less than this are tied: the calibrated answer
# probability decides which leads (a checklist line and the section that answers rank a hair apart).
TIE = 0.01
# A page's recap section; its item gives the lead to the same page's body within RECAP_MARGIN
# log-odds (measured with scripts/compose_grid.py: 0.1 and 0.3 change the same 2 of ~1,700
# answers on six corpora and the new-user questions; kb/ key point .748 -> .752).
RECAP_HEADING = re.compile(r"\b(common pitfalls|checklist|summary|key takeaways)\b", re.I)
RECAP_MARGIN = 0.3
# A page's opening that describes the page ("This document lists ...") yields the lead to a unit
# of one of the page's own sections scoring within this many log-odds of it.
SUMMARY_MARGIN = 1.0
# Asked for a fix, a unit of the lead's document that states one ("The cleanest fix is ...")
# leads over a statement of the problem scoring up to this many log-odds higher.
FIX_MARGIN = 2.0
DESCRIBES_PAGE = re.compile(
    r"\bthis (?:document|page|guide|article|chapter) (?:\w+ )?(?:lists|covers|explains|describes|"
    r"shows|collects|gives|walks|is about)\b",
    re.I,
)
# A sentence whose point is where to read more: "... is in [X](x.md).", "See [X](x.md) ...".
# Matched on the file's text, where the link still stands (a quote shows only its words).
REFERS_AT_END = re.compile(
    r"\b(?:is|are)\s+(?:in|covered in|described in|explained in)\s+\[[^\]]*\]\([^)]*\)\W*$"
    r"|;\s*see\s+\[[^\]]*\]\((?![a-z][a-z0-9+.-]*:)[^)]*\)(?:\s+for\s[^.;]*)?\W*$",
    re.I,
)
# A link naming the page that covers a topic: "... as discussed in [X](x.md)", "...; [X](x.md)
# covers the factory pattern", "See [our dedicated section](x.md#y) for more information",
# "...; its limits are in [X](x.md)".
COVERED_THERE = re.compile(
    r"\b(?:discussed|covered|described|explained|detailed)\s+(?:in\s+(?:more\s+)?detail\s+)?in\s+"
    r"(?=\[)"
    r"|\b(?:is|are)\s+in\s+(?=\[)"
    r"|[.;,]\s*(?=\[[^\]]*\]\([^)]*\)\s+(?:cover|explain|describe|discuss|go(?:es)? into)s?\b)"
    r"|\bsee\s+(?:the\s+|our\s+)?(?=\[[^\]]*\]\([^)]*\)(?:[^.;]*\bfor\b|\s*[.;]|\s*$))",
    re.I,
)
# ... or names it as its subject: "[Logs vs Metrics vs Traces](../x.md) covers some guidance on".
LINK_FIRST = re.compile(
    r"^\[[^\]]*\]\([^)]*\)\s+(?:covers|explains|describes|discusses|goes into)\b", re.I
)
REFERS_FIRST = re.compile(r"^(?:see|read)\b", re.I)
# A lead-in to a reading list: "For more information on commit message conventions, see:". It
# restates its section's topic, so it matches the question's words better than the text that
# answers, and what it introduces is only where to read more.
READING_LIST = re.compile(r"\b(?:see|refer to|read)\s*:$", re.I)
# ... or a lead-in whose list names other pages, each item opening on a link to one ("Pydantic
# attempts to provide useful default error messages ..., which can be found here:" then
# "* [Validation Errors](validation_errors.md): ..."): a table of contents, not the text.
LINK_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[^\]]+\]\((?![a-z][a-z0-9+.-]*:)[^)]+\)", re.I)
PARENTHESIS = re.compile(r"\s*\([^()]*\)")
# A plural ask wants the whole list: "Which exceptions may I raise ...", "What properties ...".
PLURAL_ASK = re.compile(
    r"^(?:which|what)\s+(?:\w+\s+)?(?!(?:does|is|was|has|this)\b)\w{3,}s\b", re.I
)
# A question answered yes or no ("Does X ...?", "Can I ...?", "If ..., can we ...?"), possibly
# after a clause that sets the scene.
YES_NO = re.compile(
    r"^(?:(?:if|when|once|after|since)\b[^,?]*,\s*)?"
    r"(?:am|is|are|was|were|do|does|did|can|could|should|must|may|will|would|has|have)\b",
    re.I,
)
# A sentence that says yes or no: a negation or an absolute ("won't", "never", "only").
VERDICT = re.compile(r"\b(?:not|never|no|cannot|yes|always|only|\w+n't)\b", re.I)
VERDICT_SPAN = 3.0  # log-odds under the best unit's ranking score it may lead from
VERDICT_GAIN = 0.05  # ... when the calibrated answer probability rates it this much higher
# What leaves a paragraph out of a short section's quote: scoring under this share of the lead,
# before the lead's paragraph (see _from_context).
CONTEXT_SHARE = 0.3
NO_CLEAR_ANSWER = "No passage in the knowledge base clearly answers this; the closest section is"


@dataclass(frozen=True)
class Scored:
    probability: float  # ranking score among this question's units
    answers: float  # calibrated: how likely this unit answers the question at all
    candidate: Candidate


def candidates(hits: list[Hit]) -> list[Candidate]:
    out: list[Candidate] = []
    for hit in hits[:PASSAGES_SCORED]:
        units = tuple(split_units(hit.chunk))
        out.extend(Candidate(hit, unit, units) for unit in units)
    return out


def feature_rows(query: Query, hits: list[Hit], idf) -> list[tuple[Candidate, list[float]]]:
    """Every candidate unit of the top passages with its scorer features: what the app scores
    and what scripts/train_answer_scorer.py trains on (one recipe, so they cannot drift apart)."""
    if not hits:
        return []
    top = hits[0]
    best_dense = dense_scale(hits[:PASSAGES_SCORED])
    best_keyword = max(h.keyword for h in hits[:PASSAGES_SCORED])
    return [(c, features(query, c, top, best_dense, best_keyword, idf)) for c in candidates(hits)]


def score(query: Query, hits: list[Hit], idf, scorer: Scorer | None = None) -> list[Scored]:
    """Every candidate unit with the probability that it answers the question, best first."""
    scorer = scorer or default_scorer()
    scored = []
    for c, values in feature_rows(query, hits, idf):
        scored.append(Scored(scorer.probability(values), scorer.answers(values), c))
    scored.sort(key=lambda s: (-s.probability, s.candidate.hit.rank, s.candidate.unit.order))
    return scored


def choose(
    query: Query,
    hits: list[Hit],
    idf,
    scorer: Scorer | None = None,
    part_hits: list[list[Hit]] | None = None,
    document: Document | None = None,
) -> list[Passage]:
    """The passages an answer quotes; empty when no unit clearly answers the question.
    `part_hits`: each part's own search, for a two-part question (app/core/parts.py).
    `document`: a source's chunks in file order, to follow a lead-in into the next chunk."""
    scorer = scorer or default_scorer()
    ranked = _on_subject(query, score(query, hits, idf, scorer), idf)
    if not ranked:
        return []
    scores = {(s.candidate.hit.chunk.id, s.candidate.unit.order): s.probability for s in ranked}
    continued = _continued(ranked, document)
    standalone = continued.keys() | _led_in(ranked, document)
    lead = _lead(query, ranked, standalone)
    contenders = [s for s in ranked if _standalone(query, s.candidate, standalone)]
    contenders = contenders[:GATE_CONTENDERS]
    if max((s.answers for s in contenders), default=0.0) < scorer.threshold:
        return []
    narrow = asks_rows(query, lead.candidate.unit) and narrowed(lead.candidate, scores) is not None
    passages = [expand(lead.candidate, scores, narrow=True)] if narrow else []
    whole = section(lead.candidate)
    verdict = whole is not None and _verdict(query, lead)
    if whole is not None and verdict:  # a yes/no answer leads with its verdict
        whole = _from_verdict(whole, lead.candidate.unit)
    left_out: set[tuple[str, int]] = set()  # units a second passage must not bring back
    if whole is not None and not verdict and not narrow:
        trimmed = _from_context(whole, lead, scores)
        left_out = {_place(whole.hit, u) for u in whole.units if u not in trimmed.units}
        whole = trimmed
    passages = passages or [whole or expand(lead.candidate, scores)]
    goes_on = _goes_on(query, lead, passages[0], continued, scores)
    parts = answered_parts(query)
    if parts:  # each part of a two-part question scored against its own search's passages
        sources = {h.chunk.source for h in hits[:PASSAGES_SCORED]}
        # A part is answered from the documents the whole question found: another document's
        # passage that merely shares a part's words was a wrong citation more often than not.
        searched = [[h for h in own if h.chunk.source in sources] for own in part_hits or []]
        searched += [[]] * (len(parts) - len(searched))
        rankings = [
            _best_of(score(p, own, idf, scorer) + score(p, hits, idf, scorer))
            for p, own in zip(parts, searched, strict=False)
        ]
        found = list(dict.fromkeys(h.chunk.source for h in hits[:PASSAGES_SCORED]))
        passages = complete(query, passages[0], rankings, idf, scorer.threshold, document, found)
    if goes_on is not None:
        passages = _go_on(passages, *goes_on)
    if len(passages) == 1:
        if narrow:  # the items left out of the lead's list do not come back as a second passage
            left_out |= _left_out(lead.candidate, passages[0])
        if left_out:
            ranked = [
                s for s in ranked if _place(s.candidate.hit, s.candidate.unit) not in left_out
            ]
        add_second(query, lead, ranked, passages, scores)
        if verdict and len(passages) > 1 and _leads_up(lead, passages[-1], ranked):
            passages.pop()
    return merge(passages)


def _on_subject(query: Query, ranked: list[Scored], idf) -> list[Scored]:
    """For a follow-up that leans on the conversation (it points back, asks only for pitfalls
    or trade-offs, has no words of its own, or repeats a word of the previous question: "Where
    should the delete happen ...?" after "... or just delete the cached key?"), the units of
    passages on another subject are dropped: the unit scoring best on the follow-up's own words
    alone may come from a passage sharing none of the conversation's words. "How do I lock that
    down with Pydantic?" after a question on copying a PATCH body onto the User model quoted
    the lockfile section ("locked", "Pydantic") over the mass-assignment section (since kb/
    grew the lockfile unit scores past SUBJECT_MARGIN and still leads). The passages are
    weighed by their page's share of the previous question's words (`Query.context_tokens`: the
    best share among the page's passages) against the best share among passages whose units
    score within SUBJECT_MARGIN of the best unit: a page is one subject, and the section that
    answers a follow-up ("how should I report the latency numbers afterwards?" after a question
    on running a load test with Locust) need not repeat the words of the section that answered
    the question before."""
    context = frozenset(query.context_tokens) - frozenset(query.tokens)
    leans = (
        refers_back(query.text)
        or asks_only_about(query)
        or not query.tokens
        or bool(frozenset(query.tokens) & frozenset(query.context_tokens))
    )
    if not ranked or not query.is_follow_up or not context or not leans:
        return ranked

    chunks = {s.candidate.hit.chunk.id: s.candidate.hit.chunk for s in ranked}
    page: dict[str, float] = {}
    for chunk in chunks.values():
        held = coverage(context, idf.words_of(chunk), idf)
        page[chunk.source] = max(page.get(chunk.source, 0.0), held)
    share = {key: page[chunk.source] for key, chunk in chunks.items()}
    best = log_odds(ranked[0].probability)
    near = [s for s in ranked if best - log_odds(s.probability) < SUBJECT_MARGIN]
    top = max(share[s.candidate.hit.chunk.id] for s in near)
    if top <= 0:
        return ranked
    return [s for s in ranked if share[s.candidate.hit.chunk.id] >= SUBJECT_SHARE * top]


def asks_one(query: Query) -> bool:
    """The question asks about one thing: not for a list ("what are the steps", "which
    exceptions ..."), nor in parts ("X vs Y")."""
    return (
        "list" not in query.intents
        and not query.sub_queries()
        and not PLURAL_ASK.search(query.text)
    )


def asks_rows(query: Query, unit: Unit) -> bool:
    """The question asks about one thing (`asks_one`) or, when it is answered by a table's row,
    about some of its rows: a question in parts that names no sides of a comparison and asks for
    no list ("Celery or arq for ...? Any catch with arq?"); a table is wordier than a list, and
    its other rows crowd out the later parts' answers."""
    if asks_one(query):
        return True
    return (
        unit.table == "row"
        and "list" not in query.intents
        and not PLURAL_ASK.search(query.text)
        and side_names(query) is None
    )


def asks_yes_no(query: Query) -> bool:
    """The question is answered yes or no, about one thing (not a choice between two, nor a
    request for an example: "Can you show ...?")."""
    return (
        bool(YES_NO.match(query.text))
        and asks_one(query)
        and not {"compare", "example"} & query.intents
    )


def _verdict(query: Query, lead: Scored) -> bool:
    """The lead is a yes/no question's verdict: a sentence that answers it confidently (the
    calibrated answer probability at least UNSURE_LEAD)."""
    return (
        lead.candidate.unit.kind == "sentence"
        and lead.answers >= UNSURE_LEAD
        and asks_yes_no(query)
    )


def _from_verdict(quote: Passage, verdict: Unit) -> Passage:
    """A section's quote from the verdict's paragraph on: the paragraphs before it set the scene
    ("This is the final 2.12 release ...") and the reader wants the yes or no first."""
    return Passage(quote.hit, tuple(u for u in quote.units if u.block >= verdict.block))


def _from_context(quote: Passage, lead: Scored, scores: dict[tuple[str, int], float]) -> Passage:
    """A short section quoted whole, from the paragraph the lead's context starts in: the
    paragraphs opening the section that score under CONTEXT_SHARE of the lead are left out
    ("More information on why class methods ... can be found in this blog post." before the
    default factories that answer), unless the first kept paragraph leans on the one before it
    (quote.leans_on_context: "And because of this technical term, ...", a list, code). An API
    entry's section ("HiddenField") stays whole: its opening says what the name is."""
    if identifier(quote.hit.chunk.heading_path.split(PATH_SEP)[-1]) is not None:
        return quote  # an API entry's opening says what the name is ("HiddenField")
    chunk = quote.hit.chunk.id
    blocks = sorted({u.block for u in quote.units})

    def best(at: int) -> float:
        """A paragraph's best score; a list's or code's is its lead-in's when higher."""
        own = max(scores.get((chunk, u.order), 0.0) for u in quote.units if u.block == blocks[at])
        if at > 0 and opening(blocks[at]).kind in ("code", "item"):
            return max(own, best(at - 1))
        return own

    def opening(block: int) -> Unit:
        return next(u for u in quote.units if u.block == block)

    at, lead_at = 0, blocks.index(lead.candidate.unit.block)
    while at < lead_at and best(at) < CONTEXT_SHARE * lead.probability:
        at += 1
    while at > 0 and leans_on_context(opening(blocks[at])):
        at -= 1
    return Passage(quote.hit, tuple(u for u in quote.units if u.block >= blocks[at]))


def _place(hit: Hit, unit: Unit) -> tuple[str, int]:
    """A unit by source and line (the overlapping piece of a long section repeats it)."""
    return (hit.chunk.source, unit.start_line)


def _leads_up(verdict: Scored, quote: Passage, ranked: list[Scored]) -> bool:
    """`quote` stands before the verdict in the verdict's section or in a section holding it
    (the section's or its parent's opening: "Pre-commit hooks allow you to ...") and answers
    less well than the verdict by the calibrated probability: what leads up to a verdict, not
    what it leaves out."""
    chunk = verdict.candidate.hit.chunk
    before = in_section(chunk, quote.hit.chunk) and all(
        u.end_line < verdict.candidate.unit.start_line for u in quote.units
    )
    answers = max(
        (
            s.answers
            for s in ranked
            if s.candidate.hit.chunk.id == quote.hit.chunk.id and s.candidate.unit in quote.units
        ),
        default=0.0,
    )
    return before and answers < verdict.answers


def _left_out(lead: Candidate, quote: Passage) -> set[tuple[str, int]]:
    """The items of the lead's list its narrowed quote leaves out, by source and line (the
    overlapping piece of a long section repeats them in another chunk)."""
    return {
        _place(lead.hit, u)
        for u in lead.units
        if u.kind == "item" and u.block == lead.unit.block and u not in quote.units
    }


def add_second(
    query: Query,
    lead: Scored,
    ranked: list[Scored],
    passages: list[Passage],
    scores: dict[tuple[str, int], float],
) -> None:
    """A one-passage answer's second passage, from the lead's own document (one document reads
    as one answer): its best unit not yet quoted when the first passage is short (under
    SECOND_ROOM words, code counting none, and not shell commands: prose after the commands
    that answer a "how" question only pads them), scoring SECOND_SHARE of the lead and reading
    on from it (`_adds_to`); failing that, the best unit of another piece of the lead's section
    (`same_section`)."""
    if _total(passages) < SECOND_ROOM and not lead.candidate.unit.commands:
        source = lead.candidate.hit.chunk.source
        runner_up = next(
            (
                s
                for s in ranked
                if s.candidate.hit.chunk.source == source and _fresh(s, passages, query)
            ),
            None,
        )
        if (
            runner_up is not None
            and runner_up.probability >= SECOND_SHARE * lead.probability
            and _adds_to(lead, passages[0], runner_up)
        ):
            _join(
                passages,
                runner_up,
                scores,
                SECOND_ROOM + MIN_WORDS,
                SECOND_SHARE * lead.probability,
            )
    if len(passages) == 1:
        sibling = same_section(lead, ranked, passages, query)
        if sibling is not None:
            _append(passages, expand(sibling.candidate, scores), SIBLING_ROOM)
            if len(passages) > 1 and sibling.candidate.unit not in passages[-1].units:
                passages.pop()  # the word budget cut the very unit it joined for


def _adds_to(lead: Scored, quote: Passage, other: Scored) -> bool:
    """A unit of the lead's own section or of one of its subsections reads on from the lead: the
    specifics a short section introduces ("Days 31 to 60" under "A 30/60/90-day plan"). One from
    elsewhere in the document (its intro, a sibling section) mostly shares only the topic: it
    joins when it answers nearly as well as the lead, when the lead is an unsure answer, or when
    the lead's quote ends pointing at what it does not show ("The message below is ...")."""
    if in_section(other.candidate.hit.chunk, lead.candidate.hit.chunk):
        return True
    return (
        other.answers >= ELSEWHERE_SHARE * lead.answers
        or lead.answers < UNSURE_LEAD
        or bool(POINTS_AHEAD.search(quote.units[-1].quote))
    )


def same_section(
    lead: Scored, ranked: list[Scored], passages: list[Passage], query: Query
) -> Scored | None:
    """The best unit not yet quoted of another piece of the lead's section (chunking cuts a long
    section into pieces; retrieval ranks them apart, but they read as one section), when it
    scores SIBLING_SHARE of the lead: the answer's second half is often in the next piece."""
    chunk = lead.candidate.hit.chunk
    best = next(
        (
            s
            for s in ranked
            if s.candidate.hit.chunk.id != chunk.id
            and _same_section(s.candidate, lead.candidate)
            and not _set_apart(s.candidate)
            and _fresh(s, passages, query)
        ),
        None,
    )
    return (
        best if best is not None and best.probability >= SIBLING_SHARE * lead.probability else None
    )


def _set_apart(cand: Candidate) -> bool:
    """A unit that opens an indented block (code written without a fence) or a quotation: it
    does not read on from another piece's prose."""
    unit, chunk = cand.unit, cand.hit.chunk
    line = chunk.text.splitlines()[unit.start_line - chunk.start_line]
    return line.startswith(("    ", "\t", ">"))


def _key(s: Scored) -> tuple[str, int]:
    return s.candidate.hit.chunk.id, s.candidate.unit.order


def _continued(ranked: list[Scored], document: Document | None) -> dict[tuple[str, int], Passage]:
    """The list or code each "...:" lead-in among the ranked units introduces at the opening
    of its section's next chunk, by unit."""
    if document is None:
        return {}
    out = {}
    for s in ranked:
        hit, unit = s.candidate.hit, s.candidate.unit
        if dangles(unit, s.candidate.units):
            follow = continuation(document(hit.chunk.source), hit, s.candidate.units, unit)
            if follow is not None:
                out[_key(s)] = follow
    return out


def _led_in(ranked: list[Scored], document: Document | None) -> set[tuple[str, int]]:
    """The code blocks among the ranked units that open their chunk after a "...:" lead-in
    closing the section's previous chunk (outline.lead_in_before): quoted, they come after it."""
    if document is None:
        return set()
    return {
        _key(s)
        for s in ranked
        if s.candidate.unit.kind == "code"
        and lead_in_before(document, s.candidate.hit.chunk, s.candidate.unit) is not None
    }


def _goes_on(
    query: Query,
    lead: Scored,
    quote: Passage,
    continued: dict[tuple[str, int], Passage],
    scores: dict[tuple[str, int], float],
) -> tuple[Candidate, Passage] | None:
    """The "...:" lead-in the lead's quote goes on from into the next chunk, and what it goes on
    to: the lead itself, or the lead-in closing the chunk when the quote stops right before it
    and it scores as a neighbour that joins a quote does (KEEP_SHARE of the lead): in the
    quote's paragraph, or as a paragraph of its own that says what the quote leaves out, a word
    of the question the quote lacks (a scene, then "Rather than raising a `RecursionError` ...,
    Pydantic is able to ... raise an appropriate `ValidationError`:")."""
    if _key(lead) in continued:
        return lead.candidate, continued[_key(lead)]
    cand = lead.candidate
    last = cand.units[-1]
    key = (cand.hit.chunk.id, last.order)
    before = max(u.order for u in quote.units)
    if (
        key in continued
        and before == last.order - 1
        and (cand.units[before].block == last.block or _adds_words(query, quote, last))
        and scores.get(key, 0.0) > KEEP_SHARE * scores[_key(lead)]
        and not refers_elsewhere(replace(cand, unit=last))  # a reading list adds nothing
    ):
        return replace(cand, unit=last), continued[key]
    return None


def _adds_words(query: Query, quote: Passage, unit: Unit) -> bool:
    """`unit` holds a word of the question that `quote` does not."""
    quoted = {t for u in quote.units for t in tokenize(u.quote)}
    return bool((set(query.tokens) - quoted) & set(tokenize(unit.quote)))


def _go_on(passages: list[Passage], lead: Candidate, follow: Passage) -> list[Passage]:
    """The lead's passage ending on its "...:" lead-in (quoting drops a lead-in whose list it
    cannot see), then the next chunk's opening list or code."""
    out = []
    for p in passages:
        if p.hit.chunk.id != lead.hit.chunk.id:
            out.append(p)
            continue
        units = tuple(u for u in p.units if u.order < lead.unit.order) + (lead.unit,)
        out += [Passage(p.hit, units), follow]
    return out


def _best_of(scored: list[Scored]) -> list[Scored]:
    """One entry per unit (its best score from either search), best first."""
    best: dict[tuple[str, int], Scored] = {}
    for s in scored:
        key = (s.candidate.hit.chunk.id, s.candidate.unit.order)
        if key not in best or s.probability > best[key].probability:
            best[key] = s
    return sorted(best.values(), key=lambda s: -s.probability)


def _fresh(s: Scored, passages: list[Passage], query: Query) -> bool:
    """A unit no passage quotes yet that may answer on its own."""
    unit = s.candidate.unit
    return (
        not quoted_already(s.candidate, passages)
        and _standalone(query, s.candidate)
        and not points_elsewhere(s.candidate)  # "See [X] for more details" adds nothing
        and not refers_elsewhere(s.candidate)  # nor does a reading list
        and not aside(unit)
    )


def _total(passages: list[Passage]) -> int:
    return sum(words(list(p.units)) for p in passages)


def _append(passages: list[Passage], extra: Passage, limit: int) -> None:
    """Add `extra`, cut to what fits under `limit` words in all (never ending on a "...:" lead-in
    whose list or quotation the cut left out); skipped when even its core does not fit or the
    answer already has MAX_PASSAGES passages."""
    if len(passages) >= MAX_PASSAGES:
        return
    units = list(extra.units)
    room = limit - _total(passages)
    cut = False
    while len(units) > 1 and words(units) > room and units[-1].kind == "sentence":
        units.pop()
        cut = True
    while cut and units and units[-1].leads_in:  # "... like this:" without what it introduced
        units.pop()
    if units and words(units) <= room:
        passages.append(Passage(extra.hit, tuple(units)))


def _join(
    passages: list[Passage],
    other: Scored,
    scores: dict[tuple[str, int], float],
    limit: int,
    bar: float,
) -> None:
    """Add `other`'s quote, cut to what fits under `limit` words in all. When the cut leaves out
    the very unit it joined for, what is left stays only if one of its units clears the same
    `bar` (the opening of its paragraph may answer as well); otherwise it only shares the
    paragraph ("The tool waits for the slow response ..." without the point it leads to)."""
    count = len(passages)
    _append(passages, expand(other.candidate, scores), limit)
    if len(passages) == count or other.candidate.unit in passages[-1].units:
        return
    chunk = passages[-1].hit.chunk.id
    if all(scores.get((chunk, u.order), 0.0) < bar for u in passages[-1].units):
        passages.pop()


def _standalone(query: Query, cand: Candidate, continued: Container = ()) -> bool:
    """Code answers on its own only when short and asked for an example, when it is a block
    of shell commands and the question asks how (the command is the answer), or when the question
    asks how and the code comes after its "...:" lead-in, which closes the section's previous
    chunk (the answer quotes the lead-in first); a "...:" lead-in never answers without the list
    or code it introduces (in its chunk, or at the opening of the next). `continued` holds those
    lead-ins and code blocks."""
    unit = cand.unit
    if unit.title:
        return False  # a label of the aside below it
    if unit.kind != "code":
        key = (cand.hit.chunk.id, unit.order)
        return not dangles(unit, cand.units) or key in continued
    after_lead_in = (cand.hit.chunk.id, unit.order) in continued  # (_led_in)
    asked = "example" in query.intents or (
        "how" in query.intents and (unit.commands or after_lead_in)
    )
    return asked and unit.text.count("\n") <= MAX_CODE_LINES


def _lead(query: Query, ranked: list[Scored], continued: Container = ()) -> Scored:
    """The best standalone unit. A sentence that only sends the reader to another page ("The
    full agreement ... is in [X](x.md)") yields to the best-ranked passage's unit among those
    scoring nearly as well (SECOND_SHARE): the page it points to is usually retrieved too; one
    that says something and names the page covering it yields to that page (`_linked`). A
    reading list's lead-in ("For more information on X, see:") yields first to the best unit of
    the paragraph or list just before it in its section (the text on X the list adds to), then
    to its own section's and subsections' units."""
    standalone = [s for s in ranked if _standalone(query, s.candidate, continued)]
    if not standalone:
        return ranked[0]
    standalone = _untied(standalone)
    if asks_yes_no(query):
        standalone = _says_yes_or_no(standalone)
    kind = _of_wanted_kind(query, standalone)
    if kind is not None:
        return kind
    best = _top_section(query, standalone) or standalone[0]
    best = _parent_opening(best, standalone) or best
    if not refers_elsewhere(best.candidate):
        return _settled(query, _linked(query, best, standalone) or best, standalone)
    others = [
        s
        for s in standalone[1:]
        if s.probability >= SECOND_SHARE * best.probability and not refers_elsewhere(s.candidate)
    ]
    if _reading_list(best.candidate):
        listed = _listed_page(best, standalone)
        if listed is not None:
            return listed
        extended = [s for s in others if _block_before(s.candidate, best.candidate)]
        # the text a table of links at a section's opening stands beside lives in the section
        # or its subsections ("Customize error messages" under "Error messages")
        within = [s for s in others if in_section(s.candidate.hit.chunk, best.candidate.hit.chunk)]
        others = extended or within or others
    first = min(others, key=lambda s: s.candidate.hit.rank, default=best)
    return _settled(query, first, standalone)


def _parent_opening(best: Scored, standalone: list[Scored]) -> Scored | None:
    """The opening sentence of the section whose subsection holds the best unit, when
    retrieval ranked that opening's passage first and it scores within PARENT_OPENING log-odds:
    a section that opens with its answer and then explains it in subsections ("Call
    `dictConfig` once, ... before `create_app()` runs" over "### Where the second format and the
    duplicates come from") lost to a cause or a detail of a subsection by a hair (0.991 against
    0.993)."""
    chunk = best.candidate.hit.chunk
    for s in standalone:
        c = s.candidate
        if c.hit.rank != 1 or not c.unit.lead or s is best:
            continue
        parent = c.hit.chunk.heading_path
        if (
            chunk.source == c.hit.chunk.source
            and chunk.heading_path.startswith(parent + PATH_SEP)
            and log_odds(best.probability) - log_odds(s.probability) < PARENT_OPENING
        ):
            return s
    return None


def _settled(query: Query, lead: Scored, standalone: list[Scored]) -> Scored:
    """The lead past a page's description of itself, and to the fix when one was asked for."""
    return _to_fix(query, _past_summary(lead, standalone), standalone)


def _to_fix(query: Query, best: Scored, standalone: list[Scored]) -> Scored:
    """Asked how to fix or avoid something, the best unit of the lead's document that states a
    fix ("The cleanest fix is one `Annotated` alias ...") within FIX_MARGIN log-odds, over the
    statement of the problem, which shares the question's words best."""
    if not ASKS_FIX.search(query.text) or _states_fix(best.candidate.unit):
        return best
    return _same_page(best, standalone, FIX_MARGIN, lambda s: _states_fix(s.candidate.unit))


def _states_fix(unit: Unit) -> bool:
    return unit.kind == "sentence" and STATES_FIX.match(unit.quote.lstrip("*_ ")) is not None


def _past_summary(best: Scored, standalone: list[Scored]) -> Scored:
    """When the best unit stands in a page's opening that describes the page itself ("This
    document lists what a good spec contains, gives a reusable template, ..."), the best unit
    of one of that page's sections within SUMMARY_MARGIN log-odds: the section says what the
    summary only names."""
    if PATH_SEP in best.candidate.hit.chunk.heading_path or not any(
        DESCRIBES_PAGE.search(u.quote) for u in best.candidate.units if u.kind == "sentence"
    ):
        return best
    return _same_page(best, standalone, SUMMARY_MARGIN, _in_a_section)


def _in_a_section(scored: Scored) -> bool:
    return PATH_SEP in scored.candidate.hit.chunk.heading_path


def _same_page(
    best: Scored, standalone: list[Scored], margin: float, keep: Callable[[Scored], bool]
) -> Scored:
    """The best unit of `best`'s page that `keep` accepts, scoring within `margin` log-odds of
    it; `best` when there is none."""
    source = best.candidate.hit.chunk.source
    floor = log_odds(best.probability) - margin
    return next(
        (
            s
            for s in standalone
            if s.candidate.hit.chunk.source == source
            and keep(s)
            and log_odds(s.probability) >= floor
        ),
        best,
    )


def _listed_page(best: Scored, standalone: list[Scored]) -> Scored | None:
    """When the best unit is an item of a list of links (a KB's index page: "- [Django
    architecture](...): structuring Django 5 projects ..."): the best unit of the first page
    that it or another item of its list scoring nearly as well (SECOND_SHARE) links to, when
    that page was retrieved. An item names the topic its page explains ("and in Django?" after
    a Flask question quoted the index's lines instead of the Django page)."""
    if best.candidate.unit.kind != "item":
        return None  # a lead-in ("... can be found here:") sits in a section that says more
    items = [
        s
        for s in standalone
        if s.candidate.unit.kind == "item"
        and s.candidate.hit is best.candidate.hit
        and s.probability >= SECOND_SHARE * best.probability
        and _reading_list(s.candidate)
    ]
    retrieved = {s.candidate.hit.chunk.source for s in standalone}
    for item in items:
        chunk = item.candidate.hit.chunk
        targets = {
            source
            for link in LINK.finditer(file_text(item.candidate))
            for source, _ in resolve(chunk, link)
        } & retrieved
        page = next(
            (
                s
                for s in standalone
                if s.candidate.hit.chunk.source in targets and not refers_elsewhere(s.candidate)
            ),
            None,
        )
        if page is not None:
            return page
    return None


def _linked(query: Query, best: Scored, standalone: list[Scored]) -> Scored | None:
    """The best unit of the page that the best unit's lines name as covering their topic, when
    retrieved and scoring within LINKED_MARGIN of it: a paragraph naming a topic and the page
    that covers it ("...; [Flask application structure](...) covers the factory pattern.")
    matches the question's words as well as the page does, and the page explains it. Only a
    pointer whose sentence shares a word with the question: "... the longer growth plan
    described in [Fostering growth]" does not hand "Day-60 goals for juniors?" to that page."""
    chunk = best.candidate.hit.chunk
    raw = file_text(best.candidate)  # its lines: the paragraph's other sentences on them too
    asked = set(query.tokens)
    targets = {  # the link each "covered in" names, not every link on the lines
        source
        for sentence in sentences(raw)
        if asked & set(tokenize(sentence))
        for covered in COVERED_THERE.finditer(sentence)
        if (link := LINK.match(sentence, covered.end())) is not None
        for source, _ in resolve(chunk, link)
    }
    return next(
        (
            s
            for s in standalone
            if s.candidate.hit.chunk.source in targets
            and s.probability >= best.probability - LINKED_MARGIN
            and not refers_elsewhere(s.candidate)
        ),
        None,
    )


def _of_wanted_kind(query: Query, ranked: list[Scored]) -> Scored | None:
    """For a question wanting a kind of answer (answer_type.wanted: what an abbreviation stands
    for, a version), the best unit scoring within SECOND_SHARE of the best that holds one
    ("**ORM** means **Object-Relational Mapper**.", "... added in SQLModel version `0.0.20`."):
    the unit saying what an ORM does ranked first and the quote never named the words. None
    when the best unit's section heading already names a version (a changelog's entry under
    "v2.12.0" answers "Since which release ...?")."""
    kind = wanted(query.text, query.asked_of)
    if kind is None:
        return None
    top = ranked[0].candidate
    if kind.in_heading and not kind.holds(top.unit.plain) and kind.holds(_own_heading(top)):
        return None
    best = ranked[0].probability
    for s in ranked:
        if s.probability < SECOND_SHARE * best:
            break
        if kind.holds(s.candidate.unit.plain):
            return s
    return None


def _own_heading(candidate: Candidate) -> str:
    """The unit's heading path below its page's title (a title naming a version, "Pydantic 2.12
    migration", says nothing of one section)."""
    chunk = candidate.hit.chunk
    return PATH_SEP.join(below_title(chunk.heading_path, chunk.title))


def _untied(ranked: list[Scored]) -> list[Scored]:
    """The units, best first, with the unit that answers best by the calibrated probability first
    among those tied with the best by the ranking (within TIE), and past the page's recap."""
    tied = [s for s in ranked if log_odds(ranked[0].probability) - log_odds(s.probability) < TIE]
    first = _past_recap(max(tied, key=lambda s: s.answers), ranked)
    return [first] + [s for s in ranked if s is not first]


def _in_recap(cand: Candidate) -> bool:
    return bool(RECAP_HEADING.search(cand.hit.chunk.heading_path.split(PATH_SEP)[-1]))


def _past_recap(first: Scored, ranked: list[Scored]) -> Scored:
    """A page's recap ("Common pitfalls", "Checklist") restates its sections in a line each; when
    a recap item leads by under RECAP_MARGIN log-odds over a unit of the same page's body, the
    body leads: "UUIDv4 vs UUIDv7 vs bigint identity for primary keys ..." quoted the schema page's
    pitfalls list (0.972 against 0.971) over its section comparing the three."""
    if not _in_recap(first.candidate):
        return first
    return _same_page(first, ranked, RECAP_MARGIN, lambda s: not _in_recap(s.candidate))


def _says_yes_or_no(ranked: list[Scored]) -> list[Scored]:
    """For a yes/no question, the units with a sentence that says yes or no first (a negation or
    an absolute, VERDICT), when the ranking puts it within VERDICT_SPAN log-odds of the best unit
    and the calibrated answer probability rates it VERDICT_GAIN above that unit. The ranking
    favours a passage's setting: "Does .limit(3) raise an error if fewer than 3 rows are left?"
    was answered with the example that limits to 3 rows, not "the database won't throw an error
    trying to get 3 rows when there's only one". Not from a passage only the keyword search found
    (no dense score: nothing like the question in meaning): "Is building a big CSV string with +=
    in a loop a problem?" led with a design-doc review's "..., not to turn the doc into the
    design you would have written", a page sharing "building", "big" and "problem"."""
    best = ranked[0]
    floor = log_odds(best.probability) - VERDICT_SPAN
    verdicts = [
        s
        for s in ranked
        if s.candidate.unit.kind == "sentence"
        and VERDICT.search(s.candidate.unit.plain)
        and log_odds(s.probability) > floor
        and s.candidate.hit.dense > 0
    ]
    verdict = max(verdicts, key=lambda s: s.answers, default=best)
    if verdict.answers < best.answers + VERDICT_GAIN:
        return ranked
    return [verdict] + [s for s in ranked if s is not verdict]


def _top_section(query: Query, standalone: list[Scored]) -> Scored | None:
    """When the best unit is another passage's definition and the question does not ask what
    something is, the best unit of the top-ranked passage, if it scores nearly as well
    (TOP_SHARE of the best) and its section is short enough to quote whole: the passage
    retrieval ranked first answers "why ..." more often than a neighbour's definition."""
    best = standalone[0]
    if "what" in query.intents or not _defines(best.candidate.unit):
        return None
    top = next((s for s in standalone if s.candidate.hit.rank == 1), None)
    if top is None or top is best or top.probability < TOP_SHARE * best.probability:
        return None
    if _same_section(top.candidate, best.candidate):
        return None  # the definition opens the top passage's own section: it is its lead
    return top if section(top.candidate) is not None else None


def _same_section(a: Candidate, b: Candidate) -> bool:
    return one_section(a.hit.chunk, b.hit.chunk)


def _defines(unit: Unit) -> bool:
    """A section's opening sentence that says what something is: "X is ...", "X (or Y for
    short) is ..."."""
    return (
        unit.kind == "sentence"
        and unit.lead
        and bool(DEFINITION.match(PARENTHESIS.sub("", unit.quote)))
    )


def _block_before(cand: Candidate, other: Candidate) -> bool:
    """`cand` ends on the line right before `other` or the one before that (a blank line) in the
    same section: it belongs to the paragraph or list `other` follows, possibly in the previous
    chunk of a long section."""
    return _same_section(cand, other) and 0 < other.unit.start_line - cand.unit.end_line <= 2


def refers_elsewhere(cand: Candidate) -> bool:
    """The unit sends the reader to a linked page rather than saying something itself."""
    unit, raw = cand.unit, file_text(cand)
    if _reading_list(cand):
        return True
    if REFERS_FIRST.match(unit.quote):
        return "](" in raw or points_elsewhere(cand)
    if (
        LINK_FIRST.match(raw)
        and all(  # "[Logs vs Metrics](x.md) covers some guidance", on
            u.end_line < unit.start_line
            for u in cand.units[: unit.order]  # the line it opens
        )
    ):
        return True
    ends_line = all(u.start_line > unit.end_line for u in cand.units[unit.order + 1 :])
    return ends_line and bool(REFERS_AT_END.search(raw))


def _reading_list(cand: Candidate) -> bool:
    """A reading list's lead-in ("For more information on X, see:", or a "...:" lead-in whose
    list links every item to another page) or one of its items; or an item of a list of two or
    more whose every item opens on a link to another page, with or without a lead-in (a KB's
    index page: "- [Django architecture](django-architecture.md): structuring Django 5 ...")."""
    unit, units = cand.unit, cand.units
    chunk = cand.hit.chunk
    lines = chunk.text.splitlines()

    def links(items: list[Unit]) -> bool:
        return all(
            u.kind == "item" and LINK_ITEM.match(lines[u.start_line - chunk.start_line])
            for u in items
        )

    if unit.kind == "item":
        listed = [u for u in units if u.block == unit.block]
        if len(listed) > 1 and links(listed):
            return True
        unit = units[listed[0].order - 1] if listed[0].order > 0 else listed[0]
    if unit.kind != "sentence" or not unit.quote.rstrip().endswith(":"):
        return False
    if READING_LIST.search(unit.quote):
        return True
    items = opens(units, units[unit.order + 1]) if unit.order + 1 < len(units) else []
    return bool(items) and links(items)


def answer_first(query: Query, hits: list[Hit], idf) -> list[Hit]:
    """The hits with the one holding the best answering unit first (for an LLM's prompt)."""
    ranked = score(query, hits, idf)
    if not ranked:
        return hits
    best = ranked[0].candidate.hit
    return [best] + [h for h in hits if h is not best]
