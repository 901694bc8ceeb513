"""A "TL;DR" section states the answer in short, first: unlike a summary or a checklist, which
restate what a page already said, it is no reason to quote another section instead. On attrs'
page on its two APIs, "Which API should new code use?" quoted the page's opening questions, not
"We recommend our modern APIs for new code"."""

from __future__ import annotations

from pathlib import Path

from conftest import small_kb_assistant

NAMES = Path(__file__).parent.parent / "data/eval/corpora/attrs-docs/names.md"


def test_a_tldr_section_answers_first(tmp_path, embedder):
    page = NAMES.read_text(encoding="utf-8")
    assert "\n## TL;DR\n" in page  # the case
    assistant = small_kb_assistant(tmp_path, embedder, {"names.md": page})
    answer = assistant.ask("attr.s/attr.ib vs define/field: which API should new code use?")
    assert not answer.refused
    assert answer.citations[0].chunk.heading_path.endswith("TL;DR")
    assert answer.text.startswith("We recommend our modern APIs for new code:")
