"""A quote never opens on a sentence whose subject is a pronoun for the one before it, even after
a short opening phrase ("By default it fails the test ..."): the sentence naming "it" comes too."""

from __future__ import annotations

from conftest import plain

from app.core.engine import Assistant


def test_a_pronoun_after_by_default_brings_the_sentence_it_refers_to(real_kb, embedder):
    """kb/'s respx paragraph: "respx intercepts httpx at the transport layer, ... By default it
    fails the test if a request matches no route ...". Quoted as a second passage from "By
    default it", the reader could not tell what "it" was."""
    answer = Assistant(real_kb, embedder).ask(
        "how to test an endpoint that calls an external HTTP API"
    )
    text = plain(answer.text)
    assert "By default it fails the test" in text, text
    assert "respx intercepts httpx" in text, text
    assert text.index("respx intercepts httpx") < text.index("By default it fails"), text
