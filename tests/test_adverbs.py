"""A question worded with an adverb or a superlative the knowledge base never writes ("securely",
"kindest") is not about something the knowledge base lacks: the adjective it comes from counts
for relevance."""

from __future__ import annotations

import pytest
from conftest import plain

from app.core.engine import Assistant
from ingest.keyword import tokenize
from ingest.refusal import index_form


def test_an_adverb_the_kb_never_uses_does_not_refuse_a_covered_question(real_kb, embedder):
    # kb/ writes "secure" and "security", never "securely"
    answer = Assistant(real_kb, embedder).ask("How do I store passwords securely?")
    assert not answer.refused, answer.text
    assert answer.citations[0].chunk.heading_path.endswith("Hashing passwords")
    assert "Store passwords only as slow, salted hashes" in plain(answer.text)


def test_a_superlative_the_kb_never_uses_does_not_refuse_a_covered_question(real_kb, embedder):
    # kb/ writes "kind" (kind review, kind but clear), never "kindest"
    answer = Assistant(real_kb, embedder).ask(
        "What's the kindest way to review a PR that basically needs to be rewritten from scratch?"
    )
    assert not answer.refused, answer.text
    assert answer.citations[0].chunk.source == "mentoring/difficult-conversations.md"
    assert "rewrite" in plain(answer.text)


@pytest.mark.parametrize(
    ("asked", "index_words", "read_as"),
    [
        ("securely", "secure", "secure"),
        ("easily", "easy", "easy"),
        ("reliably", "reliable", "reliable"),
        ("automatically", "automatic", "automatic"),
        ("likely", "like", "likely"),  # "what is likely" is not about what anyone likes
        ("weekly", "week", "weekly"),
        ("kindest", "kind", "kind"),
        ("simplest", "simple", "simple"),
        ("safest", "safe", "safe"),
        ("biggest", "big", "big"),
        # -est words of their own (refusal.NOT_SUPERLATIVES), not superlatives
        ("honest", "hone", "honest"),
        ("forest", "fore", "forest"),
        ("modest", "mode", "modest"),
        ("interest", "inter", "interest"),
        ("tempest", "temp", "tempest"),
    ],
)
def test_an_adverb_or_superlative_reads_as_the_word_the_index_uses(asked, index_words, read_as):
    known = set(tokenize(index_words))
    assert index_form(tokenize(asked)[0], known.__contains__) == tokenize(read_as)[0]
