"""The typed results of kb-mcp's tools: their JSON schemas are what agents see as outputSchema."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Passage(BaseModel):
    rank: int = Field(description="1 = best; aspects take turns, so each aspect's best comes first")
    aspect: str = Field(description="the part of the request this passage was retrieved for")
    source: str = Field(description="path of the document inside the KB, e.g. web/fastapi.md")
    anchor: str = Field(description="heading slug: source#anchor opens the section")
    heading_path: str = Field(description="the headings above the passage, joined by ' › '")
    start_line: int = Field(description="first line of the passage in the file (1-based)")
    end_line: int = Field(description="last line of the passage in the file")
    score: float = Field(description="fused rank score (reciprocal-rank fusion), for ordering")
    dense: float = Field(description="cosine similarity to the aspect, -1..1")
    keyword: float = Field(description="BM25 keyword score, 0 when no word matched")
    text: str = Field(description="lines start_line..end_line of the file, exactly")


class SearchResult(BaseModel):
    aspects: list[str] = Field(description="the separate requests found in the query, in order")
    passages: list[Passage]
    generation: str = Field(description="the index generation every passage came from")


class Citation(BaseModel):
    n: int
    source: str
    anchor: str
    heading_path: str
    start_line: int
    end_line: int
    text: str = Field(description="the cited lines, exactly as in the file")


class RankedSource(BaseModel):
    source: str
    anchor: str
    heading_path: str
    score: float


class AskResult(BaseModel):
    """Exactly the object `kb-ask --json` prints."""

    q: str
    answer: str = Field(description="sentences quoted from the KB, each followed by [n]")
    refused: bool = Field(description="true when the KB does not cover the question")
    citations: list[Citation] = Field(description="what the answer cites, by [n]")
    sources: list[RankedSource] = Field(description="everything retrieved, best first")


class SectionResult(BaseModel):
    source: str
    title: str
    heading_path: str = Field(description="the heading holding start_line")
    anchor: str
    start_line: int
    end_line: int
    text: str = Field(description="lines start_line..end_line, exactly")
    numbered: str = Field(description="the same lines, each prefixed with its line number")
    notice: str = Field(description="set when kb/ changed since the index was built")


class HeadingInfo(BaseModel):
    heading_path: str
    anchor: str
    start_line: int
    end_line: int


class DocumentEntry(BaseModel):
    source: str
    uri: str = Field(description="the document as an MCP resource")
    title: str
    section: str
    headings: list[HeadingInfo]


class DocumentList(BaseModel):
    documents: list[DocumentEntry]
    sections: list[str] = Field(description="values accepted by the section parameters")


class IngestResult(BaseModel):
    summary: str
    skipped: list[str]
    generation: str
