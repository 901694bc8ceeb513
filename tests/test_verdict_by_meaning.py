"""A yes/no question's verdict comes from a passage found by meaning, not from one that only
shares its words.

In kb/ "Is building a big CSV string with += in a loop a problem?" once led with a design-doc
review's "..., not to turn the doc into the design you would have written": the review shared
"building", "big" and "problem" with the question, only the keyword search found it (no dense
score), and its negation read as a verdict. kb/ has grown since and no longer reproduces that
ranking, so the ranking is given here as the scorer produced it, over real passages."""

from __future__ import annotations

from app.core.compose import Candidate, Scored, _says_yes_or_no
from app.core.passages import split_units
from app.core.retrieve import Hit
from ingest.chunk import chunk_markdown

STRINGS = """# Performance

## Building strings

Build a large string by collecting the parts in a list and calling `"".join(parts)` once.
"""

REVIEWS = """# Reviewing a design doc

## What to raise

The aim is to find the gaps the author cannot yet see, not to turn the doc into the design you
would have written.
"""


def _scored(markdown: str, source: str, dense: float, probability: float, answers: float):
    chunk = next(c for c in chunk_markdown(markdown, source) if "›" in c.heading_path)
    hit = Hit(chunk, dense=dense, keyword=2.0, fused=0.03, rank=1)
    units = tuple(split_units(chunk))
    return Scored(probability, answers, Candidate(hit, units[0], units))


def _ranked(review_dense: float) -> list[Scored]:
    """The string-building sentence ranks first; the review's negation a little lower, rated
    more likely to answer by the calibrated gate, as they were in kb/."""
    return [
        _scored(STRINGS, "performance.md", 0.62, 0.95, 0.40),
        _scored(REVIEWS, "reviews.md", review_dense, 0.90, 0.60),
    ]


def test_a_keyword_only_passage_does_not_supply_the_verdict() -> None:
    ordered = _says_yes_or_no(_ranked(review_dense=0.0))
    assert ordered[0].candidate.hit.chunk.source == "performance.md"


def test_a_negation_found_by_meaning_still_gives_the_verdict() -> None:
    ordered = _says_yes_or_no(_ranked(review_dense=0.41))
    assert ordered[0].candidate.hit.chunk.source == "reviews.md"
