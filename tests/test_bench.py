"""The benchmark's own logic: the plain pipeline's scoring, the synthetic KB, the table."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.core.evaluate import Outcome, Question, metrics

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import plain_pipeline  # noqa: E402
import report  # noqa: E402
import synth  # noqa: E402

DOC = """# Testing

Use a small fixture and check the response.

## Running tests

```python
def test_use():  # code stays as written
    assert use(1)
```

Make it fast.
"""


def plain_outcome(question: Question, paths: list[Path], kb: Path) -> Outcome:
    sources = [plain_pipeline.source_of({"file_path": str(p)}, kb) for p in paths]
    return Outcome(question, sources, refused=False, cited_sources=[], relevance=0.0)


def test_plain_sources_score_like_ours(tmp_path: Path):
    kb = tmp_path / "kb"
    hit = Question("q1", ("web/fastapi.md",))
    late = Question("q2", ("practice/testing.md",))
    miss = Question("q3", ("web/flask.md",))
    refusal = Question("q4", ())  # not covered: left out of hit@5 and MRR
    outcomes = [
        plain_outcome(hit, [kb / "web/fastapi.md"], kb),
        plain_outcome(late, [kb / "web/a.md", kb / "web/b.md", kb / "practice/testing.md"], kb),
        plain_outcome(miss, [kb / "web/fastapi.md"], kb),
        plain_outcome(refusal, [kb / "web/fastapi.md"], kb),
    ]
    values = metrics(outcomes, 5)
    assert values["hit@5"] == pytest.approx(2 / 3)
    assert values["mrr"] == pytest.approx((1 + 1 / 3) / 3)


def test_synthetic_copies_differ_but_keep_structure():
    assert synth.vary(DOC, 0) == DOC
    first, second = synth.vary(DOC, 1), synth.vary(DOC, 2)
    assert first == synth.vary(DOC, 1)  # deterministic
    assert len({DOC, first, second}) == 3
    for copy in (first, second):
        assert copy.count("\n#") == DOC.count("\n#")
        assert "def test_use():  # code stays as written\n    assert use(1)" in copy
        assert "# Testing (" in copy
    assert synth.original_source("v03/web/fastapi.md") == "web/fastapi.md"


def test_synthesize_writes_scale_copies(tmp_path: Path):
    kb = tmp_path / "kb"
    (kb / "practice").mkdir(parents=True)
    (kb / "practice" / "testing.md").write_text(DOC)
    out = synth.synthesize(kb, tmp_path / "synthetic", 3)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    assert files == [f"v0{i}/practice/testing.md" for i in range(3)]
    assert synth.edit_one_paragraph(out) == "v00/practice/testing.md"
    assert "added by the benchmark" in (out / "v00/practice/testing.md").read_text()


def test_table_marks_targets():
    ours = {
        "full_s": 10.0,
        "embed_s": 9.0,
        "noop_s": 0.3,
        "noop_loaded_model": False,
        "ask_p50_ms": 150.0,
        "hit@5": 0.9,
        "mrr": 0.8,
    }
    plain = {"full_s": 12.0, "noop_s": 12.0, "rebuilt": ["noop_s"], "hit@5": 0.8, "mrr": 0.9}
    lines = report.table({"kb": {"ours": ours, "plain": plain}}).splitlines()
    row = {line.split("  ")[0].strip(): line for line in lines}
    assert row["full ingest (s)"].split()[-1] == "yes"
    assert row["no-op re-ingest (s)"].split()[-2:] == ["12.00*", "yes"]
    assert row["warm retrieval + answer p50 (ms)"].split()[-3:] == ["150.0", "n/a", "NO"]
    assert row["MRR (covered questions)"].split()[-1] == "NO"


def test_copies_past_the_distinct_ones_repeat_text(tmp_path: Path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "testing.md").write_text(DOC)
    out = synth.synthesize(kb, tmp_path / "synthetic", synth.DISTINCT + 2)
    text = {p.parent.name: p.read_text() for p in out.rglob("*.md")}
    assert len(text) == synth.DISTINCT + 2
    assert len(set(text.values())) == synth.DISTINCT  # the rest share vectors by content hash
    assert text[f"v{synth.DISTINCT:02d}"] == text["v00"] == DOC
    assert text[f"v{synth.DISTINCT + 1:02d}"] == text["v01"] != DOC


def test_one_distinct_copy_makes_verbatim_copies(tmp_path: Path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "testing.md").write_text(DOC)
    out = synth.synthesize(kb, tmp_path / "synthetic", 3, distinct=1)
    assert [p.read_text() for p in sorted(out.rglob("*.md"))] == [DOC] * 3


def test_targets_table_per_scale():
    fast = {"edit_s": 1.5, "noop_s": 0.5, "full_s": 105.0, "embed_s": 100.0, "full_int8_s": 70.0}
    table = report.targets_table({"kb": {"ours": fast}, "100x": {"ours": {"noop_s": 0.5}}})
    row = {line.split("  ")[0].strip(): " ".join(line.split()) for line in table.splitlines()}
    assert row["one-file edit re-ingest (s)"].endswith("≤ 2 1.50 yes ≤ 6 n/a")
    assert row["no-op re-ingest (s)"].endswith("≤ 0.3 0.50 NO ≤ 1 0.50 yes")
    assert row["int8 full ingest / fp32 pure embedding"].endswith("≤ 0.55 0.70 NO — n/a")
    assert report.scale_of("kb") == 1 and report.scale_of("100x") == 100


def test_pure_embedding_floor_is_what_a_full_ingest_embeds(tmp_path: Path):
    """Issue 14's ratio divides a full ingest by the time to embed measure.ingest_texts: the
    same texts in the same calls, refusal questions and inlined snippets included."""
    import shutil

    import measure

    from ingest.config import Settings
    from ingest.embed import Embedder
    from ingest.sync import sync

    class Recording(Embedder):
        calls: list[list[str]] = []

        def embed(self, texts, progress=None):
            self.calls.append(list(texts))
            return super().embed(texts, progress)

    kb = tmp_path / "kb"
    shutil.copytree(Path(__file__).parent / "fixtures" / "mkdocs_kb", kb)
    embedder = Recording(onnx_dir=measure.ROOT / "data" / "models")
    report = sync(Settings(kb_dir=kb, data_dir=tmp_path / "data"), embedder=embedder)

    expected = measure.ingest_texts(kb)
    assert embedder.calls == expected
    assert len(expected[0]) == report.embedded > 0
    assert any("def backoff_delay" in text for text in expected[0])  # docs_src, inlined
    assert "How do I write a will?" in expected[1]  # an off-topic refusal question
