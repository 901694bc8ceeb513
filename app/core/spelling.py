"""Typing slips in a question, read as the word the knowledge base uses. One slip in one word
("odrers", "stirct vs lax mode", "asycnio TaskGroup") made it a word the index never uses: it
counted as a name the KB lacks, and 49 of 113 questions of the evaluation sets with one slip
were refused. A lower-case word of five letters or more that the index never uses and that is
no English word (common_words) is read as the index's most used word one slip away: two
letters swapped, one dropped, one doubled or added, an "s" for a "z" or back ("normalization"
of a KB writing "normalisation"), its first and last letters kept, and a word itself (an
English word, or one the index holds, as written or with a usual ending: not "prioritie").
Not a name ("Sentry": the KB lacks it, and "Entry" is another question), code (`odrers`,
`redact()`), nor a longer form of an index word ("redis" is not "reds", "friendlier" not
"friendlie"). An English word is read only as its other spelling ("serialize" of a KB writing
"serialise"), and shorthand the index never uses as the word it does ("deps": SHORTHAND). The
engine reads a question so only when the KB does not cover it as typed:
"How do I redact PII?" is never read as "react"."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from ingest.keyword import tokenize
from ingest.markdown import CODE_SPAN
from ingest.refusal import common_words, english_words

# A plain word: not part of an identifier, a path, a hyphenated word or code in backticks; in
# lower case but for its first letter (a name when not opening a sentence: `_word`).
# At most MAX_LETTERS letters: a longer run is no word a slip made.
MAX_LETTERS = 30
WORD = re.compile(rf"(?<![\w.\-/`'])[A-Za-z][a-z]{{4,{MAX_LETTERS - 1}}}(?![\w\-/`'(])")
OPENS = re.compile(r"(?:^\s*|[.?!:]\s+)$")  # what stands before a sentence's first word


SZ = {"s": "z", "z": "s"}
# A function word the index never holds (a stopword) is what a slip with a letter dropped or
# added stands for when it has this many letters ("shoud" is "should") and no index word is one
# slip away ("whoile" is "whole", not "while"); a shorter one ("thee", "whit") is too often
# another word. Two letters swapped always count ("shuold").
FUNCTION_LETTERS = 5
# Shorthand people type for a word docs spell out ("how 2 pin deps"), read as that word when the
# index never uses the shorthand and does use the word.
SHORTHAND = {
    "gotcha": "pitfall",  # slang, as shorthand is: the word a KB writes
    "gotchas": "pitfalls",
    "deps": "dependencies",
    "dep": "dependency",
    "env": "environment",
    "envs": "environments",
    "repo": "repository",
    "repos": "repositories",
    "perf": "performance",
    "impl": "implementation",
    "msg": "message",
    "msgs": "messages",
    "req": "request",
    "reqs": "requests",
    "resp": "response",
    "prod": "production",
    "func": "function",
    "funcs": "functions",
    "param": "parameter",
    "params": "parameters",
    "pkg": "package",
    "pkgs": "packages",
    "lib": "library",
    "libs": "libraries",
    "k8s": "kubernetes",
}
SHORT = re.compile(
    r"(?<![\w.\-/`'])(?:" + "|".join(re.escape(k) for k in SHORTHAND) + r")(?![\w\-/`'])", re.I
)


class Speller:
    def __init__(self, used: Mapping[str, int]) -> None:
        """`used`: how many chunks use each index term (a stem)."""
        self.used = used

    def corrected(self, text: str) -> str:
        """`text` with each slip read as the word the index uses (see the module's text), code
        in backticks left as typed."""
        out: list[str] = []
        at = 0
        for span in [*CODE_SPAN.finditer(text), None]:
            end = span.start() if span else len(text)
            out.append(self._prose(text[at:end], out[-1][-4:] if out else ""))
            if span:
                out.append(span.group())
                at = span.end()
        return "".join(out)

    def _prose(self, prose: str, before: str) -> str:
        """`prose` read (see corrected); `before`: what stands right before it."""
        prose = SHORT.sub(lambda match: self._spelled_out(match.group()), prose)

        def read(match: re.Match[str]) -> str:
            at = match.start()
            return self._word(match.group(), (before + prose[max(0, at - 4) : at])[-4:])

        return WORD.sub(read, prose)

    def _spelled_out(self, short: str) -> str:
        """Shorthand the index never uses, as the word it does (SHORTHAND)."""
        long = SHORTHAND[short.lower()]
        used = tokenize(short)
        if used and used[0] in self.used:
            return short
        stems = tokenize(long)
        return long if all(stem in self.used for stem in stems) else short

    def _word(self, word: str, before: str) -> str:
        if word[0].isupper() and not OPENS.search(before):
            return word  # a name
        lower = word.lower()
        stems = tokenize(lower)
        if len(stems) != 1 or stems[0] in self.used:
            return word
        # An English word is no slip, but may be spelled the other side of the Atlantic
        # ("serialize" of a KB writing "serialise").
        english = stems[0] in common_words()
        slips = _spellings(lower) if english else _slips(lower)
        found: dict[str, tuple[bool, int]] = {}
        for candidate, swap in slips.items():
            stem = tokenize(candidate)
            if not stem and swap:  # a function word: "shuold", "becuase"
                found[candidate] = (True, 0)
            elif not stem and len(candidate) >= FUNCTION_LETTERS:
                found[candidate] = (False, -1)  # "shoud"; an index word one slip away wins
            elif len(stem) == 1 and stem[0] in self.used and _is_word(candidate, stem[0]):
                # Not a longer form of an index word ("redis" is not "reds") nor, but for two
                # letters swapped ("testnig" is "testing"), a five-letter word ("const", "cost").
                if swap or (len(lower) > 5 and not lower.startswith(stem[0])):
                    found[candidate] = (False, self.used[stem[0]])
        if not found:
            return word
        best = max(found, key=lambda c: (found[c], c))
        return best.capitalize() if word[0].isupper() else best


# What follows a stem in the words the index holds ("nest-ed", "valid-ated", "iter-ating",
# "delet-e": the English list lacks "delete" and "runtime").
SUFFIXES = frozenset(
    "e s es d ed ing er ers ate ates ated ating ation ations ion ions ly ment ments ness able"
    " al".split()
)


def _is_word(candidate: str, stem: str) -> bool:
    """An English word, or the index's word as written ("asyncio") or with a usual ending
    ("metrics", "nested", "iterating", "paging"); not a stemmer's guess ("prioritie" for "priority",
    "newlies", "preferablye")."""
    if candidate in english_words() or candidate == stem:
        return True
    if candidate.startswith(stem) and candidate[len(stem) :] in SUFFIXES:
        return True
    # A silent "e" dropped before the ending ("paging", "caching", "creation"): "paigng" is a slip
    # of "paging", which the stemmer reads as "page".
    root = stem[:-1]
    return stem.endswith("e") and candidate.startswith(root) and candidate[len(root) :] in SUFFIXES


def _spellings(word: str) -> dict[str, bool]:
    """The word with one "s" for a "z" or back, but for its first letter."""
    return {word[:i] + SZ[c] + word[i + 1 :]: True for i, c in enumerate(word) if i and c in SZ}


def _slips(word: str) -> dict[str, bool]:
    """The words one slip away from `word`, each with whether two neighbouring letters were
    swapped or an "s" and a "z" (a British or American spelling: "normalization" of a KB writing
    "normalisation") rather than a letter dropped or added, first and last letters kept
    ("friendlier" is no slip of "friendlie")."""
    splits = [(word[:i], word[i:]) for i in range(1, len(word))]
    swapped = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    dropped = {a + b[1:] for a, b in splits if len(b) > 1}
    added = {a + c + b for a, b in splits for c in string.ascii_lowercase}
    slips = dict.fromkeys(dropped | added, False) | dict.fromkeys(swapped, True)
    slips.pop(word, None)
    return slips | _spellings(word)
