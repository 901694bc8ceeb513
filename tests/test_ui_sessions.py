"""The chat UI with several sessions (AppTest): deleted chats, crafted links, sign-in, owners,
and a sidebar that does not re-read the whole KB on every rerun."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from test_ui import DB_SESSION_QUESTION, ask, last_answer, shown, start, text_of

from app.core import history
from app.ui.chat import command, main

PASSWORD = "correct horse battery staple"


def notices(at) -> str:
    return "\n".join(shown(i.value) for i in at.info)


def test_chat_deleted_in_another_tab_starts_a_new_chat(ui):
    db = history.db_path(ui.data_dir)
    first = start()
    ask(first, DB_SESSION_QUESTION)
    [chat] = history.list_conversations(db)
    other = start(chat=str(chat.id))  # the same chat in a second tab
    next(b for b in other.sidebar.button if b.key == f"delete-{chat.id}").click().run()
    assert history.list_conversations(db) == []

    first.feedback[0].set_value(1).run()  # rating an answer whose chat is gone
    assert not first.exception, first.exception
    assert "rating was not saved" in notices(first)
    assert history.all_feedback(db) == []

    ask(first, "How should fixtures supply expensive resources to tests?")
    [fresh] = history.list_conversations(db)
    assert fresh.id != chat.id
    assert [m.role for m in history.messages(db, fresh.id)] == ["user", "assistant"]
    assert [m.name for m in first.chat_message] == ["user", "assistant"]


@pytest.mark.parametrize(
    "link", ["²", "99999999999999999999", "9223372036854775808", "-1", " 1", "1e3", "0x1", "٣"]
)
def test_crafted_chat_links_open_a_new_chat(ui, link):
    at = start(chat=link)
    assert "names no chat of yours" in notices(at)
    assert at.chat_message.len == 0 and at.chat_input
    assert "chat" not in at.query_params


def test_sign_in_comes_before_anything_else(ui, monkeypatch):
    monkeypatch.setenv("KB_CHAT_PASSWORD", PASSWORD)
    at = start(source="web/fastapi-basics.md", lines="1-3")  # even a direct source link
    assert not at.chat_input and not at.sidebar.button and not at.header
    assert [t.label for t in at.text_input] == ["Your name", "Password"]

    at.text_input[0].input("Ann")
    at.text_input[1].input("wrong password")
    at.button[0].click().run()
    assert "Wrong password" in at.error[0].value
    assert not at.chat_input

    sign_in(at, "Ann")
    assert at.header[0].value == "FastAPI basics"


def sign_in(at, name: str) -> None:
    at.text_input[0].input(name)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception


def test_each_person_sees_only_their_own_chats(ui, monkeypatch):
    monkeypatch.setenv("KB_CHAT_PASSWORD", PASSWORD)
    db = history.db_path(ui.data_dir)
    ann = start()
    sign_in(ann, "Ann")
    ask(ann, DB_SESSION_QUESTION)
    ann.feedback[0].set_value(0).run()
    [chat] = history.list_conversations(db, "ann")

    bob = start(chat=str(chat.id))  # Bob got hold of Ann's link
    sign_in(bob, "Bob")
    assert bob.chat_message.len == 0
    assert "names no chat of yours" in notices(bob)
    assert not [b for b in bob.sidebar.button if b.key == f"delete-{chat.id}"]
    ask(bob, DB_SESSION_QUESTION)
    assert len(history.list_conversations(db, "bob")) == 1
    assert [c.id for c in history.list_conversations(db, "ann")] == [chat.id]
    assert bob.feedback[0].value is None  # Ann's 👎 is hers

    again = start()
    sign_in(again, "  ann ")  # the same person, typed differently
    listed = [b for b in again.sidebar.button if b.key == f"chat-{chat.id}"]
    assert listed
    listed[0].click().run()
    assert again.feedback[0].value == 0


def test_kb_chat_refuses_to_listen_beyond_loopback_without_a_password(
    monkeypatch, capsys, tmp_path
):
    monkeypatch.delenv("KB_CHAT_PASSWORD", raising=False)
    monkeypatch.chdir(tmp_path)
    for argv in (["--address", "0.0.0.0"], ["--server.address", "192.0.2.1"], ["--address", ""]):
        assert main(argv) == 1
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and "KB_CHAT_PASSWORD" in error, error
    flags = command(["--address", "0.0.0.0"])
    assert flags[flags.index("--client.showErrorDetails") + 1] == "none"


def test_streamlit_config_hides_error_details():
    import tomllib

    config = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"
    assert tomllib.loads(config.read_text())["client"]["showErrorDetails"] == "none"


class FileReads:
    """Counts files under a folder that this process opens (a real audit hook, no mock)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.count, self.on = str(folder.resolve()), 0, False
        sys.addaudithook(self.hook)  # hooks cannot be removed: `on` turns this one off

    def hook(self, event: str, args: tuple) -> None:
        if self.on and event == "open" and isinstance(args[0], str | Path):
            if str(args[0]).startswith(self.folder):
                self.count += 1


def test_sidebar_rerun_does_not_reread_the_knowledge_base(ui):
    reads = FileReads(ui.kb_dir)
    at = start()
    ask(at, DB_SESSION_QUESTION)
    reads.on = True
    at.run()
    at.run()
    reads.on = False
    assert reads.count == 0
    assert "The index is up to date" in "\n".join(c.value for c in at.sidebar.caption)

    with (ui.kb_dir / "web" / "fastapi-basics.md").open("a", encoding="utf-8") as f:
        f.write("\nOne more line.\n")
    at.run()  # an edit is still noticed at once
    assert "Changed since the last ingest:** 1 modified" in text_of(at.sidebar)
    assert "Sources" in text_of(last_answer(at))
