"""Pointers to another page ("... as discussed in [X](x.md)") and who leads the answer.

A sentence that says where the rest of its topic is ("...; its limits are in [X](x.md)") names
the page covering it as plainly as "covered in [X]": when that page is retrieved and answers
nearly as well, it leads. A sentence naming another page for a neighbouring topic ("... the
longer growth plan described in [Fostering growth](growth.md)") does not hand a question about
its own topic to that page: only a pointer whose sentence shares a word with the question does."""

from __future__ import annotations

import pytest
from conftest import plain, small_kb_assistant

from app.core.engine import Assistant

PATTERNS = """# FastAPI patterns

## BackgroundTasks versus a real task queue

`BackgroundTasks` runs a function in the same process after the response has been sent, which
suits short, best-effort work such as writing an audit line. It has no persistence and no
retries: if the process restarts, queued tasks vanish.

Use a real task queue such as Celery, not `BackgroundTasks`, for work triggered by a request
that must survive restarts, needs retries or runs for long.
"""

# One paragraph on one line, as the KB writes them: the pointer shares the line of the sentence
# that leads.
TESTING = (
    "# Testing recipes\n\n"
    "## BackgroundTasks as the simpler alternative\n\n"
    "Choose FastAPI's `BackgroundTasks` over Celery when work triggered by a request can wait "
    "for the response: it runs the function after the response is sent, within the same ASGI "
    "call. The test client returned only after it had finished; its limits are in "
    "[BackgroundTasks versus a real task queue]"
    "(patterns.md#backgroundtasks-versus-a-real-task-queue).\n"
)


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
    files = {
        "patterns.md": PATTERNS,
        "testing.md": TESTING,
        "onboarding.md": ONBOARDING,
        "growth.md": GROWTH,
    }
    return small_kb_assistant(tmp_path_factory.mktemp("linked-pointers"), embedder, files)


def test_a_sentence_saying_where_its_topic_s_limits_are_yields_to_that_page(assistant):
    question = "Should I use FastAPI BackgroundTasks or Celery for work triggered by a request?"
    answer = assistant.ask(question)
    text = plain(answer.text)
    assert answer.citations[0].chunk.source == "patterns.md", text[:200]
    assert "survive restarts" in text


def test_a_pointer_to_a_neighbouring_topic_keeps_the_lead(assistant):
    answer = assistant.ask("Day-60 goals for juniors?")
    assert answer.citations[0].chunk.source == "onboarding.md", answer.text[:200]
