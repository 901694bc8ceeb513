"""A section heading that is itself the advice ("In general, use `model_validate_json()` not
`model_validate(json.loads(...))`"): the section's body then holds only the reasons and the
exceptions, so an answer quoting the body without its heading leaves the recommendation out.
Such a heading is shown, in bold and cited at its line, above the quote of its section, when it
speaks to the question (shares one of its search words) and the question does not only ask what
something is (a recommendation beside a definition pads it: "Use tagged union, not union" over
"What is a tagged union?"). A section reads top down: its piece under the heading goes before
a later piece of it the answer quotes first.

A heading that names one thing (`NON_FIELD_ERRORS_KEY`, `UserRateThrottle`, `model_dump()`) is
the subject of a reference entry whose body never repeats it ("A string representing the key
that should be used for serializer errors..."): it is shown above the quote the same way, when
the quote does not name it already."""

from __future__ import annotations

import re
from collections.abc import Collection

from app.core.outline import heading_unit
from app.core.passages import one_section
from app.core.query import Query
from app.core.quote import Passage
from ingest.chunk import PATH_SEP
from ingest.keyword import tokenize
from ingest.refusal import VERSION_OR_DATE, below_title

# A recommendation, not a topic or a step: an advice verb opens it, after an optional hedge.
# "Use tools", "Avoiding pitfalls" or "Create a model" name a topic or a tutorial's step.
ADVICE_HEADING = re.compile(
    r"^(?:(?:in general|generally|usually|as a rule|where possible|if possible|by default)"
    r"\s*,?\s+)?(?:use|avoid|prefer|don'?t|do not|never|always|favou?r|stop)\s",
    re.I,
)
MIN_WORDS = 4  # fewer words name a tool or a topic ("Use pre-commit"), not a recommendation
# One identifier: words joined by "_" or ".", CamelCase (`APIView` too), or a call ("name()",
# "name(self, request)"); in backticks or not, after an optional "." or "@". "Settings", "API",
# "Smart Mode", "Primary Key id" name topics, and "v2.0.0" a release (VERSION_OR_DATE), not API
# entries.
NAME_HEADING = re.compile(
    r"^`?[.@]?(?:[A-Za-z_][\w.]*[_.][\w.]*\w"  # snake_case, dotted.name, __dunder__
    r"|[A-Z][a-z0-9]+[A-Z]\w*|[A-Z]{2,}[a-z]{2,}\w*|[a-z]+[A-Z]\w*"  # CamelCase, camelCase
    r"|[A-Za-z_][\w.]*(?=\())(?:\([^()]*\))?`?$"  # call(...)
)
# A question asking for advice, a reason or a choice, not only what something is.
ADVISED = frozenset({"should", "avoid", "compare", "how", "why", "when"})


def advice(text: str) -> bool:
    """The heading's words recommend something: an advice verb and MIN_WORDS words or more."""
    return bool(ADVICE_HEADING.match(text)) and len(text.split()) >= MIN_WORDS


def identifier(text: str) -> str | None:
    """The identifier a heading names, bare (no backticks, no "()"); None for other headings."""
    text = text.strip()
    if not NAME_HEADING.match(text) or VERSION_OR_DATE.search(text):
        return None
    return text.strip("`").lstrip(".@").split("(", 1)[0]


def with_headings(query: Query, passages: list[Passage]) -> list[Passage]:
    """The passages, each quoting the body of a section whose heading is advice on the question,
    names what the answer leaves unnamed or labels one side of a comparison, with that heading
    as its first unit, moved before an earlier piece of its own section."""
    advised = not ("what" in query.intents and not query.intents & ADVISED)
    asked = frozenset(query.tokens)
    sides = _side_headings(query, passages)
    answer = " ".join(_quoted(p) for p in passages)
    out: list[Passage] = []
    for passage in passages:
        chunk = passage.hit.chunk
        heading = heading_unit(chunk)
        bare = all(u.kind == "heading" for u in passage.units)  # a list of child headings
        if (
            heading is None
            or bare
            or not (
                (advised and advice(heading.quote) and asked & frozenset(tokenize(heading.quote)))
                or _unnamed(heading.quote, answer)
                or chunk.id in sides
            )
        ):
            out.append(passage)
            continue
        headed = Passage(passage.hit, (heading, *passage.units))
        at = next((n for n, p in enumerate(out) if one_section(p.hit.chunk, chunk)), len(out))
        out.insert(at, headed)
    return out


def _unnamed(heading: str, answer: str) -> bool:
    """The heading names an identifier that the answer's quotes never mention (as a whole word,
    in its own case: "Session authentication" does not name `SessionAuthentication`)."""
    name = identifier(heading)
    return name is not None and not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", answer)


def _side_headings(query: Query, passages: list[Passage]) -> frozenset[str]:
    """The chunks whose heading names one side of a comparison ("left_to_right vs smart union
    mode": "Left to Right Mode", "Smart Mode"): more of one side's own words than of any other
    side's, words every such heading has left out ("locking" of "Optimistic locking" and
    "Pessimistic locking"). Labelled only when the headings name two sides or more."""
    parts = query.part_tokens
    if "compare" not in query.intents or len(parts) < 2:
        return frozenset()
    own = [part - frozenset().union(*(p for p in parts if p is not part)) for part in parts]
    headed = {}
    for passage in passages:
        heading = heading_unit(passage.hit.chunk)
        bare = all(u.kind == "heading" for u in passage.units)
        if (
            heading is not None
            and not bare
            and heading.quote.lower() not in _quoted(passage).lower()
        ):
            headed[passage.hit.chunk.id] = frozenset(tokenize(heading.quote))
    common = frozenset.intersection(*headed.values()) if len(headed) > 1 else frozenset()
    sides: dict[str, int] = {}
    for chunk_id, words in headed.items():
        shared = sorted(((len(side & (words - common)), n) for n, side in enumerate(own)))
        (runner_up, _), (most, side) = shared[-2], shared[-1]
        if most > runner_up:
            sides[chunk_id] = side
    return frozenset(sides) if len(set(sides.values())) >= 2 else frozenset()


def _quoted(passage: Passage) -> str:
    return " ".join(u.quote for u in passage.units)


def release_captions(passages: list[Passage], changelogs: Collection[str]) -> dict[str, str]:
    """The release each passage quoted from a changelog belongs to: its heading path below the
    page's title ("0.0.31 (2025-12-28) › Breaking Changes"), by chunk id, when it names a version
    or a date. A release note's line ("Drop support for Pydantic v1") says what changed, its
    heading says in which release: the answer to "in which release ...?" is that heading, shown
    above the line (not a quote: the citation names it)."""
    captions = {}
    for passage in passages:
        chunk = passage.hit.chunk
        below = below_title(chunk.heading_path, chunk.title)
        if chunk.source in changelogs and any(VERSION_OR_DATE.search(part) for part in below):
            captions[chunk.id] = PATH_SEP.join(below)
    return captions
