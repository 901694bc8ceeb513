"""Grounded extractive answers: the sentences that best answer the question, each cited."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from app.passages import Unit, split_units
from app.render import inert_links
from app.retrieve import Hit
from ingest.chunk import Chunk
from ingest.keyword import tokenize

PASSAGES_USED = 3  # the top hits sentences are drawn from
MIN_CLOSENESS = 0.75  # a passage much less similar than the best one adds noise, not answers
MIN_WORDS = 60
TARGET_WORDS = 120
MAX_WORDS = 180
MAX_UNITS = 6
MAX_CODE_LINES = 30
CODE_INTENT = re.compile(r"\b(how|example|show|code|write|implement|snippet|sample|syntax)\b", re.I)
REFUSAL = "The knowledge base does not cover this question."
ANAPHORIC = re.compile(r"^(this|these|that|those|it|they|here|such|both)\b", re.I)
META = re.compile(r"^(this|the) (document|page|guide|section|article)\b", re.I)
MIN_SHARE_OF_BEST = 0.7  # once the answer has substance, skip units scoring under this share


@dataclass(frozen=True)
class Citation:
    n: int
    chunk: Chunk
    start_line: int
    end_line: int
    text: str  # lines start_line..end_line of the file, exactly
    quotes: tuple[str, ...]  # the cited units, for highlighting

    def to_json(self) -> dict:
        return {
            "n": self.n,
            "source": self.chunk.source,
            "anchor": self.chunk.anchor,
            "heading_path": self.chunk.heading_path,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "text": self.text,
        }

    def label(self) -> str:
        lines = (
            f"line {self.start_line}"
            if self.start_line == self.end_line
            else f"lines {self.start_line}–{self.end_line}"
        )
        return f"[{self.n}] {self.chunk.source} › {self.chunk.heading_path} ({lines})"


@dataclass
class Answer:
    question: str
    text: str
    refused: bool
    citations: list[Citation]
    hits: list[Hit]
    mode: str = "extractive"
    verified: bool = True  # False when an LLM answer carries no valid citation
    notice: str = ""
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "q": self.question,
            "answer": inert_links(self.text),  # quoted KB text may hold a javascript: link
            "refused": self.refused,
            "citations": [c.to_json() for c in self.citations],
            "sources": [
                {
                    "source": h.chunk.source,
                    "anchor": h.chunk.anchor,
                    "heading_path": h.chunk.heading_path,
                    "score": round(h.fused, 6),
                }
                for h in self.hits
            ],
        }

    def render(self) -> str:
        """Plain text for a terminal: the answer, then the cited sources."""
        if self.refused:
            closest = "\n".join(
                f"- {h.chunk.source} › {h.chunk.heading_path}" for h in self.hits[:3]
            )
            return f"{self.text}\n\nClosest sections:\n{closest}" if closest else self.text
        sources = "\n".join(c.label() for c in self.citations)
        notice = f"\n\n{self.notice}" if self.notice else ""
        return f"{inert_links(self.text)}{notice}\n\nSources:\n{sources}"


@dataclass(frozen=True)
class TermWeights:
    """Inverse document frequency of every token in the index; unseen words weigh most."""

    idf: dict[str, float]
    unknown: float
    words: dict[str, frozenset[str]]  # each chunk's tokens, by chunk id

    @classmethod
    def of(cls, chunks: list[Chunk]) -> TermWeights:
        words = {c.id: frozenset(tokenize(c.embed_text)) for c in chunks}
        df: Counter[str] = Counter()
        for tokens in words.values():
            df.update(tokens)
        n = len(chunks) or 1
        idf = {t: math.log(1 + n / c) for t, c in df.items()}
        return cls(idf, math.log(1 + 2 * n), words)

    def words_of(self, chunk: Chunk) -> frozenset[str]:
        return self.words.get(chunk.id) or frozenset(tokenize(chunk.embed_text))

    def __call__(self, token: str) -> float:
        return self.idf.get(token, self.unknown)


def coverage(query: set[str], tokens: set[str] | frozenset[str], weights: TermWeights) -> float:
    """Share of the question's (idf-weighted) words present in a passage."""
    total = sum(weights(t) for t in query)
    return sum(weights(t) for t in query & tokens) / total if total else 0.0


def _unit_score(unit: Unit, closeness: float, query: set[str], idf: TermWeights) -> float:
    """`closeness`: the passage's cosine similarity relative to the best passage's (0..1)."""
    tokens = set(tokenize(unit.quote))
    score = coverage(query, tokens, idf) + 0.35 * closeness**2
    if unit.lead:
        score += 0.15  # sections open with their main point
    words = len(unit.quote.split())
    if words < 6:
        score -= 0.2
    if unit.kind == "code":
        score -= 0.1
    if ANAPHORIC.match(unit.quote):
        score -= 0.15  # "This class...", "These rules..." need the sentence before them
    if META.match(unit.quote):
        score -= 0.3  # talks about the document, not the subject
    return score


def usable_passages(hits: list[Hit]) -> list[Hit]:
    """The top passages an answer may quote: the best hit; others of its document when nearly as
    similar; another document's passage only when it is more similar than the best hit. Mixing
    in weaker evidence mostly cites passages that merely share words with the question."""
    top = hits[0]
    return [
        h
        for h in hits[:PASSAGES_USED]
        if h is top
        or (h.chunk.source == top.chunk.source and h.dense >= MIN_CLOSENESS * top.dense)
        or h.dense > top.dense
    ]


def _pick(hits: list[Hit], question: str, idf: TermWeights) -> list[tuple[Hit, Unit]]:
    query = set(tokenize(question))
    want_code = bool(CODE_INTENT.search(question))
    scored = []
    top = max(hits[0].dense, 1e-6)
    for hit in usable_passages(hits):
        closeness = max(0.0, min(1.0, hit.dense / top))
        for unit in split_units(hit.chunk):
            if unit.kind == "code" and (not want_code or unit.text.count("\n") > MAX_CODE_LINES):
                continue
            scored.append((_unit_score(unit, closeness, query, idf), hit, unit))
    scored.sort(key=lambda s: (-s[0], s[1].rank, s[2].order))
    chosen: list[tuple[Hit, Unit]] = []
    words, has_code = 0, False
    best = scored[0][0] if scored else 0.0
    for score, hit, unit in scored:
        if words >= MIN_WORDS and score < MIN_SHARE_OF_BEST * best:
            break
        if unit.kind == "code":
            if has_code:
                continue
            has_code = True
        else:
            size = len(unit.quote.split())
            if chosen and words + size > MAX_WORDS:
                continue
            words += size
        chosen.append((hit, unit))
        if words >= TARGET_WORDS or len(chosen) >= MAX_UNITS:
            break
    chosen.sort(key=lambda pair: (pair[0].rank, pair[1].order))
    return chosen


def cite(chosen: list[tuple[Hit, Unit]]) -> list[Citation]:
    """One citation per chunk used, spanning the lines of its cited units."""
    by_chunk: dict[str, list[Unit]] = {}
    chunks: dict[str, Chunk] = {}
    for hit, unit in chosen:
        by_chunk.setdefault(hit.chunk.id, []).append(unit)
        chunks[hit.chunk.id] = hit.chunk
    citations = []
    for n, (cid, units) in enumerate(by_chunk.items(), 1):
        chunk = chunks[cid]
        first, last = min(u.start_line for u in units), max(u.end_line for u in units)
        lines = chunk.text.splitlines()[first - chunk.start_line : last - chunk.start_line + 1]
        citations.append(
            Citation(n, chunk, first, last, "\n".join(lines), tuple(u.quote for u in units))
        )
    return citations


def extractive_answer(question: str, hits: list[Hit], idf: TermWeights, covered: bool) -> Answer:
    """Quote the best sentences of the top passages, each followed by its [n] marker."""
    if not covered or not hits:
        return Answer(question, REFUSAL, True, [], hits)
    chosen = _pick(hits, question, idf)
    citations = cite(chosen)
    number = {c.chunk.id: c.n for c in citations}
    parts: list[str] = []
    for hit, unit in chosen:
        marker = f"[{number[hit.chunk.id]}]"
        if unit.kind == "code":
            parts.append(f"\n\n{unit.text}\n{marker}\n\n")
        else:
            parts.append(f"{unit.quote} {marker} ")
    text = re.sub(r"\n{3,}", "\n\n", "".join(parts)).strip()
    return Answer(question, text, False, citations, hits)
