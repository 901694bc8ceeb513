"""Heading-aware markdown chunking: sections, heading paths, GitHub anchors, line ranges."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cached_property

from ingest.characters import characters, entities
from ingest.markdown import (
    BLOCK_ID,
    CONTAINER,
    FENCE,
    LINK_TEXT,
    LIST_MARKER,
    clean_text,
    closes_fence,
    code_under,
    dialects,
    front_matter,
    last_comment_close,
    link_labels,
    roles,
    shortcut_references,
    split_heading,
)
from ingest.snippets import snippet_paths

MAX_CHARS = 900  # a piece of a long section: stays within the model's 256 word pieces
HARD_MAX_CHARS = 6000  # a single code block longer than this is split by lines
OVERLAP_MAX_CHARS = 400  # the last block of a piece is repeated in the next when this short
PATH_SEP = " › "

HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# An HTML comment opening a line (CommonMark's HTML block): a generator's script inside it
# ("<!-- [[[cog" then "# This is mainly called from ...") holds no headings.
COMMENT_OPEN = re.compile(r"^ {0,3}<!--")


@dataclass(frozen=True)
class Chunk:
    id: str
    source: str
    title: str
    heading_path: str
    anchor: str
    start_line: int
    end_line: int
    text: str  # lines start_line..end_line of the file, exactly
    hash: str
    # Snippet includes of the passage found in the KB folder: path as written -> file text.
    includes: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    # Labels of the passage's shortcut reference links ("[Title]") that the document defines:
    # quotes show their text (ingest.markdown.shortcut_references).
    references: tuple[str, ...] = field(default=(), hash=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "references", tuple(self.references))  # a list from JSON

    @cached_property  # not a field: chunks.jsonl, equality and hashing leave it out
    def embed_text(self) -> str:
        """Heading path and the passage as a reader sees it (see ingest/markdown.py); cleaning
        the markdown costs, so it is done once per chunk (chunk_markdown does it for the hash)."""
        return embed_text(self.heading_path, clean_text(self.text, self.includes, links=True))

    def to_dict(self) -> dict:
        return asdict(self)


def embed_text(heading_path: str, text: str) -> str:
    """What the model sees: the heading path as context, then the passage."""
    return f"{heading_path}\n\n{text}"


def slugify(heading: str) -> str:
    """GitHub's anchor for a heading: rendered text, lower-cased, punctuation dropped."""
    text = entities(_render_inline(heading)).strip().lower()  # &ndash;: – (then dropped)
    text = "".join(ch for ch in text if ch in "-_ " or unicodedata.category(ch)[0] in "LNM")
    return text.replace(" ", "-")


def _render_inline(text: str) -> str:
    """The visible text of inline markdown (links, images, emphasis, code spans)."""
    # "Notes on [[Postgres]] ^h1": "Notes on Postgres"; "The {class}`~a.Attribute` class".
    text = roles(dialects(BLOCK_ID.sub("", text)))
    # A link's text may hold a code span ("[`Field()`][pydantic.Field]"): links go first.
    text = re.sub(r"!?\[(" + LINK_TEXT + r")\](?:\([^)]*\)|\[[^\]]*\])", r"\1", text)
    parts = re.split(r"(`+[^`]*`+)", text)
    out: list[str] = []
    for part in parts:
        if part.startswith("`"):
            out.append(part.strip("`"))
            continue
        part = re.sub(r"!?\[([^\[\]]*)\]\([^)]*\)", r"\1", part)  # an empty link text: [](x)
        part = re.sub(r"<[^>]+>", "", part)
        escaped = re.split(r"\\([*_])", part)  # `\*args`: a star the reader sees
        for n in range(0, len(escaped), 2):
            escaped[n] = re.sub(r"(?<!\w)_+|_+(?!\w)", "", escaped[n].replace("*", ""))
        part = "".join(escaped)
        out.append(part)
    return "".join(out)


@dataclass
class _Section:
    heading_path: str
    anchor: str
    start: int  # 0-based index of the first line (the heading line, if any)
    end: int  # exclusive


def _sections(lines: list[str], fallback_title: str) -> tuple[str, list[_Section]]:
    first, matter_title = front_matter(lines)
    fallback_title = matter_title or fallback_title  # front matter's `title:` names the page
    title = None
    stack: list[tuple[int, str]] = []
    slug_counts: dict[str, int] = {}
    sections = [_Section(fallback_title, "", first, len(lines))]
    fence: str | None = None
    comment = False  # inside an HTML comment: its "# ..." lines are no headings
    last_close = last_comment_close(lines)
    for i in range(first, len(lines)):
        line = lines[i]
        if comment:
            comment = "-->" not in line
            continue
        if fence:
            if closes_fence(line, fence):
                fence = None
            continue
        opened = FENCE.match(line)  # at any indentation: a fence in a list item or a tab
        if opened:
            fence = opened.group(1)
            continue
        if COMMENT_OPEN.match(line):
            rest = line.split("<!--", 1)[1]
            closed = "-->" in rest or rest.startswith((">", "->"))  # "<!-->" is a whole comment
            comment = not closed and last_close > i
            if closed or comment:
                continue
        match = HEADING.match(line)
        if not match:
            continue
        level, raw = len(match.group(1)), (match.group(2) or "").strip()
        heading, explicit_id = split_heading(raw)  # `## Title { #id }`: the site uses the id
        if not heading:
            continue
        plain = characters(_render_inline(heading).strip())  # "LRU &ndash; LFU": "LRU – LFU"
        if level == 1 and title is None:
            title = plain
        base = slugify(heading)
        count = slug_counts.get(base, 0)
        slug_counts[base] = count + 1
        anchor = explicit_id or (base if count == 0 else f"{base}-{count}")
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, plain))
        sections[-1].end = i
        sections.append(_Section(PATH_SEP.join(h for _, h in stack), anchor, i, len(lines)))
    if title is not None:
        # Text above the H1 belongs to the document: cite it under the H1.
        h1 = next(s for s in sections[1:] if s.heading_path == title)
        sections[0].heading_path, sections[0].anchor = title, h1.anchor
    return title or fallback_title, sections


def _blocks(lines: list[str], start: int, end: int) -> list[tuple[int, int]]:
    """Paragraph-like blocks as (first, last+1) line indexes; code fences stay whole (one in a
    list item or an admonition too: a piece starting inside one had its code read as prose), and
    a paragraph keeps the indented code it leads into."""
    blocks = []
    indented_fence: str | None = None  # a fence in a list item or admonition, still open
    i = start
    while i < end:
        if not lines[i].strip():
            i += 1
            continue
        j = i
        opened = FENCE_OPEN.match(lines[i])
        if opened:
            fence = opened.group(1)
            j = i + 1
            while j < end:
                j += 1
                if closes_fence(lines[j - 1], fence):
                    break
        else:
            while j < end and lines[j].strip() and not FENCE_OPEN.match(lines[j]):
                j += 1
            indented_fence = _fence_after(lines[i:j], indented_fence)
            while indented_fence is not None and j < end:  # through its blank lines to its end
                indented_fence = _fence_after([lines[j]], indented_fence)
                j += 1
            if indented_fence is None:
                grouped = _code_after(lines, i, j, end)
                indented_fence = _fence_after(lines[j:grouped], None)
                j = grouped
        blocks.append((i, j))
        i = j
    return blocks


def _code_after(lines: list[str], first: int, last: int, end: int) -> int:
    """Where the paragraph first..last ends once the indented code blocks it leads into are
    joined to it (markdown's code without a fence: four spaces deeper than the paragraph's text,
    after a blank line). A piece that started at such code would be read as the body of an
    admonition or tab and dedented into prose; with its lead-in it stays code."""
    paragraph = lines[first:last]
    if HEADING.match(paragraph[0]) or any(CONTAINER.match(line) for line in paragraph):
        return last
    lead = next((line for line in reversed(paragraph) if LIST_MARKER.match(line)), paragraph[0])
    j = last
    while True:
        k = j
        while k < end and not lines[k].strip():
            k += 1
        if k == j or k == end or FENCE.match(lines[k]) or not code_under(lead, lines[k]):
            return j
        j = k
        while j < end and lines[j].strip():
            j += 1


def _fence_after(lines: list[str], fence: str | None) -> str | None:
    """The fence still open after these lines, given the one open before them."""
    for line in lines:
        if fence is None:
            opened = FENCE.match(line)
            fence = opened.group(1) if opened else None
        elif closes_fence(line, fence):
            fence = None
    return fence


def _size(lines: list[str], first: int, last: int) -> int:
    return sum(len(line) + 1 for line in lines[first:last])


def _split_oversized(lines: list[str], block: tuple[int, int]) -> list[tuple[int, int]]:
    """Split a block that exceeds the hard cap into runs of whole lines."""
    first, last = block
    pieces, start, size = [], first, 0
    for i in range(first, last):
        if size and size + len(lines[i]) + 1 > HARD_MAX_CHARS:
            pieces.append((start, i))
            start, size = i, 0
        size += len(lines[i]) + 1
    pieces.append((start, last))
    return pieces


def _pieces(lines: list[str], section: _Section) -> list[tuple[int, int]]:
    """Line ranges of the chunks of one section, packed up to MAX_CHARS with overlap."""
    blocks = []
    for block in _blocks(lines, section.start, section.end):
        if _size(lines, *block) > HARD_MAX_CHARS:
            blocks.extend(_split_oversized(lines, block))
        else:
            blocks.append(block)
    if not blocks:
        return []
    pieces: list[list[tuple[int, int]]] = [[blocks[0]]]
    for block in blocks[1:]:
        current = pieces[-1]
        if _size(lines, current[0][0], block[1]) <= MAX_CHARS:
            current.append(block)
            continue
        tail = current[-1]
        overlap = (
            len(current) > 1
            and _size(lines, *tail) <= OVERLAP_MAX_CHARS
            and _size(lines, tail[0], block[1]) <= MAX_CHARS
        )
        pieces.append([tail, block] if overlap else [block])
    return [(piece[0][0], piece[-1][1]) for piece in pieces]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


def _includes(passage: str, read_snippet: Callable[[str], str | None]) -> dict[str, str]:
    found = {path: read_snippet(path) for path in snippet_paths(passage)}
    return {path: code for path, code in found.items() if code is not None}


def chunk_markdown(
    text: str, source: str, read_snippet: Callable[[str], str | None] | None = None
) -> list[Chunk]:
    """Split one markdown document into cited-passage chunks. `read_snippet` finds the files its
    snippet includes name (see ingest.markdown.snippet_reader); without it none is inlined."""
    lines = text.splitlines()
    fallback = source.rsplit("/", 1)[-1].removesuffix(".md")
    title, sections = _sections(lines, fallback)
    defined = link_labels(lines)  # once per document: its passages' shortcut links look them up
    chunks: list[Chunk] = []
    ordinals: dict[str, int] = {}
    for section in sections:
        for first, last in _pieces(lines, section):
            body = lines[first:last]
            passage = "\n".join(body)
            includes = _includes(passage, read_snippet) if read_snippet else {}
            clean = clean_text(passage, includes, links=True)
            if not clean or (HEADING.match(clean) and "\n" not in clean):
                continue  # nothing a reader sees (a bare heading, a comment)
            ordinal = ordinals.get(section.heading_path, 0)
            ordinals[section.heading_path] = ordinal + 1
            model_text = embed_text(section.heading_path, clean)
            chunk = Chunk(
                id=_digest(source, section.heading_path, str(ordinal)),
                source=source,
                title=title,
                heading_path=section.heading_path,
                anchor=section.anchor,
                start_line=first + 1,
                end_line=last,
                text=passage,
                hash=_digest(model_text),
                includes=includes,
                references=shortcut_references(passage, defined),
            )
            chunk.__dict__["embed_text"] = model_text  # the cached property, computed here
            chunks.append(chunk)
    return chunks
