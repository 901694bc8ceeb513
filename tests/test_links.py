"""A short passage that sends the reader to another page ranks below the page it links to."""

from __future__ import annotations

from pathlib import Path

from app.core.engine import Assistant
from app.core.links import link_targets
from ingest.chunk import chunk_markdown
from ingest.sync import sync

OVERVIEW = """# Design reviews

How our team reviews designs before building them.

## Technical spikes

A technical spike answers one technical question before the team commits to a design.
Read more about technical spikes [here](./recipes/technical-spike.md).
"""

SPIKE = """# Technical spike

A spike is time-boxed, usually one or two days.

## What a technical spike delivers

At the end of the spike, write down what was learned, a recommendation for the design and
the evidence behind it (a prototype, measurements), so the team can decide with facts.
"""

LONG_OVERVIEW = (
    OVERVIEW.rsplit("\n", 2)[0]
    + "\nIts deliverable is a recommendation for the design, written down with what was learned"
    " and the evidence behind it: the prototype, the measurements, the options tried and"
    " rejected and why, the risks still open, the effort the recommended option needs, and"
    " who should review the result before the team decides, so that nobody has to repeat the"
    " experiment. See also [the recipe](./recipes/technical-spike.md).\n"
)


def write(kb: Path, overview: str) -> None:
    (kb / "design" / "recipes").mkdir(parents=True)
    (kb / "design" / "README.md").write_text(overview, "utf-8")
    (kb / "design" / "recipes" / "technical-spike.md").write_text(SPIKE, "utf-8")


def ranked(settings, embedder, question: str) -> list[str]:
    sync(settings, embedder=embedder)
    hits = Assistant(settings, embedder).retriever.search(question, 5)
    return [f"{h.chunk.source} › {h.chunk.heading_path}" for h in hits]


QUESTION = "What should a technical spike deliver?"


def test_the_page_a_short_summary_links_to_comes_first(kb, settings, embedder) -> None:
    write(kb, OVERVIEW)
    order = ranked(settings, embedder, QUESTION)
    spike = "design/recipes/technical-spike.md › Technical spike › What a technical spike delivers"
    assert order[0] == spike
    assert "design/README.md › Design reviews › Technical spikes" in order[1:]


def test_a_passage_that_answers_and_links_elsewhere_keeps_its_place(kb, settings, embedder) -> None:
    write(kb, LONG_OVERVIEW)
    overview = "design/README.md › Design reviews › Technical spikes"
    assert ranked(settings, embedder, QUESTION)[0] == overview


def test_link_targets_are_the_kb_pages_a_passage_links_to() -> None:
    text = (
        "# Guide\n\nSee [the recipe](./recipes/spike.md#deliverable), [ceremonies](../agile/)"
        ', [tools](<tools.md> "Tools"), [a site](https://example.com/x.md), [here](#top),'
        " ![a picture](diagram.md) and [up](../../outside.md).\n"
    )
    (chunk,) = chunk_markdown(text, "design/README.md")
    assert link_targets(chunk) == [
        ("design/recipes/spike.md", "deliverable"),
        ("agile.md", ""),
        ("agile/README.md", ""),
        ("agile/index.md", ""),
        ("design/tools.md", ""),
    ]
