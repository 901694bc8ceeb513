"""A section that opens with its answer and explains it in subsections is quoted from its
opening, not from the subsection a near tie favoured, nor from the page's recap line that
restates it."""

from __future__ import annotations

from app.core.engine import Assistant

FLASK_LOGGING = (
    "In our Flask 3 app factory some modules log through current_app.logger and others through"
    " logging.getLogger(__name__), and under gunicorn we get two formats and some duplicated"
    " lines. What's the right way to configure logging so everything goes through one JSON"
    " handler?"
)


def test_the_section_opening_answers_over_its_causes_subsection(real_kb, embedder) -> None:
    """kb/'s section opens with the fix ("Call `logging.config.dictConfig` once ... before
    `create_app()` runs") and explains the causes in a subsection below; the causes' bullet
    scored 0.993 against the opening's 0.991 and the answer quoted only the causes."""
    answer = Assistant(real_kb, embedder).ask(FLASK_LOGGING)
    lead = answer.citations[0]
    assert lead.chunk.heading_path.endswith(
        "One JSON handler for current_app.logger, getLogger and gunicorn"
    ), lead
    assert answer.text.startswith("Call `logging.config.dictConfig` once"), answer.text[:200]


def test_a_page_recap_item_gives_the_lead_to_its_section(real_kb, embedder) -> None:
    """The schema page's pitfalls list restates its primary-key section in one line ("Random
    UUIDv4 keys on very large, insert-heavy tables without considering UUIDv7 or a bigint key"),
    which scored 0.972 against the section's 0.971 and led with the whole list."""
    answer = Assistant(real_kb, embedder).ask(
        "UUIDv4 vs UUIDv7 vs bigint identity for primary keys on a big insert-heavy table"
    )
    lead = answer.citations[0]
    assert not lead.chunk.heading_path.endswith("Common pitfalls"), lead
    assert "page splits" in answer.text
