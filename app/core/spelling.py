"""Typing slips in a question, read as the word the knowledge base uses. One slip in one word
("odrers", "stirct vs lax mode", "asycnio TaskGroup") made it a word the index never uses: it
counted as a name the KB lacks, and 49 of 113 questions of the evaluation sets with one slip
were refused. A lower-case word of five letters or more that the index never uses and that is
no English word (common_words) is read as the index's most used word one slip away: two
letters swapped, one dropped, one doubled or added, its first and last letters kept. Not a name
("Sentry", "JSONB", "ILIKE": the KB lacks them, and "Entry" or "Json" is another question), nor
a longer form of an index word ("redis" is not "reds", "friendlier" not "friendlie")."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from ingest.keyword import tokenize
from ingest.refusal import common_words

# A plain word: not part of an identifier, a path, a hyphenated word or code in backticks; in
# lower case but for its first letter (a name when not opening a sentence: `_word`).
# At most MAX_LETTERS letters: a longer run is no word a slip made.
MAX_LETTERS = 30
WORD = re.compile(rf"(?<![\w.\-/`'])[A-Za-z][a-z]{{4,{MAX_LETTERS - 1}}}(?![\w\-/`'])")
OPENS = re.compile(r"(?:^\s*|[.?!:]\s+)$")  # what stands before a sentence's first word


class Speller:
    def __init__(self, used: Mapping[str, int]) -> None:
        """`used`: how many chunks use each index term (a stem)."""
        self.used = used

    def corrected(self, text: str) -> str:
        """`text` with each slip read as the word the index uses (see the module's text)."""
        return WORD.sub(
            lambda match: self._word(
                match.group(), text[max(0, match.start() - 4) : match.start()]
            ),
            text,
        )

    def _word(self, word: str, before: str) -> str:
        if word[0].isupper() and not OPENS.search(before):
            return word  # a name
        lower = word.lower()
        stems = tokenize(lower)
        if len(stems) != 1 or stems[0] in self.used or stems[0] in common_words():
            return word
        found: dict[str, tuple[bool, int]] = {}
        for candidate, swap in _slips(lower).items():
            stem = tokenize(candidate)
            if swap and not stem:  # "shuold": a function word
                found[candidate] = (True, 0)
            elif len(stem) == 1 and stem[0] in self.used:
                # Not a longer form of an index word ("redis" is not "reds") nor, but for two
                # letters swapped ("testnig" is "testing"), a five-letter word ("const", "cost").
                if swap or (len(lower) > 5 and not lower.startswith(stem[0])):
                    found[candidate] = (False, self.used[stem[0]])
        if not found:
            return word
        best = max(found, key=lambda c: (found[c], c))
        return best.capitalize() if word[0].isupper() else best


def _slips(word: str) -> dict[str, bool]:
    """The words one slip away from `word`, its first and last letters kept, each with whether
    two neighbouring letters were swapped (else one letter was dropped or added: "friendlier"
    is no slip of "friendlie")."""
    splits = [(word[:i], word[i:]) for i in range(1, len(word))]
    swapped = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    dropped = {a + b[1:] for a, b in splits if len(b) > 1}
    added = {a + c + b for a, b in splits for c in string.ascii_lowercase}
    slips = dict.fromkeys(dropped | added, False) | dict.fromkeys(swapped, True)
    slips.pop(word, None)
    return slips
