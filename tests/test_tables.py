"""A markdown table is quotable: a question one row answers quotes the table's header and that
row, a question about the whole comparison quotes the table, both as markdown tables whose
citations are exactly the file's lines."""

from __future__ import annotations

from conftest import assert_cites_exact_lines, small_kb_assistant

from app.core.parts import fit
from app.core.passages import split_units
from app.core.quote import Passage, render, words
from app.core.retrieve import Hit
from ingest.chunk import chunk_markdown

CACHES = """# Caching

## Cache eviction policies compared

Pick an eviction policy by how the keys are read. The policies compare as follows:

| Policy | Evicts first | Fits best |
| --- | --- | --- |
| LRU | the key read longest ago | sessions and pages whose popularity drifts over the day |
| LFU | the key read least often | a catalogue with a stable set of hot products |
| FIFO | the key written first | short-lived tokens that expire in the order they were issued |
| TTL only | whatever has expired | reference data refreshed on a fixed schedule by a cron job |
| Random | a key chosen at random | huge caches where tracking reads costs more than a few misses |

Measure the hit ratio in production before and after a change of policy: a synthetic benchmark
rarely reads keys the way real users do, and the cache's memory limit matters as much as the
policy. Redis exposes the policy as `maxmemory-policy` and reports hits and misses in `INFO`.
"""

HEADER = "| Policy | Evicts first | Fits best |\n| --- | --- | --- |"


def test_a_question_one_row_answers_quotes_the_header_and_that_row(tmp_path, embedder) -> None:
    assistant = small_kb_assistant(tmp_path, embedder, {"caching.md": CACHES})
    answer = assistant.ask(
        "Which eviction policy suits a catalogue with a stable set of hot products?"
    )
    assert not answer.refused
    assert HEADER + "\n| LFU | the key read least often |" in answer.text, answer.text
    assert "| Random |" not in answer.text and "| FIFO |" not in answer.text, answer.text
    assert_cites_exact_lines(answer, CACHES)


def test_a_question_about_the_comparison_quotes_the_table(tmp_path, embedder) -> None:
    assistant = small_kb_assistant(tmp_path, embedder, {"caching.md": CACHES})
    answer = assistant.ask("How do the cache eviction policies compare?")
    assert not answer.refused
    table = answer.text[answer.text.index(HEADER) :]
    for policy in ("LRU", "LFU", "FIFO", "TTL only", "Random"):
        assert f"\n| {policy} |" in table, answer.text
    assert "compare as follows:\n\n| Policy" in answer.text, answer.text
    assert_cites_exact_lines(answer, CACHES)


PIPES = """# Shells

## Operators

A link in a cell keeps its words; bold stays bold, as in prose.

| Operator | Meaning |
|:---|---:|
| `a | b` | pipe the output of [a](a.md) into **b** |
| `a \\|\\| b` | run b when a fails |
"""


def test_a_row_renders_as_a_table_line_with_code_pipes_escaped() -> None:
    chunk = chunk_markdown(PIPES, "shells.md")[-1]
    units = split_units(chunk)
    row = next(u for u in units if u.start_line == 9)
    text = render([Passage(Hit(chunk, 0.6, 5.0, 0.03, 1), (row,))], {chunk.id: 1})
    assert text == (
        "| Operator | Meaning |\n| :--- | ---: |\n"
        "| `a \\| b` | pipe the output of a into **b** [1] |"
    )


def test_a_two_part_question_quotes_only_the_row_that_answers(tmp_path, embedder) -> None:
    """A table is wordier than a list: its other rows would crowd out the second part's
    answer."""
    assistant = small_kb_assistant(tmp_path, embedder, {"caching.md": CACHES})
    answer = assistant.ask(
        "Which eviction policy suits a catalogue with a stable set of hot products,"
        " and where does Redis report hits and misses?"
    )
    assert not answer.refused
    assert HEADER + "\n| LFU | the key read least often |" in answer.text, answer.text
    assert "| LRU |" not in answer.text and "| Random |" not in answer.text, answer.text
    assert "reports hits and misses in `INFO`" in answer.text, answer.text
    assert_cites_exact_lines(answer, CACHES)


def test_a_table_right_under_its_lead_in_line_is_a_table() -> None:
    chunk = chunk_markdown(
        "# Options\n\n## Flags\n\nThe options are:\n"
        "| Flag | Effect |\n|---|---|\n| -v | verbose |\n",
        "options.md",
    )[-1]
    units = split_units(chunk)
    assert units[0].quote == "The options are:"
    assert [u.table for u in units[1:]] == ["head", "row"]


def test_a_header_is_never_quoted_alone_with_its_marker_inside() -> None:
    chunk = chunk_markdown(CACHES, "caching.md")[0]
    units = split_units(chunk)
    head = next(u for u in units if u.table == "head")
    row = next(u for u in units if u.table == "row")
    hit = Hit(chunk, 0.6, 5.0, 0.03, 1)
    lead = Passage(hit, tuple(u for u in units if u.kind == "sentence")[:1])
    fitted = fit([lead, Passage(hit, (head, row))], words(list(lead.units)) + 7)
    assert all(
        p.units[-1].table != "head" for p in fitted
    )  # room for the header, not a row: no table
    text = render([Passage(hit, (head,))], {chunk.id: 1})
    assert text.splitlines()[1].startswith("| ---") and text.splitlines()[1].endswith("|")
    assert text.endswith("\n\n[1]")
