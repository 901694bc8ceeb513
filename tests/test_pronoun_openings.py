"""A quote never opens on a sentence whose subject is a pronoun for the one before it, even after
a short opening phrase ("By default it fails the test ..."): the sentence naming "it" comes too."""

from __future__ import annotations

from app.core.engine import Assistant
from app.core.passages import split_units
from app.core.quote import expand
from app.core.scorer import Candidate


def test_a_pronoun_after_by_default_brings_the_sentence_it_refers_to(real_kb, embedder):
    """kb/'s respx paragraph: "respx intercepts httpx at the transport layer, ... By default it
    fails the test if a request matches no route ...". Quoted as a second passage from "By
    default it" ("how to test an endpoint that calls an external HTTP API" did so until other
    pages' words moved that near tie at stop 41), the reader could not tell what "it" was. The
    quote around that sentence, chosen alone, brings the sentence naming "it" first."""
    assistant = Assistant(real_kb, embedder)
    hit = next(
        h
        for h in assistant.retriever.search("mocking httpx with respx", 5)
        if h.chunk.heading_path.endswith("Mocking httpx with respx")
    )
    units = tuple(split_units(hit.chunk))
    chosen = next(u for u in units if u.quote.startswith("By default it fails the test"))
    text = " ".join(u.quote for u in expand(Candidate(hit, chosen, units)).units)
    assert text.startswith("respx intercepts httpx"), text
    assert "By default it fails the test" in text, text
