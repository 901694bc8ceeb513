"""A sentence naming another page for a neighbouring topic ("... the longer growth plan described
in [Fostering growth](growth.md)") does not hand a question about its own topic to that page:
only a pointer whose sentence shares a word with the question does."""

from __future__ import annotations

import pytest
from conftest import small_kb_assistant

from app.core.engine import Assistant

# One paragraph per line, as the KB writes them.
ONBOARDING = (
    "# Onboarding a junior developer\n\n"
    "## A 30/60/90-day plan\n\n"
    "A 30/60/90-day plan states what the junior developer should be able to do at each "
    "milestone, with evidence you can both observe. Write it together in the first week, keep "
    "it to one page, and review it at each milestone; it becomes the starting point for the "
    "longer growth plan described in [Fostering growth](growth.md).\n\n"
    "By day 60 they deliver a feature of two or three tickets from a specification, with "
    "failure-path tests.\n"
)

GROWTH = (
    "# Fostering growth\n\n"
    "## Writing a growth plan with concrete goals\n\n"
    "Keep a junior's goals small, reviewed every 30 days. Two or three goals that show up in "
    "daily work beat a list of eight that nobody remembers. Agree the goals together with the "
    "junior.\n"
)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"onboarding.md": ONBOARDING, "growth.md": GROWTH}
    return small_kb_assistant(tmp_path_factory.mktemp("linked-topic"), embedder, files)


def test_a_pointer_to_a_neighbouring_topic_keeps_the_lead(assistant):
    answer = assistant.ask("Day-60 goals for juniors?")
    assert answer.citations[0].chunk.source == "onboarding.md", answer.text[:200]
