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

from ingest.keyword import ASKS_MEANING

# A question asking what an abbreviation stands for ("What does ORM stand for?", "What is CORS
# short for?") and the abbreviations it names.
ASKS_EXPANSION = re.compile(ASKS_MEANING.pattern + r"|\babbreviat\w*|\bacronym\b", re.I)
SPELLED_NEAR = 3  # the spelled-out words start (or end) within this many words of it
ABBREVIATION = re.compile(r"\b([A-Z][A-Z0-9]{1,7})s?\b")
# A question asking for a version or release: "Which Pydantic release dropped ...", "Since which
# version can I ...", "In what version was ... added?", "When did that change?"; not "What
# version control workflow ...", "Which release process ...".
ASKS_VERSION = re.compile(
    r"\b(?:which|what)\s+(?:\w+\s+)?(?:version|release)s?\b(?!\s+(?:control|process|notes?|branch"
    r"|cycle|cadence|strateg|policy|manag|pipeline|train))"
    r"|\bsince when\b"
    r"|\bwhen (?:did|was|were|will)\b.*\b(?:add|added|introduced?|removed?|dropped?"
    r"|deprecated?|chang(?:e|ed)|released?|land(?:ed)?|support(?:ed)?)\b",
    re.I,
)
# A version in a unit: "0.0.20", "v2.14.0a1", "21.3.0", "Python 3.13".
VERSION = re.compile(r"(?<![\w.])v?\d+\.\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?!\w|\.\d)")
URL = re.compile(r"\]\([^)]*\)|\bhttps?://\S+")  # a link's target, a bare address


def wanted(question: str) -> Callable[[str], bool] | None:
    """What a text must hold to answer this question; None when the question's wording asks for
    no particular kind of answer. A version counts in the words, not in a link's address
    ("Pre-release, see [the GitHub release](.../v2.9.0b2)" led for a question on Python 3.9),
    nor when the question names it ("Which release dropped support for Python 3.9?")."""
    if ASKS_EXPANSION.search(question):
        found = {a for a in ABBREVIATION.findall(question) if a != "I"}
        return lambda text: any(spells(a, text) for a in found)
    if ASKS_VERSION.search(question):
        named = set(VERSION.findall(question))
        return lambda text: any(v not in named for v in VERSION.findall(URL.sub("", text)))
    return None


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
