"""A yes/no question's verdict comes from a passage found by meaning, not from one that only
shares its words."""

from __future__ import annotations

from app.core.engine import Assistant


def test_a_keyword_only_passage_does_not_supply_the_verdict(real_kb, embedder) -> None:
    """kb/'s design-doc review section shares "building", "big" and "problem" with the
    question, and its "..., not to turn the doc into the design you would have written" (a
    negation) led the answer over the string-building section that answers it."""
    answer = Assistant(real_kb, embedder).ask(
        "Is building a big CSV string with += in a loop a problem?"
    )
    assert not answer.refused
    lead = answer.citations[0]
    assert lead.chunk.source == "python-best-practices/performance-optimization.md", lead
    assert "join" in answer.text and "design doc" not in answer.text
