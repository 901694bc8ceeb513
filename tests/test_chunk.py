"""Chunking: what a citation points at must be exactly right."""

from __future__ import annotations

import pytest

from ingest.chunk import HARD_MAX_CHARS, MAX_CHARS, chunk_markdown, slugify

DOC = """\
# Guide to *Things*

Intro paragraph.

## Setting up `pytest`

Install it.

```python
# a comment, not a heading
def test_ok():
    assert True
```

### Fixtures & scopes

Session fixtures are built once.

## Setting up `pytest`

The same heading again.
"""


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        # Expected values are the ids GitHub gives these headings when it renders markdown.
        ("Dependency injection with `Depends()`", "dependency-injection-with-depends"),
        ("Fixtures & scopes", "fixtures--scopes"),
        ("The `__slots__` trick", "the-__slots__-trick"),
        ("What's new in Python 3.11?", "whats-new-in-python-311"),
        (
            "N+1 queries: select_related vs prefetch_related",
            "n1-queries-select_related-vs-prefetch_related",
        ),
        ("Guide to *Things*", "guide-to-things"),
        ("Links [like this](http://x.y)", "links-like-this"),
        ("Émigré café", "émigré-café"),
        ("CQRS — when it pays off", "cqrs--when-it-pays-off"),
    ],
)
def test_anchor_matches_github_slug(heading: str, slug: str) -> None:
    assert slugify(heading) == slug


def test_heading_paths_and_anchors() -> None:
    chunks = chunk_markdown(DOC, "guides/things.md")
    assert [(c.heading_path, c.anchor) for c in chunks] == [
        ("Guide to Things", "guide-to-things"),
        ("Guide to Things › Setting up pytest", "setting-up-pytest"),
        ("Guide to Things › Setting up pytest › Fixtures & scopes", "fixtures--scopes"),
        ("Guide to Things › Setting up pytest", "setting-up-pytest-1"),
    ]
    assert {c.title for c in chunks} == {"Guide to Things"}
    assert {c.source for c in chunks} == {"guides/things.md"}


def test_a_heading_path_shows_link_text_and_escaped_stars_as_a_reader_sees_them() -> None:
    """A source line reads "… › Using the Field() function", not its reference-link markup;
    an escaped star stays a star ("*args"), while emphasis stars go."""
    doc = (
        "# Views\n\n## Using the [`Field()`][pydantic.Field] function\n\nDescribe it.\n\n"
        "### .initial(self, request, \\*args, **kwargs)\n\nRuns first.\n\n"
        "## Arrays of string[][]\n\nNested.\n"
    )
    chunks = chunk_markdown(doc, "views.md")
    assert [c.heading_path for c in chunks] == [
        "Views › Using the Field() function",
        "Views › Using the Field() function › .initial(self, request, *args, kwargs)",
        "Views › Arrays of string[][]",
    ]
    assert chunks[0].anchor == "using-the-field-function"  # as MkDocs renders the link


def test_line_ranges_point_at_the_text() -> None:
    lines = DOC.splitlines()
    for chunk in chunk_markdown(DOC, "x.md"):
        assert chunk.text == "\n".join(lines[chunk.start_line - 1 : chunk.end_line])
    second = chunk_markdown(DOC, "x.md")[1]
    assert (second.start_line, second.end_line) == (5, 13)
    assert "# a comment, not a heading" in second.text  # inside a code block: not a heading


def test_ids_are_stable_and_distinct() -> None:
    first, again = chunk_markdown(DOC, "x.md"), chunk_markdown(DOC, "x.md")
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == len(first)
    assert {c.id for c in first}.isdisjoint({c.id for c in chunk_markdown(DOC, "y.md")})


def test_editing_one_section_changes_only_its_hash() -> None:
    before = chunk_markdown(DOC, "x.md")
    after = chunk_markdown(DOC.replace("Session fixtures are built once.", "Built once."), "x.md")
    changed = [a.heading_path for a, b in zip(before, after, strict=True) if a.hash != b.hash]
    assert changed == ["Guide to Things › Setting up pytest › Fixtures & scopes"]


def test_long_section_is_split_with_overlap_and_code_kept_whole() -> None:
    paragraphs = [f"Paragraph {i} " + "word " * 40 for i in range(12)]
    code = "```python\n" + "\n".join(f"x{i} = {i}" for i in range(60)) + "\n```"
    text = "# Long\n\n## Body\n\n" + "\n\n".join(paragraphs[:6] + [code] + paragraphs[6:]) + "\n"
    chunks = [c for c in chunk_markdown(text, "long.md") if c.heading_path == "Long › Body"]
    assert len(chunks) > 2
    assert all(len(c.text) <= MAX_CHARS for c in chunks if "```" not in c.text)
    with_code = [c for c in chunks if "```python" in c.text]
    assert len(with_code) == 1 and "x59 = 59\n```" in with_code[0].text
    # consecutive pieces share a paragraph, so no sentence loses its context
    assert any(chunks[i].end_line >= chunks[i + 1].start_line for i in range(len(chunks) - 1))


def test_oversized_code_block_is_split_by_lines() -> None:
    code = "```python\n" + "\n".join(f"value_{i} = {i} * 2" for i in range(800)) + "\n```"
    chunks = chunk_markdown("# Big\n\n" + code + "\n", "big.md")
    assert len(chunks) > 1
    assert all(len(c.text) <= HARD_MAX_CHARS for c in chunks)


@pytest.mark.parametrize(
    ("text", "paths"),
    [
        ("", []),
        ("just text, no heading\n", ["notes"]),
        ("---\ntitle: x\n---\n# Real title\n\nBody.\n", ["Real title"]),
        ("# A\n## B\n### C\n#### D\n##### E\n###### F\ndeep\n", ["A › B › C › D › E › F"]),
        ("```python\nprint('only code')\n```\n", ["notes"]),
        ("#NotAHeading\n\ntext\n", ["notes"]),
    ],
)
def test_odd_documents(text: str, paths: list[str]) -> None:
    assert [c.heading_path for c in chunk_markdown(text, "dir/notes.md")] == paths


def test_a_hash_line_inside_an_html_comment_is_no_heading() -> None:
    """attrs' index page runs a generator from an HTML comment ("<!-- [[[cog" then "# This is
    mainly called from RTD's pre_build job!"): every later heading path named that line."""
    text = (
        "# attrs\n\nIntro.\n\n<!-- [[[cog\n# This is mainly called from a build job!\n\n"
        "import pathlib\n]]] -->\n<a href='x'>sponsor</a>\n<!-- [[[end]]] -->\n\n"
        "## Getting Started\n\nInstall it.\n\n<!-- # one line --> text\n"
    )
    paths = [c.heading_path for c in chunk_markdown(text, "index.md")]
    assert paths == ["attrs", "attrs › Getting Started"]


URLS = "    # bookings/urls.py\n    urlpatterns = [\n        path('', bookings_list),\n    ]"
PREFIXES = "    # urls.py\n    urlpatterns = [\n" + "".join(
    f"        path('v{i}/bookings/', include('bookings.urls')),\n" for i in range(5)
)


def test_indented_code_stays_with_the_paragraph_that_leads_into_it() -> None:
    """A piece that started at markdown's code without a fence (four spaces deeper, after a blank
    line) was read as the body of an admonition and dedented: `# bookings/urls.py` became a
    heading and the code prose. The lead-in and its code are one block now."""
    prose = ["Paragraph " + "word " * 40 for _ in range(3)]
    parts = [*prose, "Two prefixes:", URLS, PREFIXES + "    ]", "After it."]
    text = "# Long\n\n" + "\n\n".join(parts) + "\n"
    chunks = chunk_markdown(text, "long.md")
    for chunk in chunks:
        assert "\n# bookings/urls.py" not in chunk.embed_text
    (piece,) = [c for c in chunks if "v4/bookings" in c.text]
    assert "Two prefixes:\n\n    # bookings/urls.py\n    urlpatterns = [\n" in piece.embed_text


def test_an_admonition_body_cut_across_pieces_is_still_its_body() -> None:
    """MkDocs admonition bodies are indented four spaces too: a piece that starts inside one
    reads as prose without its indentation, as before."""
    body = "\n\n".join("    Body " + "word " * 40 for _ in range(5))
    text = "# Long\n\n!!! note\n\n" + body + "\n"
    chunks = chunk_markdown(text, "note.md")
    assert len(chunks) > 1
    assert chunks[-1].embed_text.splitlines()[2].startswith("Body word")


def test_a_fence_inside_an_admonition_stays_whole_across_its_blank_lines() -> None:
    """Pydantic's "??? example" holds a fenced block with blank lines between its functions: a
    piece that started inside it read `@validate_call def var_kwargs(**kwargs: int) -> str:` as a
    sentence of prose."""
    functions = "\n\n\n".join(
        f"    @validate_call\n    def f{n}(a: int, b: int = {n}) -> str:\n        return str(a + b)"
        for n in range(30)
    )
    opening = "# Signatures\n\nAll parameter kinds work.\n\n??? example\n\n    ```python\n"
    text = f"{opening}{functions}\n    ```\n"
    chunks = chunk_markdown(text, "calls.md")
    code = [c for c in chunks if "@validate_call" in c.text]
    assert len(code) == 1  # one piece: the fence is never cut at a blank line
    assert code[0].text.count("```") == 2
    from app.core.passages import split_units

    assert not [u for u in split_units(code[0]) if u.kind != "code" and "def f" in u.quote]


def test_an_unclosed_html_comment_hides_nothing() -> None:
    """A "<!--" that nothing closes is text (as MkDocs reads it): the headings after it stay
    headings and their text stays in the index."""
    text = "# Guide\n\nIntro.\n\n<!-- TODO: rewrite this part\n\n## Step 0\n\nBoot the box.\n\n"
    text += "## Step 1\n\nLog in.\n"
    chunks = chunk_markdown(text, "guide.md")
    assert [c.heading_path for c in chunks][-2:] == ["Guide › Step 0", "Guide › Step 1"]
    assert "Boot the box." in chunks[-2].embed_text


def test_an_empty_html_comment_closes_itself() -> None:
    text = "# Guide\n\n<!-->\n\n## Step 1\n\nLog in.\n"
    assert [c.heading_path for c in chunk_markdown(text, "g.md")][-1] == "Guide › Step 1"
