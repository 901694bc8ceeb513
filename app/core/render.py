"""Safe markdown for the UI: KB text and model output shown as text, cited parts highlighted.

Everything that comes from the knowledge base or a model is escaped character by character
(every ASCII punctuation mark gets a backslash), so neither HTML nor markdown in it can do
anything: a `<script>` shows as those characters, a link shows as its text. Only the
structure we rebuild ourselves (paragraphs, list items, tables, code blocks, highlights and
our own [n] links) is markdown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from app.core.passages import LIST_ITEM
from ingest.characters import characters
from ingest.chunk import FENCE_OPEN, HEADING
from ingest.markdown import RULE, closes_fence, indent

if TYPE_CHECKING:
    from app.core.history import Message

PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")
LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
BOLD = re.compile(r"\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*")
MARKER = re.compile(r"\[(\d{1,3})\]")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
QUOTE_LINE = re.compile(r"^\s{0,3}>\s?")
HIGHLIGHT = ":orange-background[{}]"
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
INLINE_LINK = re.compile(r"(!?)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(([^)\n]*)\)")
AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.\-]*:[^<>\s]*)>")
REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(\S+).*$\n?", re.M)
HTML_URL = re.compile(
    r"\b((?:href|src|action|formaction|xlink:href|srcset)\s*=\s*)([\"']?)([^\"'>\s]*)", re.I
)


@dataclass(frozen=True)
class Block:
    """One thing to draw: a markdown string (already safe) or a code block (shown verbatim)."""

    kind: str  # "markdown" or "code"
    text: str
    language: str = ""
    highlighted: bool = False


@dataclass(frozen=True)
class Link:
    """Where an [n] marker points, and the tooltip naming the source."""

    href: str
    title: str


def escape(text: str) -> str:
    """Text that markdown shows exactly as written."""
    return PUNCTUATION.sub(r"\\\1", text)


def script_url(target: str) -> bool:
    """A javascript:, vbscript: or data: URL, however it is spelled (case, entities, spaces)."""
    url = html.unescape(target).strip().strip("<>")
    url = re.sub(r"[\x00-\x20]", "", url).lower()
    return url.startswith(SCRIPT_SCHEMES)


def inert_links(text: str) -> str:
    """Markdown in which no link or image can run script: javascript:, vbscript: and data:
    links become their text, such images their alt text, and such autolinks, reference
    definitions and HTML attributes are dropped. Other links stay as written."""

    def inline(m: re.Match[str]) -> str:
        return m.group(2) if script_url(m.group(3)) else m.group(0)

    text = INLINE_LINK.sub(inline, text)
    text = AUTOLINK.sub(lambda m: "" if script_url(m.group(1)) else m.group(0), text)
    text = REFERENCE.sub(lambda m: "" if script_url(m.group(1)) else m.group(0), text)
    return HTML_URL.sub(
        lambda m: f"{m.group(1)}{m.group(2)}#" if script_url(m.group(3)) else m.group(0), text
    )


def normalize(text: str) -> str:
    return " ".join(text.split())


def source_href(source: str, start_line: int, end_line: int) -> str:
    """The in-app view of a passage: `?source=…&lines=a-b`."""
    return f"?source={quote(source, safe='/')}&lines={start_line}-{end_line}"


def parse_lines(value: str | None) -> tuple[int, int] | None:
    match = re.fullmatch(r"\s*(\d{1,7})\s*(?:-\s*(\d{1,7}))?\s*", value or "")
    if not match:
        return None
    start = int(match.group(1))
    end = int(match.group(2) or start)
    return (start, end) if 1 <= start <= end else None


def line_label(start: int, end: int) -> str:
    return f"line {start}" if start == end else f"lines {start}–{end}"


# ---- inline text ----


def _inline(text: str, links: Mapping[int, Link] | None = None) -> str:
    """One line of KB or model text: code spans and **bold** kept, links reduced to their
    text, [n] markers turned into our links, everything else escaped."""
    out: list[str] = []
    pos = 0
    patterns = [CODE_SPAN, LINK, BOLD] + ([MARKER] if links is not None else [])
    while pos < len(text):
        found = [(m.start(), i, m) for i, p in enumerate(patterns) if (m := p.search(text, pos))]
        if not found:
            out.append(escape(text[pos:]))
            break
        start, kind, match = min(found, key=lambda f: (f[0], f[1]))
        out.append(escape(text[pos:start]))
        pattern = patterns[kind]
        if pattern is CODE_SPAN:
            out.append(match.group(0))  # literal inside backticks, markdown cannot act on it
        elif pattern is LINK:
            out.append(escape(match.group(1)))
        elif pattern is BOLD:
            out.append(f"**{escape(match.group(1))}**")
        else:
            link = links.get(int(match.group(1))) if links else None
            if link is None:
                out.append(escape(match.group(0)))
            else:
                title = link.title.replace("\\", "/").replace('"', "'")
                title = title.replace("[", "\\[").replace("]", "\\]")  # inside a highlight
                out.append(f'[\\[{match.group(1)}\\]]({link.href} "{title}")')
        pos = match.end()
    return "".join(out)


def _spans(content: str, quotes: Iterable[str]) -> list[tuple[int, int]]:
    """Where the quotes occur in the content, merged."""
    found = []
    for q in quotes:
        q = normalize(q)
        if not q:
            continue
        start = content.find(q)
        while start != -1:
            found.append((start, start + len(q)))
            start = content.find(q, start + len(q))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _highlight(segment: str, links: Mapping[int, Link] | None) -> str:
    """A highlighted stretch of text. Streamlit's `:color-background[…]` ends at an unbalanced
    `]` even inside a code span, so a code span with unbalanced brackets stays outside it."""
    out, pos = [], 0
    for match in CODE_SPAN.finditer(segment):
        if _balanced(match.group(2)):
            continue
        if segment[pos : match.start()].strip():
            out.append(HIGHLIGHT.format(_inline(segment[pos : match.start()], links)))
        else:
            out.append(segment[pos : match.start()])
        out.append(match.group(0))
        pos = match.end()
    rest = segment[pos:]
    out.append(HIGHLIGHT.format(_inline(rest, links)) if rest.strip() else rest)
    return "".join(out)


def _decoded(text: str) -> str:
    """Prose with its character references and emoji codes as characters, code spans as they
    are (see ingest/characters.py)."""
    out, pos = [], 0
    for match in CODE_SPAN.finditer(text):
        out.append(characters(text[pos : match.start()]) + match.group(0))
        pos = match.end()
    return "".join(out) + characters(text[pos:])


def _highlighted(
    pieces: Sequence[tuple[int, str]],
    quotes: Sequence[str],
    lines: range | None,
    links: Mapping[int, Link] | None = None,
) -> str:
    """Join a block's line pieces with spaces; highlight the quotes and the lines in range."""
    content, spans, offset = [], [], 0
    for number, piece in pieces:
        piece = normalize(_decoded(piece))  # as quotes show it: "&mdash;" is "—"
        if lines is not None and number in lines and piece:
            spans.append((offset, offset + len(piece)))
        content.append(piece)
        offset += len(piece) + 1
    text = " ".join(content)
    marked = sorted(spans + _spans(text, quotes))
    out, pos = [], 0
    for start, end in marked:
        start = max(start, pos)
        if start >= end:
            continue
        out.append(_inline(text[pos:start], links))
        out.append(_highlight(text[start:end], links))
        pos = end
    out.append(_inline(text[pos:], links))
    return "".join(out)


# ---- blocks ----


def blocks(
    text: str,
    *,
    first_line: int = 1,
    quotes: Sequence[str] = (),
    lines: range | None = None,
    links: Mapping[int, Link] | None = None,
) -> list[Block]:
    """Safe blocks for a markdown passage; `quotes` and `lines` are highlighted, `links`
    turns [n] markers into links (answers only)."""
    raw = text.splitlines()
    out: list[Block] = []
    parts: list[str] = []  # markdown of the current run of prose
    wanted = [normalize(q) for q in quotes]

    def flush() -> None:
        if parts:
            out.append(Block("markdown", "\n".join(parts).strip("\n")))
            parts.clear()

    def add(markdown: str, tight: bool = False) -> None:
        if parts and not tight:
            parts.append("")
        parts.append(markdown)

    i = 0
    previous = ""
    level = -1  # nesting of the last list item, so indentation never turns into a code block
    while i < len(raw):
        line, number = raw[i], first_line + i
        if not line.strip():
            previous = ""
            i += 1
            continue
        opened = FENCE_OPEN.match(line)
        if opened:
            fence, j = opened.group(1), i + 1
            while j < len(raw) and not closes_fence(raw[j], fence):
                j += 1
            body = "\n".join(raw[i + 1 : j])
            whole = "\n".join(raw[i : j + 1])
            hit = any(q and (q in normalize(whole) or normalize(whole) in q) for q in wanted) or (
                lines is not None and any(n in lines for n in range(number, first_line + j + 1))
            )
            flush()
            language = line.strip().lstrip(fence[0]).strip().split(" ")[0]
            out.append(Block("code", body, language, hit))
            previous = ""
            i = j + 1
            continue
        heading = HEADING.match(line)
        if heading:
            add(f"**{_highlighted([(number, heading.group(2) or '')], wanted, lines, links)}**")
            previous, i = "heading", i + 1
            continue
        if RULE.match(line):
            previous, i = "", i + 1
            continue
        if line.lstrip().startswith("|"):
            j = i
            rows = []
            while j < len(raw) and raw[j].lstrip().startswith("|"):
                rows.append(raw[j])
                j += 1
            add(_table(rows, links))
            previous, i = "table", j
            continue
        item = LIST_ITEM.match(line)
        if item:
            j = i + 1
            while (
                j < len(raw)
                and raw[j].startswith((" ", "\t"))
                and raw[j].strip()
                and not (LIST_ITEM.match(raw[j]) or FENCE_OPEN.match(raw[j]))
            ):
                j += 1
            pieces = [(number, line[item.end() :])] + [
                (first_line + k, raw[k]) for k in range(i + 1, j)
            ]
            level = min(indent(line) // 2, level + 1 if previous == "item" else 0, 3)
            marker = line.strip().split()[0]
            bullet = marker if marker[:-1].isdigit() else "-"
            add(
                f"{'   ' * level}{bullet} {_highlighted(pieces, wanted, lines, links)}",
                tight=previous == "item",
            )
            previous, i = "item", j
            continue
        quoted = QUOTE_LINE.match(line)
        j = i
        while (
            j < len(raw)
            and raw[j].strip()
            and not (
                FENCE_OPEN.match(raw[j])
                or HEADING.match(raw[j])
                or LIST_ITEM.match(raw[j])
                or raw[j].lstrip().startswith("|")
                or bool(QUOTE_LINE.match(raw[j])) != bool(quoted)
            )
        ):
            j += 1
        j = max(j, i + 1)
        pieces = [(first_line + k, QUOTE_LINE.sub("", raw[k])) for k in range(i, j)]
        paragraph = _highlighted(pieces, wanted, lines, links)
        add(f"> {paragraph}" if quoted else paragraph)
        previous, i = "paragraph", j
    flush()
    return out


def _table(rows: list[str], links: Mapping[int, Link] | None) -> str:
    def cells(row: str) -> list[str]:
        row = row.strip()
        row = row[1:] if row.startswith("|") else row
        row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
        return [c.strip() for c in re.split(r"(?<!\\)\|", row)]

    if len(rows) >= 2 and TABLE_RULE.match(rows[1]):
        header, body = cells(rows[0]), [cells(r) for r in rows[2:]]
        width = len(header)
        lines = [
            "| " + " | ".join(_inline(c, links) for c in header) + " |",
            "|" + "---|" * width,
        ]
        for row in body:
            row = (row + [""] * width)[:width]
            lines.append("| " + " | ".join(_inline(c, links) for c in row) + " |")
        return "\n".join(lines)
    return "  \n".join(_inline(r.strip(), links) for r in rows)


def answer_blocks(text: str, links: Mapping[int, Link]) -> list[Block]:
    """An answer's text with each [n] linked to its source."""
    return blocks(text, links=links)


def stream_escape(piece: str) -> str:
    """A piece of streamed model output, shown as plain text while it arrives."""
    return escape(piece)


def export_markdown(title: str, messages: Sequence[Message]) -> str:
    """A conversation as a markdown file: each question, its answer and the cited passages.
    No link in it can run script (see inert_links): the file may be opened in any viewer."""
    out = [f"# {title}", ""]
    for message in messages:
        answer = message.answer
        if message.role == "user":
            out += [f"## {normalize(message.content)}", ""]
            continue
        if answer is None:
            out += [message.content, ""]
            continue
        out += [answer.text, ""]
        if answer.notice:
            out += [f"*{answer.notice}*", ""]
        if answer.refused and answer.hits:
            out += ["Closest sections:", ""]
            out += [f"- kb/{h.passage.source} › {h.passage.heading_path}" for h in answer.hits[:3]]
            out.append("")
        if answer.citations:
            out += ["Sources:", ""]
        for c in answer.citations:
            where = f"kb/{c.passage.source}" + (f"#{c.passage.anchor}" if c.passage.anchor else "")
            out.append(
                f"[{c.n}] {where} › {c.passage.heading_path} "
                f"({line_label(c.start_line, c.end_line)})"
            )
            out.append("")
            out += [f"> {line}".rstrip() for line in c.text.splitlines()]
            out.append("")
    return inert_links("\n".join(out).rstrip() + "\n")
