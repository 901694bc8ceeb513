"""Split a chunk into quotable units (sentences, list items, table rows, code blocks) with their
file lines."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from ingest.chunk import FENCE_OPEN, HEADING, PATH_SEP, Chunk
from ingest.markdown import (
    ADMONITION,
    BLOCK,
    CODE_SPAN,
    LIST_MARKER,
    VERSIONS,
    clean_lines,
    closes_fence,
    code_under,
    indent,
    split_heading,
)

# A sentence ends after its closing quotes and brackets: "(… etc.)" keeps its ")".
SENTENCE_END = re.compile(r"(?<=[.!?])([\"')\]]*)\s+(?=[A-Z0-9`\"'(\[*_])")
LIST_ITEM = re.compile(LIST_MARKER.pattern + r"(?:\[[ xX]\]\s+)?")  # a task item's box too
# A fenced block of shell commands: the answer to "how do I ...", where other code is an example.
COMMANDS = re.compile(r"^ {0,3}(?:`{3,}|~{3,})\s*(?:bash|sh|shell|console|zsh|powershell)\s*$")
# A table's delimiter row, under its header: "| --- | :---: |".
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")


@dataclass(frozen=True)
class Unit:
    text: str  # as it stands in the file (line breaks inside a sentence kept)
    start_line: int
    end_line: int
    kind: (
        str  # "sentence", "item", "code", or "heading" (a subsection's title, app/core/outline.py)
    )
    order: int  # position within its chunk
    lead: bool  # the first prose unit under its heading
    block: int = 0  # which paragraph, list or code block of its chunk it belongs to
    # An admonition's or collapsible block's title ("API Documentation.", "Smart Mode
    # Algorithm.") or a row of API names right under it: a label, never a point of its own.
    title: bool = False
    level: int = 0  # how deep in nested lists a unit stands (0: outside a list or in a top one)
    # A table's rows are items of a list (a comparison's sides, quoted and narrowed as a list's
    # items are): "head" for its header (with the delimiter row under it), "row" for a body row,
    # which carries its header (a row is quoted under it).
    table: str = ""
    head: Unit | None = None

    @property
    def commands(self) -> bool:
        """A fenced block of shell commands."""
        return self.kind == "code" and bool(COMMANDS.match(self.text.split("\n", 1)[0]))

    @property
    def leads_in(self) -> bool:
        """Prose ending on a colon: a lead-in to the list, code or quotation after it."""
        return self.kind != "code" and self.quote.rstrip().endswith(":")

    @property
    def quote(self) -> str:
        """The unit as shown in an answer: one line, without list markers."""
        if self.kind == "code":
            if FENCE_OPEN.match(self.text):
                return self.text
            fence = "````" if "```" in self.text else "```"  # indented code, shown fenced
            return f"{fence}\n{textwrap.dedent(self.text).strip(chr(10))}\n{fence}"
        if self.kind == "heading":
            match = HEADING.match(self.text)
            return split_heading(match.group(2) or "")[0] if match else self.text.strip()
        if self.table:
            return self._row()
        return " ".join(LIST_ITEM.sub("", line, count=1).strip() for line in self.text.splitlines())

    @property
    def plain(self) -> str:
        """The unit's words as prose: a table row's cells without the pipes between them."""
        if not self.table:
            return self.quote
        return " ".join(c for c in cells(self.text.splitlines()[0]) if c)

    def _row(self) -> str:
        """A table row as a markdown table's line, as wide as its header (the header with its
        delimiter row): a pipe inside a code span escaped, so it is no column break."""
        own = cells(self.text.splitlines()[0])
        if self.head is not None:
            width = len(cells(self.head.text.splitlines()[0]))
            own = (own + [""] * width)[:width]
        line = "| " + " | ".join(own) + " |"
        if self.table != "head":
            return line
        rule = cells(self.text.splitlines()[-1])
        rule = (rule + ["---"] * len(own))[: len(own)]
        return line + "\n| " + " | ".join(r.replace(" ", "") or "---" for r in rule) + " |"


def cells(line: str) -> list[str]:
    """A table row's cells: split at pipes that are neither escaped nor inside a code span (a
    pipe inside code is escaped in the cell, as a table needs it)."""
    out, cell, i, text = [], "", 0, line.strip()
    while i < len(text):
        span = CODE_SPAN.match(text, i) if text[i] == "`" else None
        if span:
            cell += re.sub(r"(?<!\\)\|", r"\\|", span.group(0))
            i = span.end()
        elif text.startswith("\\|", i):
            cell, i = cell + "\\|", i + 2
        elif text[i] == "|":
            out.append(cell.strip())
            cell, i = "", i + 1
        else:
            cell, i = cell + text[i], i + 1
    out.append(cell.strip())
    if text.startswith("|"):
        out = out[1:]
    if text.endswith("|") and not text.endswith("\\|") and out:
        out = out[:-1]
    return out


def sentences(text: str) -> list[str]:
    """The sentences of a paragraph's text (as `_sentences` splits a unit's lines)."""
    return [sentence for sentence, _, _ in _sentences(text.splitlines() or [text], 0)]


def _sentences(lines: list[str], first_line: int) -> list[tuple[str, int, int]]:
    """Sentences of one paragraph, each with the file lines it spans."""
    joined = "\n".join(lines)
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1

    def line_of(pos: int) -> int:
        return first_line + max(i for i, s in enumerate(starts) if s <= pos)

    out, begin = [], 0
    bare = CODE_SPAN.sub(lambda m: " " * len(m.group(0)), joined)  # `**kwargs` is no bold
    bounds = [
        m.end(1)
        for m in SENTENCE_END.finditer(joined)
        # never inside a code span, nor inside bold ("**[Number]. [Title]**" is one line)
        if joined.count("`", 0, m.start()) % 2 == 0 and bare.count("**", 0, m.start()) % 2 == 0
    ] + [len(joined)]
    for end in bounds:
        text = joined[begin:end].strip()
        if text:
            lead_ws = len(joined[begin:end]) - len(joined[begin:end].lstrip())
            start = begin + lead_ws
            out.append((text, line_of(start), line_of(start + len(text) - 1)))
        begin = end
    return out


def _continues_item(line: str) -> bool:
    """A line that goes on with the list item above it: indented, or a "lazy" continuation
    (markdown lets an item's paragraph run on in lines that are not indented)."""
    if not line.strip() or LIST_ITEM.match(line):
        return False
    if line.startswith((" ", "\t")):
        return True
    return not (FENCE_OPEN.match(line) or HEADING.match(line) or line.startswith(("|", ">")))


def _indented(line: str) -> bool:
    return line.startswith(("    ", "\t")) and bool(line.strip())


def _in_item(units: list[Unit], line: str) -> bool:
    """Whether an indented line under a list item goes on with the item's text (not its code)."""
    return bool(units) and units[-1].kind == "item" and not code_under(units[-1].text, line)


def _indented_code_end(lines: list[str], i: int) -> int | None:
    """Where the indented code block opening at line i ends (markdown's code without a fence:
    lines indented four spaces after a blank line), or None when line i opens none."""
    if not _indented(lines[i]) or (i > 0 and lines[i - 1].strip()):
        return None
    j = i + 1
    while j < len(lines) and (
        _indented(lines[j])
        or (not lines[j].strip() and any(_indented(x) for x in lines[j + 1 : j + 2]))
    ):
        j += 1
    return j


def titles_aside(line: str) -> bool:
    """A raw line that opens an admonition or a collapsible block with a title of its own
    (`??? api "API Documentation"`, `/// details | Why`); not a version note ("Added in ...:")."""
    match = ADMONITION.match(line)
    if match:
        return match.group(4) is not None
    match = BLOCK.match(line)
    return bool(match and match.group(4) and match.group(3) not in VERSIONS)


def _names(text: str) -> bool:
    """Only code spans ("`pydantic.main.BaseModel` `pydantic.RootModel`"): no prose."""
    return bool(CODE_SPAN.search(text)) and not re.search(r"\w", CODE_SPAN.sub("", text))


def split_units(chunk: Chunk) -> list[Unit]:
    """Units of the chunk's clean text (ingest/markdown.py): same line numbers as the file."""
    raw = chunk.text.splitlines()
    lines = clean_lines(raw, chunk.includes, references=chunk.references)
    units: list[Unit] = []
    seen_prose = False
    block = 0  # the block the next unit belongs to
    count = 0  # blocks opened so far
    lists: list[tuple[int, int]] = []  # the open lists, outermost first: (indent, block)

    def fresh() -> int:
        nonlocal count
        count += 1
        return count

    i = 0

    def add(
        text: str, start: int, end: int, kind: str, table: str = "", head: Unit | None = None
    ) -> None:
        nonlocal seen_prose
        title = kind == "sentence" and (
            (start == end and titles_aside(raw[start]))
            or (bool(units) and units[-1].title and units[-1].block == block and _names(text))
        )
        lead = kind != "code" and not seen_prose
        seen_prose = seen_prose or kind != "code"
        units.append(
            Unit(
                text,
                chunk.start_line + start,
                chunk.start_line + end,
                kind,
                len(units),
                lead,
                block,
                title,
                max(0, len(lists) - 1) if any(block == b for _, b in lists) else 0,
                table,
                head,
            )
        )

    while i < len(lines):
        line = lines[i]
        if _opens_table(lines, i):
            block = fresh()  # a table: its header (with the delimiter row), then its rows
            add("\n".join(lines[i : i + 2]), i, i + 1, "item", "head")
            head, i = units[-1], i + 2
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                add(lines[i], i, i, "item", "row", head)
                i += 1
            continue
        if not line.strip() or line.lstrip().startswith("|"):
            i += 1
            continue
        if "\n" in line:  # a snippet include resolved to its code, on the include's line
            block = fresh()  # a block of its own, never run into the paragraph above
            add(line, i, i, "code")
            i += 1
            continue
        opened = FENCE_OPEN.match(line)
        if opened:
            block = fresh()
            fence, j = opened.group(1), i + 1
            while j < len(lines) and not closes_fence(lines[j], fence):
                j += 1
            add("\n".join(lines[i : j + 1]), i, min(j, len(lines) - 1), "code")
            i = j + 1
            continue
        code_end = _indented_code_end(lines, i) if not _in_item(units, line) else None
        if code_end is not None:
            block = fresh()
            add("\n".join(lines[i:code_end]), i, code_end - 1, "code")
            i = code_end
            continue
        if HEADING.match(line):
            seen_prose = False  # a subheading inside the chunk starts a new lead
            block = fresh()
            i += 1
            continue
        if LIST_ITEM.match(line):
            # a list goes on after its items and the paragraphs indented under them
            in_list = bool(units) and units[-1].block == block and any(b == block for _, b in lists)
            block = _list_block(lists, indent(line), in_list)
            if not lists:  # a list starts (items of one list share a block)
                block = fresh()
                lists.append((indent(line), block))
            elif block < 0:  # a list nested in the item above: a list of its own
                block = fresh()
                lists.append((indent(line), block))
            j = i + 1
            while j < len(lines) and _continues_item(lines[j]):
                j += 1
            add("\n".join(lines[i:j]), i, j - 1, "item")
            i = j
            continue
        if not (line.startswith((" ", "\t")) and units and units[-1].kind == "item"):
            block = fresh()  # an indented paragraph under a list item stays in its list
        j = i
        while (
            j < len(lines)
            and lines[j].strip()
            and not (
                FENCE_OPEN.match(lines[j])
                or HEADING.match(lines[j])
                or LIST_ITEM.match(lines[j])
                or _opens_table(lines, j)
            )
        ):
            j += 1
        for text, start, end in _sentences(lines[i:j], i):
            add(text, start, end, "sentence")
        i = j
    return units


def _opens_table(lines: list[str], i: int) -> bool:
    """Line i is a table's header: a "|" row with a delimiter row under it."""
    return (
        lines[i].lstrip().startswith("|")
        and i + 1 < len(lines)
        and bool(TABLE_RULE.match(lines[i + 1]))
    )


def _list_block(lists: list[tuple[int, int]], depth: int, in_list: bool) -> int:
    """The block of a list item at `depth` columns: the open list it continues, -1 when it opens a
    list nested in the item above, and `lists` emptied when it starts a list afresh (no list
    right above it). A sub-list's items are a list of their own, and the outer list goes on
    after it: its next item is back in its parent's block."""
    if not in_list:
        lists.clear()
    while lists and depth < lists[-1][0] - 1:  # back out of the nested lists
        lists.pop()
    if not lists:
        return 0
    return lists[-1][1] if depth < lists[-1][0] + 2 else -1


def one_section(a: Chunk, b: Chunk) -> bool:
    """Two chunks of one section (a long section is chunked in pieces)."""
    return a.source == b.source and a.heading_path == b.heading_path


def in_section(a: Chunk, b: Chunk) -> bool:
    """`a` stands in `b`'s section or one of its subsections."""
    return a.source == b.source and (
        a.heading_path == b.heading_path or a.heading_path.startswith(b.heading_path + PATH_SEP)
    )
