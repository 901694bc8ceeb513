"""A passage only the keyword search found carries no dense score (0): in a knowledge base of
more than 40 passages the dense search returns only its 40 nearest. Such a passage can still
rank first, and its answer must not lose to the units of the passages below it."""

from __future__ import annotations

from dataclasses import replace

from conftest import small_kb_assistant

from app.core.answer import extractive_answer
from app.core.engine import term_weights

CONTRIBUTING = """# Contributing

## Developing

To contribute code, follow the guidelines in the maintainers' contributing handbook: open an
issue first, then send a pull request from a branch with tests.
"""

RELEASES = """# Release notes

## 2.4.0

- Migrate the automatic labels of pull requests to the latest changes workflow.
- Bump the test runner used for pull requests from 8.1 to 8.2.
"""


def test_the_top_passage_found_only_by_keywords_still_answers(tmp_path, embedder):
    files = {"contributing.md": CONTRIBUTING, "release-notes.md": RELEASES}
    assistant = small_kb_assistant(tmp_path, embedder, files)
    question = "I want to send a pull request with code: what guidelines should I follow?"
    with assistant.reader.pinned() as generation:
        hits = assistant.retriever.search(question, 5, None, None, generation)
        idf = term_weights(generation)
    assert hits[0].chunk.source == "contributing.md"
    # What retrieval records for a top passage outside the dense search's 40 nearest.
    hits = [replace(hits[0], dense=0.0, section_dense=0.0), *hits[1:]]
    answer = extractive_answer(question, hits, idf, True)
    assert {c.chunk.source for c in answer.citations} == {"contributing.md"}, answer.text
    assert "contributing handbook" in answer.text
