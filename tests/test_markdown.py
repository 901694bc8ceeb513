"""Markdown as people write it (MkDocs / Material / PyMdown / GitHub): what a reader sees in
heading paths, anchors and answers, on a small MkDocs-style fixture KB."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import cli_env, index_settings, run_module, small_kb_assistant

from app.core.evaluate import junk_markup
from ingest.chunk import Chunk, chunk_markdown
from ingest.markdown import clean_lines, clean_text, code_under
from ingest.server_lineage import row_chunk
from ingest.snippets import snippet_paths, snippet_reader
from ingest.store import chunk_metadata
from ingest.sync import sync

MKDOCS_KB = Path(__file__).parent / "fixtures" / "mkdocs_kb"
EXPLICIT_IDS = {"backoff", "budget", "client-api", "budgets"}

# Each construct as written, and words of it a reader must still see once it is cleaned.
CONSTRUCTS = [
    ("## Settings { #custom-id }", "Settings"),
    ("## Settings {: #custom-id .wide }", "Settings"),
    (
        '!!! warning "Never retry a POST"\n    A retried payment charges twice.',
        "Never retry a POST",
    ),
    ("??? tip\n    Cap the retries.", "Cap the retries"),
    ("???+ note\n    Open by default.", "Open by default"),
    ("/// note | Budgets travel\nEvery call gets a budget.\n///", "Budgets travel"),
    ("/// version-added | v2.11\nNamed aliases.\n///", "Added in v2.11"),
    ('=== "Python 3.9+"\n\n    Use the new syntax.', "Python 3.9+"),
    ('--8<-- "docs_src/missing.py"', "(code: docs_src/missing.py)"),
    ("{* ../../docs_src/app.py hl[3] *}", "(code: ../../docs_src/app.py)"),
    ("{!> ../../docs_src/app.py!}", "(code: ../../docs_src/app.py)"),
    ("::: pydantic.main.BaseModel\n    options:\n      show_root_heading: true", "BaseModel"),
    ("Keep it short. <!-- TODO: expand -->", "Keep it short."),
    ('```python {test="skip"}\nx = 1\n```', "```python x = 1"),
    ('```py title="app.py" hl_lines="2"\nx = 1\n```', "```py x = 1"),
    ("<details><summary>Why ten?</summary>\nHeadroom.\n</details>", "Why ten?"),
    ("One line<br>next line", "next line"),
    ('<img src="flow.png" alt="Retry flow diagram"> shows it.', "Retry flow diagram"),
    ("Read [the guide][guide].\n\n[guide]: https://example.com/guide", "the guide"),
    ("See [timeouts](../timeouts.md#budgets) first.", "See timeouts first."),
    ("Notes in the code.\n\n{ .annotate }", "Notes in the code."),
    ("Hidden from search.\n{ data-search-exclude }", "Hidden from search."),
    ("Brooker says so[^1].\n\n[^1]: Marc Brooker, 2015.", "Brooker says so."),
    (
        "Add terms to the [top-level\n`info` object][info-object].\n\n[info-object]: https://x.y",
        "Add terms to the top-level `info` object.",
    ),
    ('=== ":x: Bad"\n\n    Build it per call.', "❌ Bad"),
    ("*&mdash; An HTTP 403 response.* A&nbsp;B &#8212; C", "— An HTTP 403 response.* A B — C"),
    (
        "<style>\n.promo li a {\n  float: left;\n}\n</style>\n\nREST framework is a toolkit.",
        "REST framework is a toolkit.",
    ),
]


@pytest.mark.parametrize(("raw", "visible"), CONSTRUCTS, ids=[c[0][:24] for c in CONSTRUCTS])
def test_each_construct_is_junk_raw_and_reads_clean(raw: str, visible: str) -> None:
    assert junk_markup(raw), f"the junk measure misses {raw!r}"
    cleaned = clean_text(raw)
    assert junk_markup(cleaned) == [], cleaned
    assert visible in " ".join(cleaned.split())


def test_a_style_block_over_several_lines_shows_none_of_its_rules() -> None:
    lines = ["<style>", ".promo li a {", "  float: left;", "}", "</style>", "Toolkit.", "<script>"]
    lines += ["track();", "</script> Browsable API."]
    assert clean_lines(lines) == ["", "", "", "", "", "Toolkit.", "", "", " Browsable API."]


def test_an_include_shows_only_the_lines_its_ln_option_selects() -> None:
    """`{* file ln[2:3,6] *}` (FastAPI-style docs) shows lines 2-3 and 6 with "..." between, as
    the site does, not the whole example program; `ln[0]` shows no lines (the site offers
    the file collapsed)."""
    program = "\n".join(f"line_{n} = {n}" for n in range(1, 9))
    includes = {"./docs_src/app.py": program}
    shown = clean_text("Set it:\n\n{* ./docs_src/app.py ln[2:3,6] hl[2] *}", includes)
    assert shown == "Set it:\n\n```python\nline_2 = 2\nline_3 = 3\n...\nline_6 = 6\n```"
    assert clean_text("{* ./docs_src/app.py ln[7:] *}", includes).splitlines()[1:3] == [
        "line_7 = 7",
        "line_8 = 8",
    ]
    assert clean_text("Go on from here.\n\n{* ./docs_src/app.py ln[0] *}", includes) == (
        "Go on from here."
    )


def test_a_figure_on_its_own_line_is_left_out_of_quotes_but_indexed() -> None:
    """An image standing as a paragraph reads as a stray fragment in an answer ("database as a
    single file [1]"); an image inside a sentence, even on a line of its own when the prose is
    hard-wrapped, keeps its alt text, and the index keeps both."""
    lines = [
        "A database could be a single file.",
        "",
        "![database as a single file](img/single-file.svg)",
        "",
        '<img class="shadow" alt="Docs UI" src="/img/image01.png">',
        "",
        "Click the",
        "![gear icon](gear.png)",
        "in the top right to open settings.",
        "",
        "# ![SQLModel](logo.png)",
    ]
    cleaned = clean_lines(lines)
    assert cleaned[2] == cleaned[4] == ""
    assert cleaned[6:9] == ["Click the", "gear icon", "in the top right to open settings."]
    assert cleaned[10] == "# SQLModel"
    assert "database as a single file" in clean_text("\n".join(lines), links=True)


def test_an_mdx_include_inside_a_fence_shows_the_file() -> None:
    """Older FastAPI-style pages write `{!../../docs_src/a.py!}` inside a ```Python fence."""
    page = 'Import it:\n\n```Python hl_lines="1"\n{!../../docs_src/a.py!}\n```\n\nDone.'
    includes = {"../../docs_src/a.py": "from fastapi import FastAPI\n"}
    assert snippet_paths(page) == ["../../docs_src/a.py"]  # the ingest reads that file
    shown = clean_text(page, includes)
    assert shown == "Import it:\n\n```Python\nfrom fastapi import FastAPI\n```\n\nDone."
    assert "(code: ../../docs_src/a.py)" in clean_text(page)
    program = {"./t.py": "\n".join(f"line_{n} = {n}" for n in range(1, 9))}
    parts = "```python\n{!./t.py[ln:2-3]!}\n    # omitted\n{!./t.py[ln:7-7]!}\n```"
    assert snippet_paths(parts) == ["./t.py", "./t.py"]
    assert clean_text(parts, program).splitlines()[1:-1] == [
        "line_2 = 2",
        "line_3 = 3",
        "    # omitted",
        "line_7 = 7",
    ]


def test_an_entity_that_would_be_markup_stays_escaped() -> None:
    assert clean_text("Compare a &lt; b, split on &#124;, write `&mdash;`.") == (
        "Compare a &lt; b, split on &#124;, write `&mdash;`."
    )
    # Nor one that would break the line or hide: the text stays as one visible line.
    assert clean_text("at a time&#10;so the service&#8203;waits") == (
        "at a time&#10;so the service&#8203;waits"
    )


def test_code_keeps_what_looks_like_markup_to_prose() -> None:
    """Indented HTML is code; brackets across lines in a fence are indexing, not a link; a
    script commented out ends with its comment; a bad `ln[...]` shows the whole file."""
    style = ["Embed it:", "", "    <style>", "    body { color: red; }", "    </style>"]
    assert clean_lines(style) == style
    fenced = ["```python", "row = [", "    x for x in y][0]", "```"]
    assert clean_lines(fenced) == fenced
    commented = ["<!--", "<script>", "alert(1)", "-->", "", "Visible paragraph."]
    assert clean_lines(commented)[-1] == "Visible paragraph."
    includes = {"./a.py": "x = 1\ny = 2"}
    for bad in ("ln[1 3]", "ln[1:2:3]", "ln[a]"):
        assert clean_text(f"{{* ./a.py {bad} *}}", includes) == "```python\nx = 1\ny = 2\n```"


def test_an_api_stub_hides_its_whole_options_block() -> None:
    raw = (
        "::: pydantic.BaseModel\n"
        "    options:\n"
        "        show_root_heading: true\n"
        "        # explicit members list so the order is ours\n"
        "        members:\n"
        "          - __init__\n"
        "\n"
        "          - model_dump\n"
        "\n"
        "Models validate on construction."
    )
    cleaned = clean_text(raw)
    assert cleaned.splitlines() == [
        "(API reference: pydantic.BaseModel)",
        "",
        "Models validate on construction.",
    ]


def test_clean_lines_keep_the_file_line_numbers() -> None:
    raw = (MKDOCS_KB / "docs" / "retries.md").read_text(encoding="utf-8").splitlines()
    cleaned = clean_lines(raw)
    assert len(cleaned) == len(raw)
    number = next(i for i, line in enumerate(raw) if "Idempotency-Key" in line)
    assert "Idempotency-Key" in cleaned[number] and not cleaned[number].startswith(" ")


def test_a_heading_with_an_entity_or_emoji_reads_as_the_site_shows_it() -> None:
    text = "# Caching\n\n## LRU&ndash;LFU eviction\n\nEvict.\n\n## :x: Bad\n\nSlow.\n"
    chunks = chunk_markdown(text, "caching.md")
    paths = {c.heading_path: c.anchor for c in chunks}
    assert paths["Caching › LRU–LFU eviction"] == "lrulfu-eviction"  # GitHub drops the dash
    assert "Caching › ❌ Bad" in paths


def test_anchors_are_explicit_ids_and_heading_paths_read_plainly() -> None:
    chunks = []
    for source in ("docs/retries.md", "docs/timeouts.md"):
        text = (MKDOCS_KB / source).read_text(encoding="utf-8")
        chunks += chunk_markdown(text, source, snippet_reader(MKDOCS_KB, source))
    assert EXPLICIT_IDS <= {c.anchor for c in chunks}
    assert {c.anchor for c in chunks} - EXPLICIT_IDS == {"connect-and-read-timeouts"}
    assert not any("{" in c.heading_path or "#" in c.heading_path for c in chunks)
    # No H1: the front matter's title names the page; the front matter is never a chunk.
    retries = [c for c in chunks if c.source == "docs/retries.md"]
    assert {c.title for c in retries} == {"Retrying outbound HTTP calls"}
    assert all("description:" not in c.text for c in retries)
    backoff = next(c for c in retries if c.anchor == "backoff")
    assert "def backoff_delay" in backoff.embed_text  # the included file, found in the KB
    assert "--8<--" in backoff.text  # the stored passage stays the file's lines
    budget = next(c for c in retries if c.anchor == "budget")
    assert "(code: ../../docs_src/budget_missing.py)" in budget.embed_text


def test_snippets_are_never_read_from_outside_the_kb(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    (kb / "docs").mkdir(parents=True)
    (tmp_path / "secret.py").write_text("TOKEN = 'do not show'\n")
    read = snippet_reader(kb, "docs/page.md")
    assert read("../../secret.py") is None
    assert read(str(tmp_path / "secret.py")) is None
    assert "(code: ../../secret.py)" in clean_text('--8<-- "../../secret.py"', {})


@pytest.fixture
def mkdocs_settings(tmp_path: Path, embedder):

    folder = tmp_path / "kb"
    shutil.copytree(MKDOCS_KB, folder)
    settings = index_settings(folder, tmp_path / "data")
    sync(settings, embedder=embedder)
    return settings


def test_kb_ask_answers_show_no_markup_and_cite_exact_lines(mkdocs_settings, tmp_path) -> None:
    questions = [
        "Should I retry a POST request that failed?",
        "What is a retry budget and how big is it?",
        "What happens when the time budget is spent?",
        "How do I compute the backoff delay with jitter in Python?",
        "What does the RetryingClient wrap?",
    ]
    batch = tmp_path / "q.jsonl"
    batch.write_text("\n".join(json.dumps({"q": q}) for q in questions) + "\n")
    result = run_module("app.cli", "--batch", str(batch), "--json", env=cli_env(mkdocs_settings))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["refused"] for r in rows] == [False] * len(questions)
    for row in rows:
        assert junk_markup(row["answer"]) == [], (row["q"], row["answer"])
        for citation in row["citations"]:
            lines = (mkdocs_settings.kb_dir / citation["source"]).read_text().splitlines()
            expected = lines[citation["start_line"] - 1 : citation["end_line"]]
            assert citation["text"] == "\n".join(expected)  # raw, exactly the file's lines
            assert "{" not in citation["heading_path"]
        assert {s["anchor"] for s in row["sources"]} <= EXPLICIT_IDS | {"connect-and-read-timeouts"}
    code = rows[3]
    assert code["sources"][0]["anchor"] == "backoff"  # found through the included file
    assert "def backoff_delay" in code["answer"]
    cited = code["citations"][0]
    assert "--8<--" in cited["text"]  # the citation points at the include line itself


def test_a_section_cut_inside_a_tabbed_code_block_quotes_cleanly() -> None:
    code = "\n\n".join(
        f"    def step_{i}(x):\n        return Foo[int](x)  # {i}" for i in range(40)
    )
    page = (
        "# Generics\n\n## Generic models\n\n"
        f'=== "Python 3.9+"\n\n    ```python\n{code}\n    ```\n\n'
        '!!! note "Type variables"\n    Declare them before the model.\n'
    )
    chunks = chunk_markdown(page, "generics.md")
    assert len(chunks) > 2  # the code block is cut into pieces at its blank lines
    for chunk in chunks:
        shown = "\n".join(clean_lines(chunk.text.splitlines()))
        assert junk_markup(shown) == [], shown
    assert "Type variables." in clean_text(chunks[-1].text)


# A line under a paragraph or list item, and whether markdown reads it as code without a fence.
UNDER = [
    ("Run it:", "    make test", True),
    ("  Run it:", "    more of the paragraph", False),
    ("- Run it:", "      make test", True),
    ("- Run it:", "    more of the item", False),
    ("10. Run it:", "        make test", True),
    ("10. Run it:", "       more of the item", False),
    ("- [ ] Run it:", "      make test", True),  # the box is the item's text, not its marker
    ("\t- Run it:", "\t      make test", True),  # a tab counts four columns
    ("\t- Run it:", "\t  more of the item", False),
]


@pytest.mark.parametrize(("lead", "line", "code"), UNDER)
def test_code_under_a_list_item_is_four_columns_past_its_text(
    lead: str, line: str, code: bool
) -> None:
    assert code_under(lead, line) is code


REFERENCES_PAGE = """# Filtering

## Filter backends

Filtering by query parameters is done with the [Django Filter] package, which reads the
allowed fields from `filterset_fields = [Django Filter]` on the view.

## Decision records

Title each decision record **[Ascending number]. [Title of decision]** so the log sorts.

[django  filter]: https://django-filter.readthedocs.io/
"""


def test_a_shortcut_reference_link_reads_as_its_text_when_the_page_defines_it(
    tmp_path, embedder
) -> None:
    """ "[Django Filter]" with "[django filter]: url" further down the page is a link: an answer
    shows its text. Brackets the page defines nothing for are the author's own words and stay,
    as does code."""
    assistant = small_kb_assistant(tmp_path, embedder, {"filtering.md": REFERENCES_PAGE})
    answer = assistant.ask("Which package does filtering by query parameters use?").text
    assert "with the Django Filter package" in answer, answer
    assert "`filterset_fields = [Django Filter]`" in answer, answer
    placeholder = assistant.ask("How should a decision record be titled?").text
    assert "[Ascending number]. [Title of decision]" in placeholder, placeholder


def test_a_server_row_keeps_the_shortcut_references_of_its_chunk() -> None:
    chunk = chunk_markdown(REFERENCES_PAGE, "filtering.md")[0]
    assert chunk.references == ("django filter",)
    row = row_chunk(chunk.text, chunk_metadata(chunk), chunk.id)
    assert row.references == chunk.references
    stored = Chunk(**json.loads(json.dumps(chunk.to_dict())))  # a line of chunks.jsonl
    assert stored.to_dict() == chunk.to_dict()
