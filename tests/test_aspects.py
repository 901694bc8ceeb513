"""Whole tasks: splitting a request into aspects, merging per-aspect results, one generation."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from app.core.aspects import MAX_ASPECTS, split_aspects
from app.core.engine import Assistant
from ingest.sync import sync

sys.path.insert(0, str(ROOT / "benchmarks"))

import task_coverage  # noqa: E402

TICKET = json.loads((ROOT / "benchmarks" / "task_queries.jsonl").read_text().splitlines()[0])


@pytest.mark.parametrize(
    ("request_text", "aspects"),
    [
        ("How do I open a database session per request in FastAPI?", 1),
        ("In a composite index, which columns go first, equality or sort?", 1),
        ("RFC 9457 problem details: which field should clients branch on?", 1),
        ("Our service layer just calls the ORM. Is that layer pulling its weight?", 1),
        ("Under our working agreement, what is the junior expected to do?", 1),
        ("Profile it and find the cause", 1),
        ("break it down, write the spec with acceptance criteria and tell me what to review", 3),
        ("- add tests\n- fix the N+1 query\n1. review the PR", 3),
        ("What causes friction with a junior, and how do I head it off at the start?", 2),
        (
            "Ticket 1: export orders as CSV; stream big exports; review the PR; test the API",
            4,
        ),
        ("; , . -", 1),
    ],
)
def test_split_aspects(request_text: str, aspects: int) -> None:
    found = split_aspects(request_text)
    assert len(found) == aspects, found
    for aspect in found:
        assert aspect in " ".join(request_text.split()) or aspect == ""


def test_the_ticket_splits_into_its_requests() -> None:
    aspects = split_aspects(TICKET["q"])
    assert len(TICKET["q"].split()) >= 85
    wanted = ["break it down", "acceptance criteria", "review", "stream large exports"]
    for words in wanted:
        assert sum(words in a for a in aspects) == 1, (words, aspects)
    assert aspects[0].startswith("Ticket ORD-412: export")  # the label stays with its request


def test_many_requests_are_capped() -> None:
    request = ". ".join(f"Write test number {n} for the importer" for n in range(20))
    aspects = split_aspects(request)
    assert len(aspects) == MAX_ASPECTS
    assert "number 19" in aspects[-1]


def test_a_pinned_call_keeps_its_generation(settings, embedder, kb: Path) -> None:
    sync(settings, embedder=embedder)
    assistant = Assistant(settings, embedder)
    with assistant.reader.pinned() as first:
        (kb / "caching.md").write_text("# Caching\n\nCache invalidation needs an owner.\n")
        sync(settings, embedder=embedder)
        assert assistant.reader.current() is first
        hits = assistant.retrieve("Who owns cache invalidation?", 5)
        assert "caching.md" not in {h.chunk.source for h in hits}
    assert assistant.reader.current().name != first.name
    hits = assistant.retrieve("Who owns cache invalidation?", 1)
    assert hits[0].chunk.source == "caching.md"


@pytest.mark.slow
def test_tasks_on_the_real_kb_cover_every_request(real_kb, embedder) -> None:
    queries = [json.loads(line) for line in task_coverage.QUERIES.read_text().splitlines()]
    rows = task_coverage.measure(Assistant(real_kb, embedder), queries, 5)
    for row in rows:
        assert row["coverage_after"] >= row["coverage_before"], (row["q"], row["after"])
        assert set(row["after_aspects"]) == set(row["aspects"])
    mean_before = sum(r["coverage_before"] for r in rows) / len(rows)
    mean_after = sum(r["coverage_after"] for r in rows) / len(rows)
    # Measured on the 34-document KB: 0.56 before, 0.80 after; with stop 38's seven new
    # sections: 0.64 before (they answer some whole tasks), 0.81 after. (On the first 26
    # documents per-request search covered every request; some short requests now pick a
    # newer, wrong document, e.g. "Profile it and find the cause" -> difficult-conversations.)
    # At stop 48 (117 pages) "set up linting and type checks in CI" found the protobuf page's
    # buf lint section; the notification task's CPU-heavy rendering request counts the Python
    # pitfalls page's CPU-bound-thread section (move the work to a process) as answering it.
    # At stop 50 the Flask task's "explain to the junior ... without demotivating them" found the
    # weekend-revert section's blameless Monday conversation, which answers it (now listed).
    # At stop 51 batch 38's "When a walkthrough backfires" ("a junior's answer treated as
    # wrong") took that request without answering it (0.774 -> 0.726); its wording changed.
    assert mean_before < 0.75  # one search for the whole task misses requests
    assert mean_after >= 0.75 and mean_after >= mean_before + 0.15
    ticket = rows[0]
    assert len(set(ticket["after"])) > len(set(ticket["before"]))
