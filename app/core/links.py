"""Pointer passages: a short passage that sends the reader to another document ("Please read
more [here](./recipes/technical-spike.md)", a checklist line ending "More details on
[retrospectives](./ceremonies.md#retrospectives)") names a topic that the linked page explains.
When both are among the hits, the linked page's passage goes first.

On the evaluation corpora, of the first-ranked passages linking to another hit's document,
8 of the 9 of at most POINTER_MAX_WORDS words sent the reader to the labelled page (none was
the answer itself), while 13 of the 18 longer ones were the answer, citing a related page."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from urllib.parse import unquote

from ingest.chunk import Chunk
from ingest.markdown import LINK_TEXT, clean_text

POINTER_MAX_WORDS = 50  # a short paragraph: two or three sentences
# An inline link's target (not an image's): [text](target "title") or [text](<target>).
LINK = re.compile(r"(?<!!)\[" + LINK_TEXT + r"\]\(\s*<?([^)\s>]+)>?[^)]*\)")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
INDEX_PAGES = ("README.md", "index.md")  # what a link to a folder opens


def link_targets(chunk: Chunk) -> list[tuple[str, str]]:
    """The documents of the same knowledge base a passage links to, as (source, anchor) in
    the order they appear; `source` is a path relative to the KB like Chunk.source."""
    return [found for match in LINK.finditer(chunk.text) for found in resolve(chunk, match)]


def resolve(chunk: Chunk, link: re.Match[str]) -> list[tuple[str, str]]:
    """The documents of the knowledge base one of `chunk`'s links (a LINK match) opens, as
    (source, anchor): none for another site, a place in the same page or a path outside the KB;
    a folder's index pages or an extension-less page's candidates."""
    target = link.group(1)
    if SCHEME.match(target) or target.startswith("#"):
        return []  # another site, or a place in the same page
    path, _, anchor = unquote(target).partition("#")
    path = path.split("?", 1)[0]
    if not path:
        return []
    joined = (
        path.lstrip("/")
        if path.startswith("/")
        else posixpath.join(posixpath.dirname(chunk.source), path)
    )
    resolved = posixpath.normpath(joined)
    if resolved.startswith("../") or resolved == chunk.source:
        return []
    if resolved.endswith(".md"):
        return [(resolved, anchor)]
    # a folder or an extension-less page: its index page or the page itself
    return [(name, anchor) for name in _page_names(resolved)]


def _page_names(path: str) -> list[str]:
    return [f"{path}.md"] + [posixpath.join(path, page) for page in INDEX_PAGES]


def is_pointer(chunk: Chunk) -> bool:
    """A passage short enough to be a summary that sends the reader elsewhere."""
    return len(clean_text(chunk.text, chunk.includes, links=True).split()) <= POINTER_MAX_WORDS


def linked_first(order: Sequence[int], chunks: Sequence[Chunk]) -> list[int]:
    """`order` (rows, best first) with each pointer passage's linked document moved ahead of
    it: that document's best-placed row below the pointer, the linked section's if the link
    names one. Rows are only reordered, never added or dropped."""
    order = list(order)
    for row in list(order):
        sources = {chunks[r].source for r in order}
        targets = [(s, a) for s, a in link_targets(chunks[row]) if s in sources]
        if not targets or not is_pointer(chunks[row]):  # cleaning text costs ~1 ms: last
            continue
        for source, anchor in targets:
            place = order.index(row)
            below = [r for r in order[place + 1 :] if chunks[r].source == source]
            if not below:
                continue
            chosen = next((r for r in below if anchor and chunks[r].anchor == anchor), below[0])
            order.remove(chosen)
            order.insert(place, chosen)
    return order
