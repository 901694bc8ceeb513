"""A sentence that says where the rest of its topic is ("...; its limits are in [X](x.md)")
names the page covering the topic as plainly as "covered in [X]": when that page is retrieved
and answers nearly as well, it leads."""

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


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"patterns.md": PATTERNS, "testing.md": TESTING}
    return small_kb_assistant(tmp_path_factory.mktemp("linked-limits"), embedder, files)


def test_a_sentence_saying_where_its_topic_s_limits_are_yields_to_that_page(assistant):
    answer = assistant.ask(
        "Should I use FastAPI BackgroundTasks or Celery for work triggered by a request?"
    )
    text = plain(answer.text)
    assert answer.citations[0].chunk.source == "patterns.md", text[:200]
    assert "survive restarts" in text
