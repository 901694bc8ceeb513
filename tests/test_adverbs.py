"""A question worded with an adverb the knowledge base never writes ("securely", "safely") is not
about something the knowledge base lacks: the adjective it comes from counts for relevance."""

from __future__ import annotations

from conftest import plain

from app.core.engine import Assistant


def test_an_adverb_the_kb_never_uses_does_not_refuse_a_covered_question(real_kb, embedder):
    # kb/ writes "secure" and "security", never "securely"
    answer = Assistant(real_kb, embedder).ask("How do I store passwords securely?")
    assert not answer.refused, answer.text
    assert answer.citations[0].chunk.heading_path.endswith("Hashing passwords")
    assert "Store passwords only as slow, salted hashes" in plain(answer.text)
