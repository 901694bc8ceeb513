"""The chat UI driven through Streamlit's AppTest: real model, real index in tmp_path."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from llm_server import FakeLLM
from streamlit.testing.v1 import AppTest

from app.core import history

APP = str(Path(__file__).resolve().parent.parent / "app" / "ui" / "streamlit_app.py")
TIMEOUT = 60  # the first run loads the embedding model
DB_SESSION_QUESTION = "Where should I open and close a database session in FastAPI?"


def start(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def ask(at: AppTest, question: str) -> None:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception


def shown(markdown: str) -> str:
    """What a reader sees of our escaped markdown (the backslash escapes removed)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def text_of(node) -> str:
    return "\n".join(shown(m.value) for m in node.markdown)


def last_answer(at: AppTest):
    messages = at.chat_message
    assert messages[-1].name == "assistant"
    return messages[-1]


def test_answer_is_cited_and_its_section_opens(ui):
    at = start()
    assert "start with one of these" in text_of(at)
    ask(at, DB_SESSION_QUESTION)

    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    answer = last_answer(at)
    body = text_of(answer)
    # Each [n] is a link to the in-app view of its passage, with the source as its tooltip.
    assert re.search(
        r"\[\\\[1\\\]\]\(\?source=web/fastapi-basics\.md&lines=\d+-\d+ ", answer.markdown[0].value
    )
    assert "Sources" in body
    assert "web/fastapi-basics.md › FastAPI basics › Dependency injection with" in body
    assert ":orange-background[" in body  # the cited sentences are highlighted
    assert "database session" in body
    assert any("dense" in c.value and "fused" in c.value for c in answer.caption)
    assert answer.expander[0].label.startswith("Other retrieved passages")

    open_buttons = [b for b in at.button if b.label == "Open section"]
    assert open_buttons
    open_buttons[0].click().run()
    assert not at.exception
    page = text_of(at)
    # The dialog shows the whole section read from kb/, not just the cited lines.
    assert "Declare what an endpoint needs as a parameter" in page
    assert "Open the whole document in a new tab" in page


def test_a_typing_slip_is_answered_and_says_how_it_was_read(ui):
    at = start()
    ask(at, "Which things should I avoid mokcing in unit tests?")
    answer = last_answer(at)
    assert "Sources" in text_of(answer)
    captions = "\n".join(shown(c.value) for c in answer.caption)
    assert "read as “Which things should I avoid mocking in unit tests?”" in captions


def test_tell_me_more_goes_on_from_the_answer(ui):
    at = start()
    ask(at, "Which fixture scope suits an expensive resource like a model?")
    first = text_of(last_answer(at))
    more = [b for b in at.button if b.label == "Tell me more"]
    assert more  # under the answer
    more[0].click().run()
    assert not at.exception, at.exception
    assert [m.name for m in at.chat_message][-2:] == ["user", "assistant"]
    assert "Tell me more" in text_of(at.chat_message[-2])
    assert text_of(last_answer(at)) != first


def test_source_link_opens_the_document_view(ui):
    at = start(source="web/fastapi-basics.md", lines="31-32")
    assert at.header[0].value == "FastAPI basics"
    page = text_of(at)
    assert "Startup and shutdown with lifespan" in page
    assert ":orange-background[Use the `lifespan` async context manager" in page
    assert at.expander[0].label.startswith("Whole document")
    assert at.code[-1].value.startswith("# FastAPI basics")


def test_source_view_warns_when_the_file_changed_since_ingest(ui):
    path = ui.kb_dir / "web" / "fastapi-basics.md"
    path.write_text("# FastAPI basics\n\nRewritten.\n", encoding="utf-8")
    at = start(source="web/fastapi-basics.md", lines="31-32")
    assert "changed since the last ingest" in shown(at.warning[0].value)
    assert "Use the `lifespan` async context manager" in text_of(at)  # the indexed text


def test_source_view_refuses_paths_outside_the_index(ui):
    at = start(source="../../etc/passwd", lines="1-3")
    assert "is not a document of the current index" in shown(at.error[0].value)


def test_off_topic_question_is_refused_with_closest_sections(ui):
    at = start()
    ask(at, "What is the capital of France?")
    answer = last_answer(at)
    assert "does not cover" in answer.info[0].value
    assert "Closest sections" in "\n".join(c.value for c in answer.caption)
    assert "?source=" in text_of(answer)
    assert "Sources" not in text_of(answer)


def test_thanks_gets_a_reply_not_a_refusal(ui):
    at = start()
    ask(at, "thanks!")
    answer = last_answer(at)
    assert "Glad to help" in text_of(answer)
    assert not answer.info  # no "not covered" box, no closest sections
    assert not [b for b in at.button if b.label == "Tell me more"]


def test_example_question_button_asks_it(ui):
    at = start()
    examples = [b for b in at.button if b.key and b.key.startswith("example-")]
    assert examples
    examples[0].click().run()
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert shown(at.chat_message[0].markdown[0].value) == shown(examples[0].label)
    assert not any(b.key and b.key.startswith("example-") for b in at.button)


def test_section_filter_limits_the_sources(ui):
    at = start()
    assert at.selectbox(key="section").options == ["All sections", "practice", "web"]
    at.selectbox(key="section").select("practice").run()
    ask(at, "How should fixtures supply expensive resources to tests?")
    body = text_of(last_answer(at))
    assert "practice/testing.md" in body
    assert "web/" not in body


def test_first_start_without_an_index_builds_it_from_the_button(ui_env):
    at = start()
    assert "Re-ingest" in at.warning[0].value
    next(b for b in at.sidebar.button if b.label == "Re-ingest").click().run()
    assert not at.exception
    assert re.match(r"added [1-9]\d*, updated 0, removed 0", shown(at.sidebar.success[0].value))
    assert "start with one of these" in text_of(at)


def test_reingest_button_picks_up_an_edited_file(ui):
    at = start()
    assert "The index is up to date" in "\n".join(c.value for c in at.sidebar.caption)
    with (ui.kb_dir / "practice" / "testing.md").open("a", encoding="utf-8") as f:
        f.write(
            "\n## Snapshot tests\n\nA snapshot test compares output with a golden file "
            "stored next to the test, and fails when the two differ.\n"
        )
    at.run()
    assert "Changed since the last ingest:** 1 modified" in text_of(at.sidebar)
    listed = "\n".join(shown(c.value) for c in at.sidebar.caption)
    assert "- modified practice/testing.md" in listed

    next(b for b in at.sidebar.button if b.label == "Re-ingest").click().run()
    assert not at.exception
    assert "added 1, updated 0, removed 0" in shown(at.sidebar.success[0].value)
    assert "The index is up to date" in "\n".join(c.value for c in at.sidebar.caption)

    ask(at, "What does a snapshot test compare output with?")
    body = text_of(last_answer(at))
    assert "Testing practice › Snapshot tests" in body
    assert "golden file" in body


def test_history_survives_a_restart_and_feedback_is_stored(ui):
    at = start()
    ask(at, DB_SESSION_QUESTION)
    at.feedback[0].set_value(1).run()  # 👍
    at.text_input[0].input("Quoted the right section").run()
    assert not at.exception

    db = history.db_path(ui.data_dir)
    [chat] = history.list_conversations(db)
    answer_id = history.messages(db, chat.id)[1].id
    saved = history.get_feedback(db, answer_id)
    assert saved is not None
    assert (saved.rating, saved.comment, saved.question) == (
        "up",
        "Quoted the right section",
        DB_SESSION_QUESTION,
    )
    assert saved.answer.startswith(history.messages(db, chat.id)[1].content[:40])
    with sqlite3.connect(db) as raw:  # the chunk ids cited are stored as plain JSON
        (ids,) = raw.execute("SELECT chunk_ids FROM feedback").fetchone()
    assert json.loads(ids) and all(isinstance(i, str) for i in json.loads(ids))

    restarted = start()  # a new session: nothing in memory but the database
    assert restarted.chat_message.len == 0
    title = history.title_for(DB_SESSION_QUESTION)
    listed = [b for b in restarted.sidebar.button if shown(b.label) == title]
    assert listed, [b.label for b in restarted.sidebar.button]
    listed[0].click().run()
    assert [m.name for m in restarted.chat_message] == ["user", "assistant"]
    assert "Sources" in text_of(restarted.chat_message[1])
    assert restarted.feedback[0].value == 1  # the stored 👍 is shown again

    reloaded = start(chat=str(chat.id))  # a page reload keeps ?chat= in the address
    assert [m.name for m in reloaded.chat_message] == ["user", "assistant"]

    export = restarted.sidebar.get("download_button")[0]
    assert export.proto.label == "Export chat as markdown"

    delete = next(b for b in restarted.sidebar.button if b.key == f"delete-{chat.id}")
    delete.click().run()
    assert history.list_conversations(db) == []
    assert restarted.chat_message.len == 0


def test_export_has_the_answer_and_its_sources(ui):
    at = start()
    ask(at, DB_SESSION_QUESTION)
    db = history.db_path(ui.data_dir)
    [chat] = history.list_conversations(db)
    from app.core.render import export_markdown

    text = export_markdown(chat.title, history.messages(db, chat.id))
    assert text.startswith(f"# {DB_SESSION_QUESTION}")
    assert "Sources:" in text and "[1] kb/web/fastapi-basics.md#" in text
    assert "> A dependency that uses `yield`" in text


# ---- LLM mode, against a small OpenAI-compatible server on 127.0.0.1 ----


@pytest.fixture
def llm_server() -> Iterator[str]:
    with FakeLLM() as llm:
        llm.reply = "Open the session in a dependency that uses `yield` [1]."
        yield llm.url


def test_llm_mode_streams_a_verified_answer(ui, llm_server, monkeypatch):
    monkeypatch.setenv("KB_LLM", "openai")
    monkeypatch.setenv("KB_LLM_BASE_URL", llm_server)
    at = start()
    mode = at.sidebar.radio(key="mode")
    assert not mode.disabled and mode.value == "llm"
    ask(at, DB_SESSION_QUESTION)
    answer = last_answer(at)
    body = text_of(answer)
    assert "Open the session in a dependency that uses `yield`" in body
    assert "?source=" in answer.markdown[0].value  # the [1] the model wrote is linked
    assert "llm" in "\n".join(c.value for c in answer.caption)


def test_llm_mode_is_disabled_without_a_backend(ui):
    at = start()
    mode = at.sidebar.radio(key="mode")
    assert mode.disabled and mode.value == "extractive"
    assert "KB_LLM" in "\n".join(mode.proto.captions)


def test_kb_chat_listens_on_localhost_without_telemetry():
    from app.ui.chat import command

    cmd = command([])
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4].endswith("app/ui/streamlit_app.py")
    flags = dict(zip(cmd[5::2], cmd[6::2], strict=False))
    assert flags["--server.address"] == "127.0.0.1"
    assert flags["--server.port"] == "8501"
    assert flags["--browser.gatherUsageStats"] == "false"
    custom = command(["--port", "8600", "--address", "0.0.0.0", "--theme.base", "dark"])
    assert custom[custom.index("--server.port") + 1] == "8600"
    assert custom[custom.index("--server.address") + 1] == "0.0.0.0"
    assert custom[-2:] == ["--theme.base", "dark"]  # other options go to streamlit run
