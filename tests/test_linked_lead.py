"""A sentence that names a topic and the page covering it ("... as discussed in [X](x.md)") gives
the lead to that page when it is retrieved and answers nearly as well."""

from __future__ import annotations

import pytest
from conftest import plain

from app.core.engine import Assistant


@pytest.fixture(scope="module")
def kb_assistant(real_kb, embedder) -> Assistant:
    return Assistant(real_kb, embedder)


def first_source(assistant: Assistant, question: str) -> tuple[str, str]:
    answer = assistant.ask(question)
    assert not answer.refused, question
    return answer.citations[0].chunk.source, plain(answer.text)


@pytest.mark.parametrize(
    ("question", "page", "opening"),
    [
        (
            # the background-jobs page ends its outbox paragraph "... are discussed in
            # [microservices versus monolith](microservices-vs-monolith.md)."
            "outbox pattern",
            "architecture-design/microservices-vs-monolith.md",
            "The transactional outbox solves the dual-write problem",
        ),
        (
            # Django's app layout ends "..., as discussed in [microservices versus monolith]"
            "We're a team of five engineers - should we break our Django app into microservices?",
            "architecture-design/microservices-vs-monolith.md",
            "Weak reasons are",
        ),
        (
            # the Flask test client: "...; [Flask application structure](...) covers the
            # factory pattern."
            "Flask app factory pattern",
            "frameworks-libraries/flask-application-structure.md",
            # either chunk of the page's "The application factory" section
            ("Build the application inside a `create_app()`", "The `flask` command finds"),
        ),
    ],
)
def test_a_sentence_naming_the_page_that_covers_its_topic_yields_to_that_page(
    kb_assistant, question, page, opening
):
    source, text = first_source(kb_assistant, question)
    assert source == page, text[:300]
    assert text.startswith(opening if isinstance(opening, tuple) else (opening,)), text[:300]


def test_the_linked_page_s_own_pointer_never_leads(kb_assistant):
    """The schema guide's migration paragraph links the ORM guide ("the ORM side is covered in
    [ORM usage]"), whose best unit here only sends the reader on ("Django's own migration
    framework follows the same principles; see [Django architecture] for its specifics.")."""
    source, text = first_source(kb_assistant, "How do I run a database migration without downtime?")
    assert source == "architecture-design/database-schema-design.md", text[:300]
    assert text.startswith("A migration is safe for zero-downtime deploys"), text[:300]
