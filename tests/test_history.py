"""Chat history in real SQLite: concurrent sessions, deleted chats, owners, older databases."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from app.core import history

# The schema before chats had owners, as databases created then still have it.
OLD_SCHEMA = """
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL, created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')), content TEXT NOT NULL,
    answer_json TEXT, created_at TEXT NOT NULL
);
CREATE TABLE feedback (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    rating TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '', question TEXT NOT NULL,
    answer TEXT NOT NULL, chunk_ids TEXT NOT NULL, created_at TEXT NOT NULL
);
"""


def answer(question: str = "q") -> history.StoredAnswer:
    return history.StoredAnswer(question=question, text="An answer [1].", refused=False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "app.db"


def test_a_write_is_not_blocked_by_another_session_reading(db: Path) -> None:
    """Another session in the middle of reading (say, exporting a long chat) must not make a
    question fail with 'database is locked' or wait for the reader."""
    chat = history.create_conversation(db, "first question")
    history.add_message(db, chat, "user", "first question")
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM messages").fetchone()  # holds its read snapshot
    done, errors = threading.Event(), []

    def write() -> None:
        try:
            history.add_message(db, chat, "user", "second question")
        except Exception as exc:  # what the user would see as a traceback
            errors.append(exc)
        finally:
            done.set()

    writer = threading.Thread(target=write)
    writer.start()
    finished_while_reading = done.wait(timeout=60)
    reader.execute("ROLLBACK")
    reader.close()
    writer.join()
    assert not errors, errors
    assert finished_while_reading
    assert [m.content for m in history.messages(db, chat)] == ["first question", "second question"]


def test_many_sessions_writing_at_once_lose_nothing(db: Path) -> None:
    sessions, rounds, errors = 12, 15, []

    def session(n: int) -> None:
        try:
            for i in range(rounds):
                chat = history.create_conversation(db, f"s{n} q{i}")
                history.add_message(db, chat, "user", f"s{n} q{i}")
                message = history.add_message(db, chat, "assistant", "a", answer(f"s{n} q{i}"))
                history.set_feedback(db, message, "up")
                history.list_conversations(db)
                if i % 3 == 0:
                    history.delete_conversation(db, chat)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    kept = sessions * (rounds - len(range(0, rounds, 3)))
    chats = history.list_conversations(db, limit=10_000)
    assert len(chats) == kept
    assert all(len(history.messages(db, c.id)) == 2 for c in chats)
    assert len(history.all_feedback(db)) == kept
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_writing_to_a_deleted_chat_says_so(db: Path) -> None:
    chat = history.create_conversation(db, "q")
    message = history.add_message(db, chat, "assistant", "a", answer())
    history.delete_conversation(db, chat)
    with pytest.raises(history.ChatGone):
        history.add_message(db, chat, "user", "one more")
    with pytest.raises(history.ChatGone):
        history.set_feedback(db, message, "up")
    assert history.set_comment(db, message, "late comment") is False
    assert history.list_conversations(db) == []
    newer = history.create_conversation(db, "a new chat")  # ids are never given out twice
    newer_answer = history.add_message(db, newer, "assistant", "a", answer())
    assert (newer, newer_answer) != (chat, message)
    with pytest.raises(history.ChatGone):  # the stale tab still cannot rate it by accident
        history.set_feedback(db, message, "up")


def test_each_owner_sees_and_changes_only_their_own_chats(db: Path) -> None:
    ann = history.create_conversation(db, "ann's question", owner="ann")
    ann_answer = history.add_message(db, ann, "assistant", "a", answer(), owner="ann")
    bob = history.create_conversation(db, "bob's question", owner="bob")

    assert [c.id for c in history.list_conversations(db, "bob")] == [bob]
    assert history.get_conversation(db, ann, "bob") is None
    assert history.messages(db, ann, "bob") == []
    with pytest.raises(history.ChatGone):
        history.add_message(db, ann, "user", "sneaky", owner="bob")
    with pytest.raises(history.ChatGone):
        history.set_feedback(db, ann_answer, "down", owner="bob")
    history.delete_conversation(db, ann, "bob")  # not bob's: nothing happens

    history.set_feedback(db, ann_answer, "up", "useful", owner="ann")
    assert history.get_feedback(db, ann_answer, "bob") is None
    history.clear_feedback(db, ann_answer, "bob")
    saved = history.get_feedback(db, ann_answer, "ann")
    assert saved is not None and (saved.rating, saved.comment) == ("up", "useful")
    assert [c.id for c in history.list_conversations(db, "ann")] == [ann]


def test_a_database_from_before_owners_keeps_its_chats(db: Path) -> None:
    with sqlite3.connect(db) as raw:
        raw.executescript(OLD_SCHEMA)
        raw.execute(
            "INSERT INTO conversations VALUES (7, 'old chat', '2026-01-01T00:00:00Z', "
            "'2026-01-01T00:00:00Z')"
        )
        raw.execute(
            "INSERT INTO messages VALUES (1, 7, 'user', 'old question', NULL, "
            "'2026-01-01T00:00:00Z')"
        )
    raw.close()
    [old] = history.list_conversations(db)  # the local user ("") owns what was there
    assert (old.id, old.title) == (7, "old chat")
    assert [m.content for m in history.messages(db, 7)] == ["old question"]
    history.add_message(db, 7, "user", "a new question")
    assert history.list_conversations(db, "ann") == []
    history.delete_conversation(db, 7)
    assert history.create_conversation(db, "newer") > 7  # the old id is not reused


def test_a_chat_opened_with_small_talk_is_named_after_its_first_question(db: Path) -> None:
    """A chat opened with "hi" was listed as "hi" among past chats."""
    chat = history.create_conversation(db, "hi")
    history.add_message(db, chat, "user", "hi")
    history.add_message(db, chat, "assistant", "Hello.", answer("hi"))
    history.add_message(db, chat, "user", "How do I retry failed Celery tasks?")
    history.add_message(db, chat, "user", "thanks!")
    history.add_message(db, chat, "user", "And with arq?")
    (listed,) = history.list_conversations(db)
    assert listed.title == "How do I retry failed Celery tasks?"


def test_a_chat_is_not_named_after_a_turn_that_asks_nothing(db: Path) -> None:
    chat = history.create_conversation(db, "hi")
    for said in ("hi", "?", "Why?", "No"):
        history.add_message(db, chat, "user", said)
    (listed,) = history.list_conversations(db)
    assert listed.title == "hi"
