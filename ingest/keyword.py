"""The keyword side of hybrid retrieval: a tokenizer and a BM25 index per generation."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.bm25 import KeywordIndex

# "before" and "after" are not stopwords: in technical text they name a thing ("before vs
# after validators", before/after hooks and middleware), and a question comparing the two found
# neither word (pydantic-docs MRR 0.908 -> 0.915, answer_lines@5 0.814 -> 0.829; kb/ unchanged).
STOPWORDS = frozenset(
    """a about all also an and any are as at be because been being between both
    but by can could did do does doing done for from had has have having how i if in into is it
    its itself just me more most my no nor not of off on once only or other our out over own
    same she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why
    will with would you your yours should shall may might must i'm it's don't let us use using
    used""".split()
    # What is left of a contraction once the apostrophe splits it ("doesn't" -> doesn, t):
    # function words, never a topic the KB lacks.
    + """doesn isn aren wasn weren shouldn wouldn couldn didn hasn haven hadn won don can
    mustn needn ll ve re t s d m""".split()
)
TOKEN = re.compile(r"[a-z0-9]+(?:[_.+#-][a-z0-9]+)*")
SEPARATOR = re.compile(r"[_.+#-]")


@lru_cache(maxsize=1 << 16)  # an ingest stems ~100 words per chunk, mostly the same few thousand
def stem(word: str) -> str:
    """A deliberately light English stemmer: plural and common verb endings. A word ending in
    -y, -ies, -ied or -ie keeps one stem in -y (modify, modifies, modified -> modify; cookie,
    cookies -> cooky)."""
    if len(word) >= 5 and word.endswith("ie"):
        return word[:-2] + "y"
    for suffix, keep in (
        ("ies", "y"),
        ("ied", "y"),
        ("sses", "ss"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return _silent_e(word[: -len(suffix)] + keep)
    return _silent_e(word)


def _silent_e(stem: str) -> str:
    """Drop a final silent e, so a word and its -ing/-ed/-es forms share one stem (decode,
    decoding, decoded -> decod; type, types -> typ; value, values -> valu)."""
    return stem[:-1] if len(stem) >= 4 and stem.endswith("e") and not stem.endswith("ee") else stem


def tokenize(text: str) -> list[str]:
    """Lower-case word stems; identifiers like select_related also yield their parts."""
    tokens = []
    for token in TOKEN.findall(text.lower()):
        parts = SEPARATOR.split(token)
        for word in ([token] if len(parts) > 1 else []) + parts:
            if word and word not in STOPWORDS:
                tokens.append(stem(word))
    return tokens


EMPTY = "\x00empty"  # the one token of a chunk with no words, so every row has a length


def term_counts(text: str) -> dict[str, int]:
    """How often each term occurs in a chunk's text (EMPTY once for a text without words)."""
    tally: dict[str, int] = {}
    for token in tokenize(text) or [EMPTY]:
        tally[token] = tally.get(token, 0) + 1
    return tally


VOCAB_FILE = "vocab.json"  # in a generation's bm25/ folder (see ingest/bm25.py)


def build_bm25(texts: list[str]) -> KeywordIndex:
    from ingest.bm25 import KeywordIndex  # numpy and scipy: a no-op ingest needs neither

    return KeywordIndex.build(texts)


def save_bm25(index: KeywordIndex, folder: Path) -> None:
    index.save(folder)


def load_bm25(folder: Path) -> KeywordIndex:
    from ingest.bm25 import KeywordIndex

    return KeywordIndex.load(folder)
