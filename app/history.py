"""Chat history and answer feedback, kept in SQLite at <data_dir>/app.db."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.answer import Answer

TITLE_CHARS = 60
SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    answer_json TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, id);
CREATE TABLE IF NOT EXISTS feedback (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    chunk_ids TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


def db_path(data_dir: Path) -> Path:
    return data_dir / "app.db"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


_ready: set[Path] = set()  # databases whose schema this process has created


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A short-lived connection in one transaction; creates the file and schema on first use."""
    fresh = path not in _ready or not path.exists()
    if fresh:
        path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, timeout=10)) as db:
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        if fresh:
            db.executescript(SCHEMA)
            _ready.add(path)
        with db:
            yield db


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


def title_for(question: str) -> str:
    words = " ".join(question.split())
    return words if len(words) <= TITLE_CHARS else words[: TITLE_CHARS - 1].rstrip() + "…"


def create_conversation(path: Path, title: str) -> int:
    now = _now()
    with connect(path) as db:
        cursor = db.execute(
            "INSERT INTO conversations (title, created_at, updated_at) VALUES (?, ?, ?)",
            (title_for(title) or "New chat", now, now),
        )
        return int(cursor.lastrowid or 0)


def list_conversations(path: Path, limit: int = 200) -> list[Conversation]:
    """Most recently active first."""
    with connect(path) as db:
        rows = db.execute(
            "SELECT * FROM conversations ORDER BY updated_at DESC, id DESC LIMIT ?", (limit,)
        ).fetchall()
    return [Conversation(**dict(row)) for row in rows]


def get_conversation(path: Path, conversation_id: int) -> Conversation | None:
    with connect(path) as db:
        row = db.execute("SELECT * FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
    return Conversation(**dict(row)) if row else None


def delete_conversation(path: Path, conversation_id: int) -> None:
    """The conversation, its messages and their feedback."""
    with connect(path) as db:
        db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))


def add_message(
    path: Path,
    conversation_id: int,
    role: str,
    content: str,
    answer: StoredAnswer | None = None,
) -> int:
    now = _now()
    with connect(path) as db:
        cursor = db.execute(
            "INSERT INTO messages (conversation_id, role, content, answer_json, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (conversation_id, role, content, answer.to_json() if answer else None, now),
        )
        db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))
        return int(cursor.lastrowid or 0)


def messages(path: Path, conversation_id: int) -> list[Message]:
    with connect(path) as db:
        rows = db.execute(
            "SELECT * FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,)
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


def set_feedback(path: Path, message_id: int, rating: str, comment: str | None = None) -> None:
    """Record 👍 ("up") or 👎 ("down") on an answer; a later call replaces the rating."""
    if rating not in ("up", "down"):
        raise ValueError(f"rating must be 'up' or 'down', got {rating!r}")
    with connect(path) as db:
        row = db.execute(
            "SELECT content, answer_json, conversation_id FROM messages "
            "WHERE id = ? AND role = 'assistant'",
            (message_id,),
        ).fetchone()
        if row is None:
            raise ValueError(f"no answer with id {message_id}")
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


def set_comment(path: Path, message_id: int, comment: str) -> bool:
    """Attach a comment to existing feedback; False when the answer has no rating yet."""
    with connect(path) as db:
        cursor = db.execute(
            "UPDATE feedback SET comment = ? WHERE message_id = ?", (comment.strip(), message_id)
        )
        return cursor.rowcount > 0


def clear_feedback(path: Path, message_id: int) -> None:
    with connect(path) as db:
        db.execute("DELETE FROM feedback WHERE message_id = ?", (message_id,))


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


def get_feedback(path: Path, message_id: int) -> Feedback | None:
    with connect(path) as db:
        row = db.execute("SELECT * FROM feedback WHERE message_id = ?", (message_id,)).fetchone()
    return _feedback(row) if row else None


def all_feedback(path: Path) -> list[Feedback]:
    with connect(path) as db:
        rows = db.execute("SELECT * FROM feedback ORDER BY created_at, message_id").fetchall()
    return [_feedback(row) for row in rows]
