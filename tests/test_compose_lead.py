"""Which passage leads an answer: the top-ranked passage's short section over another passage's
opening definition, when the question does not ask what something is; of two units the ranking
cannot tell apart, the one the calibrated answer probability prefers."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from conftest import plain, small_kb_assistant

from app.core.answer import extractive_answer
from app.core.compose import _lead, score
from app.core.engine import Assistant, term_weights
from app.core.query import Query
from app.core.scorer import FEATURES, default_scorer

CONTRACTS = """# Consumer-driven contract testing

Consumer-driven contract testing (or CDC for short) is a testing method used to test each
service in isolation while ensuring that providers meet the expectations their consumers have
of them.

## Why CDC instead of end-to-end tests

CDC tries to overcome the painful drawbacks of automated E2E tests:

- E2E tests are slow
- E2E tests break easily
- E2E tests are expensive and hard to maintain

## Writing a consumer test

The consumer writes a test against a mock of the provider and records each request and the
response it expects. The recorded file is the contract, and the provider's build replays it.
"""

WHY = "Why would we use consumer-driven contract tests instead of more end-to-end tests?"
RECORD = "How does the provider's build check the contract a consumer recorded?"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"contracts.md": CONTRACTS}
    return small_kb_assistant(tmp_path_factory.mktemp("compose-lead"), embedder, files)


def definition_loving():
    """The shipped weights, but sharing the question's words counts for more: the definition,
    which names the topic in full, scores a little above the "why" (the shipped scorer's mistake
    on a real corpus, where a "why" was answered with the topic's definition)."""
    scorer = default_scorer()
    weights = list(scorer.weights)
    weights[FEATURES.index("unit_coverage")] += 3.0
    return replace(scorer, weights=tuple(weights))


def answer_to(assistant: Assistant, question: str):
    scorer = definition_loving()
    with assistant.reader.pinned() as generation:
        hits = assistant.retrieve(question)
        answer = extractive_answer(question, hits, term_weights(generation), True, scorer)
    return hits, answer


def test_a_why_question_gets_the_top_passage_not_another_passage_s_definition(assistant):
    hits, answer = answer_to(assistant, WHY)
    assert hits[0].chunk.heading_path.endswith("Why CDC instead of end-to-end tests")
    text = plain(answer.text)
    assert text.startswith("CDC tries to overcome the painful drawbacks")
    assert "E2E tests are slow" in text and "hard to maintain" in text
    assert answer.citations[0].chunk == hits[0].chunk


def test_a_what_question_still_gets_the_definition(assistant):
    _, answer = answer_to(assistant, "What is consumer-driven contract testing?")
    assert plain(answer.text).startswith("Consumer-driven contract testing (or CDC for short) is")


def level_pair(assistant: Assistant, question: str, apart: float):
    """The real ranked units of two passages for `question`: the first passage's best unit and
    the second's, ranked `apart` in log-odds, the second answering better by the calibrated
    probability (what a checklist line and the section that answers look like to the scorer)."""
    with assistant.reader.pinned() as generation:
        hits = assistant.retrieve(question)
        ranked = score(Query.parse(question), hits, term_weights(generation))
    first = next(s for s in ranked if s.candidate.hit.rank == 1)
    second = next(s for s in ranked if s.candidate.hit.rank > 1 and not s.candidate.unit.lead)
    p = 0.75
    q = 1 / (1 + (1 - p) / p * math.exp(apart))
    return [
        replace(first, probability=p, answers=0.5),
        replace(second, probability=q, answers=0.66),
    ]


def test_of_two_level_units_the_one_that_answers_leads(assistant):
    first, second = level_pair(assistant, RECORD, apart=0.002)
    assert first.candidate.hit.chunk != second.candidate.hit.chunk
    assert _lead(Query.parse(RECORD), [first, second]) is second


def test_a_unit_ranked_clearly_better_keeps_the_lead(assistant):
    first, second = level_pair(assistant, RECORD, apart=0.2)
    assert _lead(Query.parse(RECORD), [first, second]) is first
