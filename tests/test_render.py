"""What the UI draws from KB text: escaped, structured, with the cited parts highlighted."""

from __future__ import annotations

import re

import pytest

from app.core.render import Link, blocks, escape, export_markdown, parse_lines, source_href

UNESCAPED_PUNCTUATION = re.compile(r"(?<!\\)[<>\[\]()!:$|&]")


def markdown(text: str, **kw) -> str:
    return "\n\n".join(b.text for b in blocks(text, **kw) if b.kind == "markdown")


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "![pixel](http://127.0.0.1:9/p.png)",
        ":red[coloured] and :material/home: and $x^2$",
        "<https://example.com> and &lt;b&gt;",
        "Heading\n===",
    ],
)
def test_kb_markup_is_shown_as_text(hostile):
    out = markdown(hostile)
    assert "javascript" not in out and "127.0.0.1" not in out  # links keep only their text
    stripped = re.sub(r"`[^`]*`", "", out)  # code spans are literal already
    assert not UNESCAPED_PUNCTUATION.search(stripped), out


def test_escape_keeps_every_character():
    text = "a <b> [c](d) *e* _f_ `g` $h$ :i[j] #k |l| ~m~ &amp;"
    assert re.sub(r"\\(.)", r"\1", escape(text)) == text


def test_code_spans_and_bold_survive_links_become_their_text():
    out = markdown("Use `Depends()` **always**, see [the docs](https://x.test/a).")
    assert "`Depends()`" in out
    assert "**always**" in out
    assert "the docs" in out and "x.test" not in out


def test_quotes_are_highlighted_across_line_breaks_and_list_markers():
    text = "Intro line.\nThe cited sentence\nspans two lines. Not cited.\n\n- item one\n- item two"
    out = markdown(text, quotes=("The cited sentence spans two lines.", "item two"))
    assert ":orange-background[The cited sentence spans two lines\\.]" in out
    assert ":orange-background[item two]" in out
    assert "Intro line" in out and ":orange-background[Intro" not in out
    assert "- item one\n- :orange-background[item two]" in out


def test_line_range_is_highlighted():
    out = markdown("first\n\nsecond\n\nthird", first_line=10, lines=range(12, 13))
    assert out.split("\n\n") == ["first", ":orange-background[second]", "third"]


def test_code_blocks_are_drawn_verbatim_and_marked_when_cited():
    text = "Example:\n\n```python\nprint('<b>hi</b>')\n```\n"
    drawn = blocks(text, quotes=("```python\nprint('<b>hi</b>')\n```",))
    code = [b for b in drawn if b.kind == "code"]
    assert code[0].text == "print('<b>hi</b>')"
    assert code[0].language == "python" and code[0].highlighted


def test_tables_keep_their_shape_with_escaped_cells():
    out = markdown("| a | b |\n|---|---|\n| <x> | `y` |")
    assert out.splitlines() == ["| a | b |", "|---|---|", "| \\<x\\> | `y` |"]


def test_answer_markers_link_to_the_source_view():
    links = {1: Link(source_href("web/a b.md", 3, 4), 'web/a b.md › "Intro"')}
    out = markdown("Quoted sentence. [1] Unknown [7].", links=links)
    assert "[\\[1\\]](?source=web/a%20b.md&lines=3-4 \"web/a b.md › 'Intro'\")" in out
    assert "\\[7\\]" in out


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3-5", (3, 5)), ("7", (7, 7)), ("5-3", None), ("0-2", None), ("x", None), (None, None)],
)
def test_parse_lines(value, expected):
    assert parse_lines(value) == expected


def test_export_of_an_empty_chat_is_just_its_title():
    assert export_markdown("Nothing yet", []) == "# Nothing yet\n"


def test_a_quote_shown_with_an_entity_decoded_is_highlighted_in_its_source():
    source = "* Permission was denied. *&mdash; An HTTP 403 response is returned.*"
    quote = "Permission was denied. *— An HTTP 403 response is returned.*"
    out = markdown(source, quotes=[quote])
    assert ":orange-background[" in out and "—" in out and "&mdash" not in out
