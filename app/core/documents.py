"""Documents and sections of the indexed KB, read back exactly as they stand in kb/: the chat's
section view and the MCP server's list_documents and read_section use these."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.chunk import PATH_SEP, Chunk
from ingest.errors import BadRequest, KBError
from ingest.load import Document, read_document
from ingest.sync import file_digest

MAX_SECTION_LINES = 2000  # longer ranges are refused: ask for a section or a smaller range
WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")


def sections(chunks: Sequence[Chunk]) -> list[str]:
    """The top-level folders of the KB that hold indexed documents (the section filter)."""
    return sorted({c.source.split("/", 1)[0] for c in chunks if "/" in c.source})


@dataclass(frozen=True)
class Section:
    source: str
    title: str
    heading_path: str
    anchor: str
    start_line: int
    end_line: int
    chunks: tuple[Chunk, ...]


def find_section(chunks: Sequence[Chunk], source: str, line: int) -> Section | None:
    """The section holding a line: its own text plus its subsections (the document's intro
    alone when the line is under the title)."""
    own = sorted((c for c in chunks if c.source == source), key=lambda c: c.start_line)
    if not own:
        return None
    at = next((c for c in own if c.start_line <= line <= c.end_line), None)
    if at is None:  # between chunks (a blank line): the closest chunk before it
        before = [c for c in own if c.start_line <= line]
        at = before[-1] if before else own[0]
    path = at.heading_path
    nested = PATH_SEP in path
    members = tuple(
        c
        for c in own
        if c.heading_path == path or (nested and c.heading_path.startswith(path + PATH_SEP))
    )
    return Section(
        source,
        at.title,
        path,
        at.anchor,
        min(c.start_line for c in members),
        max(c.end_line for c in members),
        members,
    )


@dataclass(frozen=True)
class SectionText:
    text: str
    start_line: int
    notice: str = ""  # why the indexed copy is shown instead of the file


def section_text(
    kb_dir: Path, indexed_digest: str | None, section: Section, max_bytes: int
) -> SectionText:
    """The section's lines from kb/, or from the index when the file changed since then."""
    document = read_source(kb_dir, section.source, max_bytes)
    if isinstance(document, Document) and indexed_digest == file_digest(document.text):
        lines = document.text.splitlines()[section.start_line - 1 : section.end_line]
        return SectionText("\n".join(lines), section.start_line)
    reason = (
        f"kb/{section.source} changed since the last ingest"
        if isinstance(document, Document)
        else str(document)
    )
    lines_by_number: dict[int, str] = {}
    for chunk in section.chunks:
        for offset, line in enumerate(chunk.text.splitlines()):
            lines_by_number[chunk.start_line + offset] = line
    lines = [lines_by_number.get(n, "") for n in range(section.start_line, section.end_line + 1)]
    return SectionText(
        "\n".join(lines),
        section.start_line,
        f"{reason}; showing the indexed text (re-ingest to refresh).",
    )


def read_source(kb_dir: Path, source: str, max_bytes: int) -> Document | KBError:
    """A KB file by its index path; never a file outside the KB folder."""
    root = kb_dir.resolve()
    path = (root / source).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return KBError(f"kb/{source} is no longer in the knowledge base")
    item = read_document(path, root, max_bytes)
    return item if isinstance(item, Document) else KBError(f"kb/{source}: {item.reason}")


# ---- documents and exact text for agents (kb-mcp) ----


@dataclass(frozen=True)
class Heading:
    heading_path: str
    anchor: str
    start_line: int
    end_line: int


@dataclass(frozen=True)
class DocumentInfo:
    source: str
    title: str
    section: str  # top-level folder ("" for files at the top of kb/)
    headings: tuple[Heading, ...]


def check_source(source: str) -> str:
    """A KB-relative path as the index names it; anything that could leave the KB is refused."""
    shown = source if len(source) <= 120 else source[:117] + "..."
    if not source.strip():
        raise BadRequest("source is empty: give a path such as web/fastapi-basics.md")
    if "\x00" in source or "\\" in source:
        raise BadRequest(f"source {shown!r} is not a KB path (use forward slashes)")
    if source.startswith("/") or WINDOWS_DRIVE.match(source) or source.startswith("~"):
        raise BadRequest(f"source {shown!r} is an absolute path; give a path relative to the KB")
    if ".." in source.split("/"):
        raise BadRequest(f"source {shown!r} leaves the KB folder ('..' is not allowed)")
    return source


def known_source(chunks: Sequence[Chunk], source: str) -> list[Chunk]:
    """The indexed chunks of one document, in file order, or BadRequest naming the source."""
    check_source(source)
    own = sorted((c for c in chunks if c.source == source), key=lambda c: c.start_line)
    if not own:
        raise BadRequest(f"unknown source {source!r}: list_documents shows the indexed documents")
    return own


def check_section(chunks: Sequence[Chunk], section: str | None) -> str | None:
    """None (the whole KB) or one of the KB's top-level folders."""
    if section is None or not section.strip():
        return None
    known = sections(chunks)
    if section not in known:
        raise BadRequest(f"unknown section {section!r}; sections: {', '.join(known)}")
    return section


def documents(chunks: Sequence[Chunk], section: str | None = None) -> list[DocumentInfo]:
    """Every indexed document (optionally of one section) with its title and headings."""
    section = check_section(chunks, section)
    by_source: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        if section is None or chunk.source.startswith(section + "/"):
            by_source.setdefault(chunk.source, []).append(chunk)
    out = []
    for source in sorted(by_source):
        spans: dict[tuple[str, str], list[int]] = {}
        for chunk in sorted(by_source[source], key=lambda c: c.start_line):
            span = spans.setdefault((chunk.heading_path, chunk.anchor), [chunk.start_line, 0])
            span[1] = max(span[1], chunk.end_line)
        headings = tuple(Heading(path, anchor, a, b) for (path, anchor), (a, b) in spans.items())
        first = by_source[source][0]
        top = source.split("/", 1)[0] if "/" in source else ""
        out.append(DocumentInfo(source, first.title, top, headings))
    return out


def read_lines(
    kb_dir: Path,
    chunks: Sequence[Chunk],
    indexed_digest: str | None,
    source: str,
    anchor: str | None = None,
    start_line: int | None = None,
    end_line: int | None = None,
    max_bytes: int = 10 * 1024 * 1024,
    max_lines: int | None = MAX_SECTION_LINES,
) -> tuple[Section, SectionText]:
    """Exact lines of a document: a heading's section (by anchor), a line range, or the whole
    file. Line numbers are the file's as indexed; BadRequest for anything out of range."""
    own = known_source(chunks, source)
    if anchor is not None and (start_line is not None or end_line is not None):
        raise BadRequest("give an anchor or a line range, not both")
    if anchor is not None:
        at = next((c for c in own if c.anchor == anchor.lstrip("#")), None)
        if at is None:
            raise BadRequest(
                f"no heading with anchor {anchor!r} in {source}: "
                "list_documents shows each document's anchors"
            )
        found = find_section(own, source, at.start_line)
        assert found is not None  # `own` holds the chunk at that line
        section = found
    else:
        last = _line_count(kb_dir, own, indexed_digest, source, max_bytes)
        first = 1 if start_line is None else start_line
        final = last if end_line is None else end_line
        if not 1 <= first <= final <= last:
            raise BadRequest(
                f"line range {start_line}–{end_line} is outside {source} "
                f"(lines 1–{last}, start_line ≤ end_line)"
            )
        if max_lines is not None and final - first + 1 > max_lines:
            raise BadRequest(
                f"{final - first + 1} lines requested; at most {max_lines} at a time "
                "(read a section by its anchor, or a smaller range)"
            )
        overlapping = tuple(c for c in own if c.start_line <= final and c.end_line >= first)
        holder = find_section(own, source, first)
        assert holder is not None
        section = Section(
            source, own[0].title, holder.heading_path, holder.anchor, first, final, overlapping
        )
    return section, section_text(kb_dir, indexed_digest, section, max_bytes)


def _line_count(
    kb_dir: Path, own: Sequence[Chunk], indexed_digest: str | None, source: str, max_bytes: int
) -> int:
    """The document's length: the file's when it is what was indexed, else the index's view."""
    document = read_source(kb_dir, source, max_bytes)
    if isinstance(document, Document) and file_digest(document.text) == indexed_digest:
        return len(document.text.splitlines())
    return max(c.end_line for c in own)


def numbered(text: str, start_line: int) -> str:
    """Lines prefixed with their file line numbers, as an editor shows them."""
    lines = text.split("\n")
    width = len(str(start_line + len(lines) - 1))
    return "\n".join(f"{start_line + i:>{width}}  {line}" for i, line in enumerate(lines))
