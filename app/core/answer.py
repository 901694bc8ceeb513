"""Grounded extractive answers: the sentences that best answer the question, each cited."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from app.core.compose import NO_CLEAR_ANSWER, PASSAGES_SCORED, choose
from app.core.example import with_example
from app.core.headings import release_captions, with_headings
from app.core.outline import Document, announced, keep_promises, next_piece, with_lead_ins
from app.core.parts import merge
from app.core.query import Query
from app.core.quote import Passage, opening, render, without_signposts
from app.core.remedy import with_remedy
from app.core.render import inert_links
from app.core.retrieve import Hit
from app.core.scorer import Scorer
from ingest.chunk import Chunk
from ingest.keyword import tokenize

REFUSAL = "The knowledge base does not cover this question."


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
        read = self.extra.get("read_as")  # a typing slip read as the KB's word
        read_as = f"(Read as: {read})\n\n" if read else ""
        listed = f"\n\nSources:\n{sources}" if sources else ""
        return f"{read_as}{inert_links(self.text)}{notice}{listed}"


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


def cite(passages: list[Passage]) -> list[Citation]:
    """One citation per chunk quoted, spanning the lines of its quoted units."""
    citations = []
    for n, passage in enumerate(passages, 1):
        chunk, units = passage.hit.chunk, passage.units
        first, last = min(u.start_line for u in units), max(u.end_line for u in units)
        lines = chunk.text.splitlines()[first - chunk.start_line : last - chunk.start_line + 1]
        citations.append(
            Citation(n, chunk, first, last, "\n".join(lines), tuple(u.quote for u in units))
        )
    return citations


def answer_of(question: str, passages: list[Passage], hits: list[Hit]) -> Answer:
    """An answer quoting `passages` as they stand, each cited [n]."""
    citations = cite(passages)
    markers = {c.chunk.id: c.n for c in citations}
    return Answer(question, render(passages, markers), False, citations, hits)


def quotable(query: Query, hits: list[Hit], hubs: Collection[str]) -> list[Hit]:
    """The hits an answer may quote: a hub's passage (a changelog's list of commits names every
    topic in passing) only when it is the best hit or the question asks about the project's
    history ("Which version first supports Python 3.14?"). A release note quoted for "what
    guidelines should I follow for a pull request?" lost to the contributing guide below it."""
    if not hubs or "history" in query.intents:
        return hits
    return [h for h in hits if h.rank == 1 or h.chunk.source not in hubs]


def extractive_answer(
    question: str | Query,
    hits: list[Hit],
    idf: TermWeights,
    covered: bool,
    scorer: Scorer | None = None,
    part_hits: list[list[Hit]] | None = None,
    document: Document | None = None,
    hubs: Collection[str] = (),
    changelogs: Collection[str] = (),
) -> Answer:
    """Quote the passage that answers the question (see app/core/compose.py), cited [n]; when no
    unit clearly answers, say so and show the best section's opening. `part_hits`: each part's
    own search, for a two-part question (app/core/parts.py). With `document` (a source's
    chunks), items the quote announces in child sections are listed too, and a lead-in's list
    or code that opens the section's next chunk is quoted from there. `hubs`: changelogs and
    other pages that mention every topic (retrieve.hub_sources); see quotable(). `changelogs`:
    the hubs shaped like a changelog, whose quoted lines show their release above them."""
    query = question if isinstance(question, Query) else Query.parse(question)
    if not covered or not hits:
        return Answer(query.text, REFUSAL, True, [], hits)
    shown = quotable(query, hits, hubs)
    if part_hits is not None:
        part_hits = [quotable(query, own, hubs) for own in part_hits]
    passages = choose(query, shown, idf, scorer, part_hits, document)
    clear = bool(passages)
    if not clear:
        section = opening(shown)
        if section is None:  # no retrieved section has any prose to show
            return Answer(query.text, REFUSAL, True, [], hits)
        passages = [section]
    elif document is not None:
        passages = passages + announced(passages, document)
        passages = next_piece(passages, shown[:PASSAGES_SCORED], document)
        passages = with_remedy(query, passages, document)
        passages = merge(with_lead_ins(passages, document))
    # A promise's code may be what a later passage quotes already (the next piece): once.
    passages = merge(keep_promises(passages, document, "example" in query.intents))
    if clear:
        passages = with_example(query, passages, document)
    passages = without_signposts(passages)
    if clear:
        passages = with_headings(query, passages)
    citations = cite(passages)
    markers = {c.chunk.id: c.n for c in citations}
    text = render(passages, markers, release_captions(passages, changelogs))
    if not clear:
        heading = passages[0].hit.chunk.heading_path
        text = f"{NO_CLEAR_ANSWER} “{heading}” [1].\n\n{text}"
    answer = Answer(query.text, text, False, citations, hits)
    answer.extra["clear"] = clear
    return answer
