"""Engineers keep notes in Obsidian: wikilinks, callouts, block ids and tag lines. An answer shows
what Obsidian shows (a link's name or alias, a callout's title), never the markup."""

from __future__ import annotations

from conftest import small_kb_assistant

from app.core.evaluate import junk_markup
from ingest.markdown import clean_lines, clean_text

NOTE = """---
tags: [database, postgres]
---
# Postgres tuning

Related: [[Connection pooling]], [[Indexes|index notes]] and [[Vacuum#Thresholds]].

![[pool-diagram.png]]

> [!tip]- Rule of thumb
> Set `shared_buffers` to about a quarter of the machine's RAM and leave the rest to the OS.

## Autovacuum

Lower `autovacuum_vacuum_scale_factor` on big, busy tables so vacuum runs before bloat
builds up. ^vacuum-rule

#postgres #ops
"""


def test_obsidian_markup_reads_as_obsidian_shows_it() -> None:
    assert len(clean_lines(NOTE.splitlines())) == len(NOTE.splitlines())
    text = clean_text(NOTE)
    assert "Related: Connection pooling, index notes and Vacuum › Thresholds." in text
    assert "> Rule of thumb.\nSet `shared_buffers`" in text
    assert text.endswith("before bloat\nbuilds up.")  # no block id, no tag line
    for markup in ("[[", "]]", "[!tip]", "^vacuum-rule", "#postgres", "pool-diagram"):
        assert markup not in text, markup
    # The index keeps a note's tags: they name its topics.
    assert "#postgres #ops" in clean_text(NOTE, links=True)
    assert clean_text("Write `[[x]]` in a template.") == "Write `[[x]]` in a template."
    assert clean_text("> > [!tip] Inner\n> > Body.").startswith("> > Inner.")  # nested


def test_an_answer_from_a_note_shows_no_obsidian_markup(tmp_path, embedder) -> None:
    assistant = small_kb_assistant(tmp_path, embedder, {"Postgres tuning.md": NOTE})
    answer = assistant.ask("How do I stop table bloat on busy tables?")
    assert answer.text.startswith("Lower `autovacuum_vacuum_scale_factor`"), answer.text
    text = assistant.ask("How big should shared_buffers be?").text
    assert "a quarter of the machine's RAM" in text, text
    assert junk_markup(text) == [], text
