"""What kind of answer a question wants, when its wording says: the words an abbreviation stands
for ("What does ORM stand for?") or a version ("Since which SQLModel release are UUID fields
supported?"); and whether a text holds one. The unit that best matches the question's words
often only talks about the thing ("UUIDs can be useful as primary keys") while the one a reader
wants names the version ("Official support for UUIDs was added in SQLModel version `0.0.20`."):
unless the best unit or its heading holds one, compose leads with the best unit of the wanted
kind among those scoring nearly as well.

Not an amount ("How many ...", "How big should ... be?"): nearly every passage holds a number, and
leading with one quoted "429 Too Many Requests" for the throttle's rate and CONN_MAX_AGE = 60 for
a pool's size."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.keyword import ASKS_MEANING

# A question asking what an abbreviation stands for ("What does ORM stand for?", "What is CORS
# short for?") and the abbreviations it names.
ASKS_EXPANSION = re.compile(ASKS_MEANING.pattern + r"|\babbreviat\w*|\bacronym\b", re.I)
SPELLED_NEAR = 3  # the spelled-out words start (or end) within this many words of it
ABBREVIATION = re.compile(r"\b([A-Z][A-Z0-9]{1,7})s?\b")
# A question asking for a version or release: "Which Pydantic release dropped ...", "Since which
# version can I ...", "What is the minimum Python version?", "When did X start supporting Y?";
# not "What version control workflow ...", "Which release process ...", "What is version
# pinning?". The gap after "when did" is bounded: an unbounded one is quadratic on long input.
ASKS_VERSION = re.compile(
    r"\b(?:which|what)(?:'s|\s+is|\s+are)?(?:\s+the)?\s+"
    r"(?:(?!(?:is|are|was|were|does|do|did)\b)[\w.`-]+\s+){0,2}(?:version|release)s?\b"
    r"(?![\s-]+(?:control|process|notes?|branch|cycle|cadence|strateg|policy|manag|pipeline|train"
    r"|candidate|mode|pinning))"
    r"|\bsince when\b"
    r"|\bwhen (?:did|was|were|will|does)\b(?:\W+\w+){0,12}?\W+(?:add(?:ed)?|introduced?"
    r"|removed?|dropped?|deprecated?|chang(?:e|ed)|released?|land(?:ed)?|start\w*|support\w*"
    r"|become available|available)\b",
    re.I,
)
# A version in a text: "0.0.20", "v2.14.0a1", "21.3.0", "Python 3.13", "version `2.10`". A number
# with two parts is one only after a name inside a sentence ("Python", "Django"; not a sentence's
# first word, "Use 0.75 as the ratio", nor "Section 3.2", "Step 2.1") or a word saying so
# ("version", "release", "since"): "0.5 seconds", "$9.99" and "x = 3.14" are none; nor is an
# address ("127.0.0.1": four parts) or a date ("2024.01.15").
VERSION = re.compile(
    r"(?<![\w.$])(?P<v>v)?(?P<number>\d+(?:\.\d+){1,2})(?:(?:a|b|rc)\d+)?(?!\w|\.\d)"
)
BEFORE_VERSION = re.compile(
    r"(?:\b(?:version|versions|release|releases|since|from|until|before|after)"
    r"|(?<=[\w,;:)] )(?!(?:Section|Table|Figure|Step|Chapter|Part|Item|Example|Listing|Page|Line"
    r"|Rule|Appendix|Note|Level|Phase|Stage)\b)[A-Z][\w-]*)\W{0,2}$"
)
SAID_BEFORE = 30  # characters before a number where BEFORE_VERSION looks
AFTER_NUMBER = re.compile(
    r"\s*(?:%|s\b|ms\b|seconds?\b|minutes?\b|hours?\b|[kmgt]i?b\b|x\b|times\b)", re.I
)
URL = re.compile(r"\]\([^)]*\)|\bhttps?://\S+")  # a link's target, a bare address


@dataclass(frozen=True)
class Wanted:
    """The kind of answer a question wants: `holds` tells whether a text holds one;
    `in_heading`: whether a heading holding one answers too (a changelog's "v2.12.0")."""

    holds: Callable[[str], bool]
    in_heading: bool


def wanted(question: str, asked_of: str = "") -> Wanted | None:
    """The kind of answer this question's wording asks for; None for no particular kind.
    `asked_of`: the earlier question a follow-up without words of its own asks this of ("What
    does it stand for?" after "What is CORS?"), which names the abbreviation."""
    if ASKS_EXPANSION.search(question):
        found = {a for a in ABBREVIATION.findall(f"{question} {asked_of}") if a != "I"}
        return Wanted(lambda text: any(spells(a, text) for a in found), in_heading=False)
    if ASKS_VERSION.search(question):
        named = {m.group("number") for m in VERSION.finditer(question)}
        return Wanted(lambda text: bool(versions(text) - named), in_heading=True)
    return None


def versions(text: str) -> set[str]:
    """The versions a text names (VERSION), in its words: not in a link's address ("Pre-release,
    see [the GitHub release](.../v2.9.0b2)" led for a question on Python 3.9)."""
    text = URL.sub("", text)
    found = set()
    for match in VERSION.finditer(text):
        number = match.group("number")
        if AFTER_NUMBER.match(text, match.end()) or len(number.split(".")[0]) == 4:
            continue
        two_parts = number.count(".") == 1
        said = BEFORE_VERSION.search(text, max(0, match.start() - SAID_BEFORE), match.start())
        if match.group("v") or not two_parts or said:
            found.add(number)
    return found


def spells(abbreviation: str, text: str) -> bool:
    """`text` names `abbreviation` and spells it out right after it (at most SPELLED_NEAR words
    on: "**ORM** means **Object-Relational Mapper**") or right before it ("Cross-Origin Resource
    Sharing (CORS)"): consecutive words (a hyphen parts words) whose initials are its letters."""
    words = re.findall(r"[A-Za-z0-9][A-Za-z0-9']*", text)
    named = [i for i, w in enumerate(words) if w.rstrip("s") == abbreviation]
    letters, n = abbreviation.lower(), len(abbreviation)
    near = range(1, SPELLED_NEAR + 1)
    # where a run right after a mention, or ending right before one, starts (linear in the text)
    starts = {at + d for at in named for d in near} | {at - d - n + 1 for at in named for d in near}
    return any(
        "".join(w[0] for w in words[i : i + n]).lower() == letters
        and all(w.rstrip("s") != abbreviation for w in words[i : i + n])
        for i in sorted(starts)
        if 0 <= i <= len(words) - n
    )
