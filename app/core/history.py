"""Chat history and answer feedback, kept in SQLite at <data_dir>/app.db.

Several browser sessions (and processes) share the file: it runs in WAL mode, so readers never
block the writer, every write is one short `BEGIN IMMEDIATE` transaction, and a busy database
is waited for (BUSY_TIMEOUT_S) instead of failing. Each chat belongs to an owner (the signed-in
name, "" when the chat runs for one local user): every read and write takes the owner and
never touches another owner's chats or feedback.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.chatter import reply_to
from app.core.query import names_something

if TYPE_CHECKING:
    from app.core.answer import Answer

TITLE_CHARS = 60
BUSY_TIMEOUT_S = 30.0
# AUTOINCREMENT: an id is never given out twice, so a tab still showing a deleted chat or
# answer can never write into a newer one that happens to get the same id.
TABLES = {
    "conversations": """(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT ''
)""",
    "messages": """(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    answer_json TEXT,
    created_at TEXT NOT NULL
)""",
    "feedback": """(
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    chunk_ids TEXT NOT NULL,
    created_at TEXT NOT NULL
)""",
}
INDEXES = (
    "CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, id)",
    "CREATE INDEX IF NOT EXISTS conversations_by_owner ON conversations(owner, updated_at)",
)


def db_path(data_dir: Path) -> Path:
    return data_dir / "app.db"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class ChatGone(LookupError):
    """The chat was deleted (in another tab, say) or belongs to someone else."""


_ready: set[Path] = set()  # databases this process has prepared (WAL, schema, migration)
_ready_lock = threading.Lock()


def _prepare(db: sqlite3.Connection) -> None:
    """WAL mode (kept in the file), the schema, and the migration of older databases: chats
    get an owner ("", the local user) and ids that are never reused."""
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA foreign_keys = OFF")  # while tables are rebuilt
    db.execute("BEGIN IMMEDIATE")
    try:
        columns = {row[1] for row in db.execute("PRAGMA table_info(conversations)")}
        if columns and "owner" not in columns:
            db.execute("ALTER TABLE conversations ADD COLUMN owner TEXT NOT NULL DEFAULT ''")
        for table, definition in TABLES.items():
            row = db.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()
            if row is None:
                db.execute(f"CREATE TABLE {table} {definition}")
            elif table != "feedback" and "AUTOINCREMENT" not in row[0].upper():
                db.execute(f"CREATE TABLE {table}_new {definition}")
                db.execute(f"INSERT INTO {table}_new SELECT * FROM {table}")
                db.execute(f"DROP TABLE {table}")
                db.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
        for statement in INDEXES:
            db.execute(statement)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    finally:
        db.execute("PRAGMA foreign_keys = ON")


@contextmanager
def connect(path: Path, write: bool = False) -> Iterator[sqlite3.Connection]:
    """A short-lived connection; with `write`, one immediate transaction, committed at the end.

    Reads run without a transaction of their own: one SELECT sees one consistent snapshot.
    """
    fresh = path not in _ready or not path.exists()
    if fresh:
        path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)) as db:
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        if fresh:
            with _ready_lock:
                _prepare(db)
                _ready.add(path)
        if not write:
            yield db
            return
        db.execute("BEGIN IMMEDIATE")  # take the write lock now: no deadlock on upgrade
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


# ---- the stored form of an answer: enough to render it again after a restart ----


@dataclass(frozen=True)
class StoredPassage:
    chunk_id: str
    source: str
    anchor: str
    heading_path: str
    start_line: int  # of the chunk
    end_line: int
    text: str  # the chunk text


@dataclass(frozen=True)
class StoredCitation:
    n: int
    passage: StoredPassage
    start_line: int  # of the cited lines
    end_line: int
    text: str  # the cited lines
    quotes: tuple[str, ...]


@dataclass(frozen=True)
class StoredHit:
    passage: StoredPassage
    dense: float
    keyword: float
    fused: float
    rank: int


@dataclass(frozen=True)
class StoredAnswer:
    question: str
    text: str
    refused: bool
    mode: str = "extractive"
    verified: bool = True
    notice: str = ""
    citations: tuple[StoredCitation, ...] = ()
    hits: tuple[StoredHit, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_answer(cls, answer: Answer, **extra: Any) -> StoredAnswer:
        def passage(chunk) -> StoredPassage:
            return StoredPassage(
                chunk.id,
                chunk.source,
                chunk.anchor,
                chunk.heading_path,
                chunk.start_line,
                chunk.end_line,
                chunk.text,
            )

        return cls(
            question=answer.question,
            text=answer.text,
            refused=answer.refused,
            mode=answer.mode,
            verified=answer.verified,
            notice=answer.notice,
            citations=tuple(
                StoredCitation(
                    c.n, passage(c.chunk), c.start_line, c.end_line, c.text, tuple(c.quotes)
                )
                for c in answer.citations
            ),
            hits=tuple(
                StoredHit(passage(h.chunk), h.dense, h.keyword, h.fused, h.rank)
                for h in answer.hits
            ),
            extra={**answer.extra, **extra},
        )

    @property
    def cited_ids(self) -> list[str]:
        return [c.passage.chunk_id for c in self.citations]

    def uncited_hits(self) -> list[StoredHit]:
        cited = set(self.cited_ids)
        return [h for h in self.hits if h.passage.chunk_id not in cited]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> StoredAnswer:
        data = json.loads(raw)
        citations = tuple(
            StoredCitation(
                c["n"],
                StoredPassage(**c["passage"]),
                c["start_line"],
                c["end_line"],
                c["text"],
                tuple(c["quotes"]),
            )
            for c in data.pop("citations")
        )
        hits = tuple(
            StoredHit(
                StoredPassage(**h["passage"]), h["dense"], h["keyword"], h["fused"], h["rank"]
            )
            for h in data.pop("hits")
        )
        return cls(citations=citations, hits=hits, **data)


# ---- conversations and messages ----


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: int
    role: str  # "user" or "assistant"
    content: str
    answer: StoredAnswer | None
    created_at: str


@dataclass(frozen=True)
class Feedback:
    message_id: int
    rating: str  # "up" or "down"
    comment: str
    question: str
    answer: str
    chunk_ids: tuple[str, ...]
    created_at: str


def _small_talk_title(db: sqlite3.Connection, conversation_id: int) -> bool:
    """The chat is named after small talk ("hi", "thanks!"), not a question."""
    row = db.execute("SELECT title FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
    return row is not None and reply_to(row[0]) is not None


def title_for(question: str) -> str:
    words = " ".join(question.split())
    return words if len(words) <= TITLE_CHARS else words[: TITLE_CHARS - 1].rstrip() + "…"


def create_conversation(path: Path, title: str, owner: str = "") -> int:
    now = _now()
    with connect(path, write=True) as db:
        cursor = db.execute(
            "INSERT INTO conversations (title, created_at, updated_at, owner) VALUES (?, ?, ?, ?)",
            (title_for(title) or "New chat", now, now, owner),
        )
        return int(cursor.lastrowid or 0)


def _conversation(row: sqlite3.Row) -> Conversation:
    return Conversation(row["id"], row["title"], row["created_at"], row["updated_at"])


def list_conversations(path: Path, owner: str = "", limit: int = 200) -> list[Conversation]:
    """The owner's chats, most recently active first."""
    with connect(path) as db:
        rows = db.execute(
            "SELECT * FROM conversations WHERE owner = ? ORDER BY updated_at DESC, id DESC LIMIT ?",
            (owner, limit),
        ).fetchall()
    return [_conversation(row) for row in rows]


def get_conversation(path: Path, conversation_id: int, owner: str = "") -> Conversation | None:
    """The chat, or None when it does not exist or is someone else's."""
    with connect(path) as db:
        row = db.execute(
            "SELECT * FROM conversations WHERE id = ? AND owner = ?", (conversation_id, owner)
        ).fetchone()
    return _conversation(row) if row else None


def delete_conversation(path: Path, conversation_id: int, owner: str = "") -> None:
    """The conversation, its messages and their feedback."""
    with connect(path, write=True) as db:
        db.execute("DELETE FROM conversations WHERE id = ? AND owner = ?", (conversation_id, owner))


def add_message(
    path: Path,
    conversation_id: int,
    role: str,
    content: str,
    answer: StoredAnswer | None = None,
    owner: str = "",
) -> int:
    """Append to the owner's chat; ChatGone when it was deleted meanwhile."""
    now = _now()
    with connect(path, write=True) as db:
        touched = db.execute(
            "UPDATE conversations SET updated_at = ? WHERE id = ? AND owner = ?",
            (now, conversation_id, owner),
        )
        if touched.rowcount == 0:
            raise ChatGone(f"chat {conversation_id} no longer exists")
        if role == "user" and names_something(content) and _small_talk_title(db, conversation_id):
            db.execute(  # a chat opened with "hi" is named after its first question
                "UPDATE conversations SET title = ? WHERE id = ?",
                (title_for(content), conversation_id),
            )
        cursor = db.execute(
            "INSERT INTO messages (conversation_id, role, content, answer_json, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (conversation_id, role, content, answer.to_json() if answer else None, now),
        )
        return int(cursor.lastrowid or 0)


def messages(path: Path, conversation_id: int, owner: str = "") -> list[Message]:
    with connect(path) as db:
        rows = db.execute(
            "SELECT m.* FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            "WHERE m.conversation_id = ? AND c.owner = ? ORDER BY m.id",
            (conversation_id, owner),
        ).fetchall()
    return [
        Message(
            row["id"],
            row["conversation_id"],
            row["role"],
            row["content"],
            StoredAnswer.from_json(row["answer_json"]) if row["answer_json"] else None,
            row["created_at"],
        )
        for row in rows
    ]


# ---- feedback ----


# Feedback rows whose answer is in a chat of the owner given as the next parameter.
_OWNED = (
    "message_id IN (SELECT m.id FROM messages m JOIN conversations c "
    "ON c.id = m.conversation_id WHERE c.owner = ?)"
)


OWNED_ANSWER = (
    "SELECT m.content, m.answer_json FROM messages m "
    "JOIN conversations c ON c.id = m.conversation_id "
    "WHERE m.id = ? AND m.role = 'assistant' AND c.owner = ?"
)


def set_feedback(
    path: Path, message_id: int, rating: str, comment: str | None = None, owner: str = ""
) -> None:
    """Record 👍 ("up") or 👎 ("down") on an answer; a later call replaces the rating.

    ChatGone when the answer no longer exists (its chat was deleted) or is someone else's.
    """
    if rating not in ("up", "down"):
        raise ValueError(f"rating must be 'up' or 'down', got {rating!r}")
    with connect(path, write=True) as db:
        row = db.execute(OWNED_ANSWER, (message_id, owner)).fetchone()
        if row is None:
            raise ChatGone(f"no answer with id {message_id}")
        answer = StoredAnswer.from_json(row["answer_json"]) if row["answer_json"] else None
        question = answer.question if answer else ""
        db.execute(
            "INSERT INTO feedback (message_id, rating, comment, question, answer, chunk_ids, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (message_id) DO UPDATE SET rating = excluded.rating, "
            "comment = CASE WHEN ? IS NULL THEN feedback.comment ELSE excluded.comment END, "
            "created_at = excluded.created_at",
            (
                message_id,
                rating,
                comment or "",
                question,
                row["content"],
                json.dumps(answer.cited_ids if answer else []),
                _now(),
                comment,
            ),
        )


def set_comment(path: Path, message_id: int, comment: str, owner: str = "") -> bool:
    """Attach a comment to existing feedback; False when the answer has no rating (any more)."""
    with connect(path, write=True) as db:
        cursor = db.execute(
            f"UPDATE feedback SET comment = ? WHERE message_id = ? AND {_OWNED}",
            (comment.strip(), message_id, owner),
        )
        return cursor.rowcount > 0


def clear_feedback(path: Path, message_id: int, owner: str = "") -> None:
    with connect(path, write=True) as db:
        db.execute(f"DELETE FROM feedback WHERE message_id = ? AND {_OWNED}", (message_id, owner))


def _feedback(row: sqlite3.Row) -> Feedback:
    return Feedback(
        row["message_id"],
        row["rating"],
        row["comment"],
        row["question"],
        row["answer"],
        tuple(json.loads(row["chunk_ids"])),
        row["created_at"],
    )


def get_feedback(path: Path, message_id: int, owner: str = "") -> Feedback | None:
    with connect(path) as db:
        row = db.execute(
            f"SELECT * FROM feedback WHERE message_id = ? AND {_OWNED}", (message_id, owner)
        ).fetchone()
    return _feedback(row) if row else None


def all_feedback(path: Path) -> list[Feedback]:
    """Everyone's feedback, for whoever reviews answer quality from the database."""
    with connect(path) as db:
        rows = db.execute("SELECT * FROM feedback ORDER BY created_at, message_id").fetchall()
    return [_feedback(row) for row in rows]
