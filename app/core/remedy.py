"""The fix after the problem. A question asking how to fix, prevent or replace something
("`__init_subclass__` gets called twice on my attrs subclass, what should I use instead?") is
answered by the paragraph that resolves the problem the quote states ("To alleviate this,
*attrs* provides `__attrs_init_subclass__` ..."), not by the statement of the problem, which
matches the question's words best. When the paragraph right after the answer's first quote
opens that way, in its chunk or at the opening of its section's next chunk, the quote goes on
into it, with the short code or list it introduces."""

from __future__ import annotations

import re
from collections.abc import Callable

from app.core.outline import Document, continuation, next_in_section
from app.core.parts import merge
from app.core.passages import Unit, split_units
from app.core.query import Query
from app.core.quote import Passage, introduced, words
from app.core.retrieve import Hit

ASKS_FIX = re.compile(
    r"\b(?:instead|fix|fixes|solve|resolve|prevent|stop|avoid|work ?around|get around"
    r"|alternative|what should i (?:use|do|call)|what'?s missing)\b",
    re.I,
)
# The paragraph that resolves a problem: "To alleviate this, ...", "So, to prevent it, we add
# ...", "Instead, ...", "The fix is ...", "Nevertheless, we can easily fix it."
RESOLVES = re.compile(
    r"^(?:(?:so|then|but|nevertheless|fortunately|luckily|thankfully)\W+)*"
    r"(?:to (?:alleviate|avoid|prevent|fix|solve|work around|get around|address|remedy|handle)"
    r" (?:this|that|it|these|them|the (?:problem|issue))\b"
    r"|instead\b"
    r"|the (?:fix|solution|cure|workaround|remedy)\b"
    r"|(?:you|we) can (?:easily )?(?:fix|solve|avoid|prevent|work around) (?:this|that|it)\b)",
    re.I,
)
# A sentence that states a fix on its own, wherever it stands on the page ("The cleanest fix is
# one `Annotated` alias ...", "To avoid this, ..."): RESOLVES without "Instead, ...", which reads
# only after the problem it replaces, and with an adjective before "fix".
STATES_FIX = re.compile(
    r"^(?:the (?:(?:simplest|cleanest|usual|standard|real|right|proper|durable|quickest) )?"
    r"(?:fix|solution|cure|workaround|remedy) (?:is|for)\b"
    r"|to (?:fix|avoid|prevent|solve) (?:this|that|it)\b)",
    re.I,
)
MAX_WORDS = 80  # a longer paragraph is more than the fix
# A "...:" lead-in naming ways to do something ("The techniques, from cheapest to most
# involved:", "Three outcomes are possible, ...:"), not caveats ("Know what this strategy
# cannot test:"); asked "how many" or "how long", a question wants a number, not steps.
STEPS = re.compile(
    r"\b(?:techniques?|steps?|ways?|options?|approaches|strategies|rules|outcomes|practices"
    r"|as follows|here is how|do this)\b",
    re.I,
)
HOW_MUCH = re.compile(r"\bhow (?:many|much|long|often|big|large|fast|far|old)\b", re.I)


def with_remedy(query: Query, passages: list[Passage], document: Document | None) -> list[Passage]:
    """The passages, the first one going on into the paragraph that resolves the problem it
    ends on, when the question asks for a fix (ASKS_FIX) and that paragraph follows it; or,
    asked how to do something and quoting only its section's opening paragraph (what the thing
    is), into the "...:" paragraph right after it and the steps it introduces ("How do I make a
    Celery task idempotent?" quoted what an idempotent job is, not "The techniques, from
    cheapest to most involved:" and its list)."""
    if not passages or document is None:
        return passages
    lead = passages[0]
    if ASKS_FIX.search(query.text):
        found = _next_paragraph(lead, document, _resolves)
    elif _asks_how_of_an_opening(query, lead):
        found = _next_paragraph(lead, document, _leads_into_steps)
    else:
        return passages
    if found is None:
        return passages
    # merge(): the fix's chunk may be quoted already, or share lines with a quoted chunk.
    return merge([lead, *found, *passages[1:]])


def _resolves(paragraph: list[Unit]) -> bool:
    return RESOLVES.match(paragraph[0].quote.lstrip("*_ ")) is not None


def _leads_into_steps(paragraph: list[Unit]) -> bool:
    return paragraph[-1].leads_in and STEPS.search(paragraph[-1].quote) is not None


def _asks_how_of_an_opening(query: Query, lead: Passage) -> bool:
    """A "how" question (not "what") whose quote is its section's opening paragraph alone."""
    first = lead.units[0]
    return (
        "how" in query.intents
        and "what" not in query.intents
        and not HOW_MUCH.search(query.text)
        and first.lead
        and all(u.block == first.block for u in lead.units)
    )


def _next_paragraph(
    lead: Passage, document: Document, opens_on: Callable[[list[Unit]], bool]
) -> list[Passage] | None:
    """The paragraph after the lead's last quoted unit when it opens on a fix (RESOLVES), with
    the code or list its last sentence introduces (from the opening of the section's next chunk
    when chunking put it there; without that sentence when it cannot be shown): in the lead's
    chunk, or opening the next chunk of its section (past the lines the two chunks share)."""
    hit, last = lead.hit, lead.units[-1]
    units = tuple(split_units(hit.chunk))
    following = [u for u in units if u.order > last.order]
    if not following:
        nxt = next_in_section(document(hit.chunk.source), hit.chunk)
        if nxt is None:
            return None
        hit = Hit(nxt, 0.0, 0.0, 0.0, hit.rank)
        units = tuple(split_units(hit.chunk))
        following = [u for u in units if u.start_line > last.end_line]
    if not following:
        return None
    first = following[0]
    if first.kind != "sentence" or (
        first.block == last.block and hit.chunk.id == lead.hit.chunk.id
    ):
        return None
    paragraph = [u for u in following if u.block == first.block]
    if not opens_on(paragraph) or words(paragraph) > MAX_WORDS:
        return None
    end = paragraph[-1]
    if not end.leads_in:
        return [Passage(hit, tuple(paragraph))]
    shown = introduced(units, end)
    if shown:
        return [Passage(hit, tuple(paragraph + shown))]
    follow = continuation(document(hit.chunk.source), hit, units, end)
    if follow is not None:
        return [Passage(hit, tuple(paragraph)), follow]
    if opens_on is _leads_into_steps:
        return None  # the steps cannot be shown
    paragraph.pop()  # a "...:" whose code or list cannot be shown
    return [Passage(hit, tuple(paragraph))] if paragraph else None
