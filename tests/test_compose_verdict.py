"""A yes/no question gets its verdict first: the paragraphs of a short section that only set the
scene before the verdict are left out, and what leads up to the verdict (its section's or a
parent section's opening) is not added after it; a question that is not answered yes or no
still gets the section as it stands."""

from __future__ import annotations

import pytest
from conftest import extractive_text, small_kb_assistant

from app.core.compose import asks_yes_no
from app.core.engine import Assistant
from app.core.query import Query

RELEASES = """# Release notes

## v2.12.0 (2025-10-07)

This is the final 2.12 release. It features the work of 20 external contributors and provides
useful new features, along with initial Python 3.14 support. Several minor changes are also
included in this release. Make sure to look into them before upgrading.

**Note that Pydantic V1 is not compatible with Python 3.14 and greater**.
"""

SPIKES = """# Technical spikes

A technical spike is a short, time-boxed piece of work that ends with a written summary for the
team, and it can be used in a number of ways: to try a new library, to analyze a problem before
dividing the work, or to lower the risk of a later story.

## Deliverable

The goal of a spike should be fact-finding, not decision-making or a recommendation. The spike
digs into the technical questions so that the whole team can come back together and agree on a
course forward.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"changelog.md": RELEASES, "spikes.md": SPIKES}
    return small_kb_assistant(tmp_path_factory.mktemp("compose-verdict"), embedder, files)


def test_a_yes_no_question_gets_the_verdict_without_the_release_intro(assistant):
    text = extractive_text(assistant, "Does Pydantic V1 work on Python 3.14?")
    assert text.lstrip("*").startswith("Note that Pydantic V1 is not compatible with Python 3.14")
    assert "20 external contributors" not in text


def test_the_opening_that_leads_up_to_a_verdict_is_not_added_after_it(assistant):
    text = extractive_text(assistant, "Should a technical spike end with a recommendation?")
    assert text.startswith("The goal of a spike should be fact-finding, not decision-making")
    assert "time-boxed piece of work" not in text  # the parent section's opening


def test_a_question_that_is_not_yes_or_no_still_gets_the_whole_short_section(assistant):
    text = extractive_text(assistant, "What changed in the final 2.12 release?")
    assert "20 external contributors" in text
    assert "Note that Pydantic V1 is not compatible" in text


@pytest.mark.parametrize(
    ("question", "yes_no"),
    [
        ("Does Pydantic V1 work on Python 3.14?", True),
        ("Is the feedback sandwich a good way to deliver criticism?", True),
        ("If every developer installs pre-commit hooks, can we drop linting from CI?", True),
        ("Should I use FastAPI BackgroundTasks or Celery?", False),  # a choice between two
        ("Can you show an example hand-off ticket?", False),  # asks for an example
        ("How do I stop people pushing straight to the default branch?", False),
        ("Is it slow, and what should I use instead?", False),  # two parts
    ],
)
def test_which_questions_are_answered_yes_or_no(question, yes_no):
    assert asks_yes_no(Query.parse(question)) is yes_no
