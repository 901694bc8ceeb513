"""The onnxruntime embedder gives the same vectors as sentence-transformers, much faster to load."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from conftest import MODEL_CACHE, ROOT

from ingest.embed import Embedder

TEXTS = [
    "How do I open a database session per request in FastAPI?",
    "short",
    "Mock only at the boundaries of your system. " * 40,  # longer than the model's 256 tokens
    "Émigré café — naïve façade: unicode survives tokenisation.",
]


def test_onnx_vectors_match_sentence_transformers(embedder) -> None:
    onnx = embedder.embed(TEXTS)
    torch_vectors = Embedder().embed(TEXTS)  # no onnx_dir: sentence-transformers on torch
    cosines = (onnx * torch_vectors).sum(axis=1)
    assert np.all(cosines > 0.9999), cosines
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)


def test_embedding_keeps_input_order_when_batched_by_length(embedder) -> None:
    together = embedder.embed(TEXTS)
    one_by_one = np.vstack([embedder.embed([t]) for t in TEXTS])
    assert np.allclose(together, one_by_one, atol=1e-5)


def test_loading_does_not_import_torch(embedder) -> None:
    code = (
        "import sys; from pathlib import Path; from ingest.embed import Embedder; "
        f"Embedder(onnx_dir=Path({str(MODEL_CACHE)!r})).embed(['x']); "
        "print('torch' in sys.modules)"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == "False", result.stderr
    assert time.monotonic() - started < 60


@pytest.mark.slow
def test_query_cache_is_safe_under_concurrent_sessions(monkeypatch) -> None:
    """Eight chat sessions asking at once, each question new: no error, the right vectors.

    The race (two threads evicting the same key: KeyError, or "dictionary changed size during
    iteration") needs a thread switch within a few bytecodes, so it is rare per lookup: on
    the unfixed cache 8 threads x 600 lookups raised 4 errors; this test's 800 lookups catch
    it only sometimes. The fix (one lock around lookup and eviction) makes it impossible.
    """
    from ingest import embed

    monkeypatch.setattr(embed, "QUERY_CACHE_SIZE", 1)  # every new question evicts
    model = Embedder(onnx_dir=MODEL_CACHE)
    questions = [f"question {i} about retries" for i in range(200)]
    errors: list[BaseException] = []
    answers: list[tuple[int, np.ndarray]] = []

    def session(number: int) -> None:
        for i in range(number % 2, len(questions), 2):  # two sessions share each question
            try:
                answers.append((i, model.embed_query(questions[i])))
            except Exception as exc:  # the UI would show this one as a traceback
                errors.append(exc)

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        threads = [threading.Thread(target=session, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert not errors, f"{len(errors)} errors, e.g. {errors[0]!r}"
    expected = model.embed(questions)
    assert len(answers) == 4 * len(questions)
    assert all(np.allclose(vector, expected[i], atol=1e-5) for i, vector in answers)
    assert len(model._queries) <= 1


def test_quantized_flag_reembeds_everything_and_answers(settings, embedder) -> None:
    from dataclasses import replace

    from app.core.engine import Assistant
    from ingest.store import LocalIndex
    from ingest.sync import sync

    first = sync(settings, embedder=embedder)
    quantized = replace(settings, embed_quantized=True, model_dir=MODEL_CACHE)
    report = sync(quantized)  # its own embedder: the int8 graph, made once next to fp32's
    assert report.embedded == report.chunks == first.chunks and len(report.updated) == first.chunks
    index = LocalIndex(settings.index_dir)
    assert index.load().meta["model"] == "all-MiniLM-L6-v2-int8-fused"
    assert (MODEL_CACHE / "all-MiniLM-L6-v2-int8-fused.onnx").is_file()
    answer = Assistant(quantized).ask("What should I mock in tests?")
    assert answer.citations and answer.citations[0].chunk.source == "practice/testing.md"
    int8 = Embedder(onnx_dir=MODEL_CACHE, quantized=True).embed(TEXTS)
    cosines = (int8 * embedder.embed(TEXTS)).sum(axis=1)
    assert np.all(cosines > 0.97) and not np.allclose(cosines, 1.0, atol=1e-4), cosines
    assert sync(settings, embedder=embedder).embedded == first.chunks  # and back to fp32


def test_quantized_vectors_keep_the_neighbours_of_real_chunks(embedder) -> None:
    """int8 may move vectors a little, not change which passages are near each other."""
    import onnx

    from ingest.chunk import chunk_markdown
    from ingest.load import load_folder

    documents = load_folder(ROOT / "kb", 10**9).documents
    texts = [c.embed_text for d in documents[::8] for c in chunk_markdown(d.text, d.source)]
    fp32 = embedder.embed(texts)
    int8 = Embedder(onnx_dir=MODEL_CACHE, quantized=True).embed(texts)
    cosines = (fp32 * int8).sum(axis=1)
    assert cosines.mean() > 0.99 and cosines.min() > 0.97, (cosines.mean(), cosines.min())

    def nearest(vectors: np.ndarray, k: int) -> np.ndarray:
        similarity = vectors @ vectors.T
        np.fill_diagonal(similarity, -2.0)
        return np.argsort(-similarity, axis=1)[:, :k]

    top3, first = nearest(fp32, 3), nearest(int8, 1)[:, 0]
    kept = np.mean([first[i] in top3[i] for i in range(len(texts))])
    assert len(texts) > 100 and kept > 0.95, (len(texts), kept)
    # The speed comes from the fused graph: one quantized attention operator per layer.
    graph = onnx.load(str(MODEL_CACHE / "all-MiniLM-L6-v2-int8-fused.onnx"))
    assert [n.op_type for n in graph.graph.node].count("QAttention") == 6


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KB_EMBED_QUANTIZED": "maybe"}, "KB_EMBED_QUANTIZED must be 1 or 0"),
        ({"KB_EMBED_QUANTIZED": "1", "KB_EMBED_MODEL": "x"}, "applies to the packaged model"),
    ],
)
def test_quantized_setting_is_validated(env, message) -> None:
    from ingest.config import Settings
    from ingest.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env, dotenv=None)
    assert Settings.from_env({"KB_EMBED_QUANTIZED": "yes"}, dotenv=None).embed_quantized
    assert not Settings.from_env({}, dotenv=None).embed_quantized
