"""make bench: our pipeline against a plain llama-index one, on kb/ and on a KB N times larger.

Ingest and cold start run as fresh subprocesses (wall time, peak RSS); the pure embedding
floor, warm query latency and retrieval quality run in this process with the model loaded.
Prints one table and writes every number to data/bench/bench-<UTC time>.json.

examples:
  python benchmarks/bench.py                      # kb/ and a 10x synthetic KB (tens of minutes)
  python benchmarks/bench.py --scale 0 --quick    # kb/ only, one timed run per question
  python benchmarks/bench.py --scale 0 --quick --corpora   # + retrieval on data/eval/corpora
  python benchmarks/bench.py --scale 10,100       # kb/, 10x and 100x (see synth.py)
  python benchmarks/bench.py --scale 10,100 --quick --targets-only --distinct 1 --no-real-kb
                                                  # issue 14's rows at 10x and 100x (~15 min)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import mcp_latency
import plain_pipeline
import report
import synth
from measure import (
    ROOT,
    TIME,
    fresh_models,
    ingest_texts,
    percentiles_ms,
    pure_embedding,
    run,
    warm_latencies,
)

from ingest.edge import prepare_process
from ingest.embed import Embedder

TOP_K = 5
PLAIN_SCRIPT = Path(__file__).with_name("plain_pipeline.py")
# From this scale on, the plain pipeline (no reuse of vectors by content) and the int8 full
# ingest (a target at 1x and 10x only) are left out: each would embed every copy again.
LARGE_SCALE = 100
QUANTIZED = {"KB_EMBED_QUANTIZED": "1"}
FALLBACK_QUESTIONS = Path(__file__).with_name("questions.jsonl")


class UncachedEmbedder(Embedder):
    """Embeds every query: a timed repeat measures the model, not the query-embedding cache."""

    def embed_query(self, text: str):
        return self.embed([text])[0]


def measure_ours(
    kb: Path,
    work: Path,
    questions: list,
    reps: int,
    embedder,
    to_original,
    large: bool,
    targets_only: bool = False,
    repeats: bool = False,
) -> dict:
    """Our pipeline on `kb`; `large` and `targets_only` leave out what no target asks for."""
    from app.core.engine import Assistant
    from app.core.evaluate import metrics
    from ingest.config import Settings

    copy, data = work / "kb-ours", work / "ours"
    shutil.copytree(kb, copy)
    into = ("-m", "ingest", "--kb", copy, "--data")  # + the data folder
    ingest = (*into, data)
    # No target compares a large KB's full ingest with embedding, and on a KB of repeated
    # copies the comparison says little: not worth chunking and embedding it all again here.
    # The floor is timed in the same kind of process before, between and after two full
    # ingests (F I F I F), and the means compared: the load drifts on a shared machine, one
    # floor timed before varied more between runs (30-35 s on kb/) than the ingest it was
    # compared with, and the floor after an ingest was slower than the one before it in every
    # run. A large KB is ingested once (no target compares it with embedding).
    floors: list[float] = []
    texts = None if (large or repeats) else ingest_texts(kb)  # every text the ingest embeds
    passes = [data] if texts is None else [work / "ours-first", data]
    fulls = []
    for n, target in enumerate(passes):
        if texts is not None:
            floors.append(pure_embedding(texts)["wall"])
        # A full ingest into an empty data folder embeds the refusal questions too: a models
        # folder without their cached vectors (the graphs linked in: exporting is once per
        # machine).
        models = fresh_models(work / f"models-fp32-{n}")
        fulls.append(run(*into, target, env={"KB_MODEL_DIR": str(models)}))
    if texts is not None:
        floors.append(pure_embedding(texts)["wall"])
    full = fulls[-1]
    full_s = sum(f.seconds for f in fulls) / len(fulls)
    embed_s = sum(floors) / len(floors) if floors else None
    noop = run(*ingest)
    edited = synth.edit_one_paragraph(copy)
    edit = run(*ingest)
    cold = run("-m", "app.cli", "--data", data, questions[0].q)
    skip_int8 = large or targets_only
    quantized = None
    if not skip_int8:
        fresh = {"KB_MODEL_DIR": str(fresh_models(work / "models-int8"))}
        quantized = run(*into, work / "ours-int8", env=QUANTIZED | fresh)

    assistant = Assistant(Settings(kb_dir=copy, data_dir=data), embedder)
    outcomes = _outcomes(assistant, questions, to_original)
    if quantized is not None:
        int8 = Assistant(
            Settings(kb_dir=copy, data_dir=work / "ours-int8", embed_quantized=True),
            UncachedEmbedder(onnx_dir=ROOT / "data" / "models", quantized=True),
        )
        int8_metrics = metrics(_outcomes(int8, questions, to_original), TOP_K)
    retrieve = warm_latencies(
        lambda q: assistant.retrieve(q.q, TOP_K, history=list(q.history)), questions, reps
    )
    ask = warm_latencies(
        lambda q: assistant.ask(q.q, TOP_K, history=list(q.history)), questions, reps
    )
    mcp = {}
    if not (large or targets_only):
        tasks = [json.loads(line)["q"] for line in mcp_latency.TASKS.read_text().splitlines()]
        mcp = mcp_latency.measure_mcp(copy, data, [q.q for q in questions], tasks)
    return {
        "chunks": _embedded(full.stderr),
        "stored_chunks": _stored(full.stdout),
        "full_s": full_s,
        "full_runs_s": [f.seconds for f in fulls],
        "embed_s": embed_s,
        "embed_floors_s": floors,
        "noop_s": noop.seconds,
        "noop_loaded_model": _embedded(noop.stderr) > 0,
        "edit_s": edit.seconds,
        "edited_file": edited,
        "edit_embedded": _embedded(edit.stderr),
        "cold_s": cold.seconds,
        "full_int8_s": quantized.seconds if quantized else None,
        "hit@5_int8": int8_metrics["hit@5"] if quantized else None,
        "mrr_int8": int8_metrics["mrr"] if quantized else None,
        "peak_rss_mb": max(r.max_rss_mb for r in (full, noop, edit, cold)),
        "rss_mb": {
            "full": full.max_rss_mb,
            "noop": noop.max_rss_mb,
            "edit": edit.max_rss_mb,
            "cold": cold.max_rss_mb,
        },
        "cpu_s": {
            "full": full.cpu_seconds,
            "noop": noop.cpu_seconds,
            "edit": edit.cpu_seconds,
            "cold": cold.cpu_seconds,
        },
        "edit_summary": edit.stdout.strip().splitlines()[-1],
        **_prefixed("retrieve_", percentiles_ms(retrieve)),
        **_prefixed("ask_", percentiles_ms(ask)),
        **metrics(outcomes, TOP_K),
        **mcp,
    }


def measure_plain(kb: Path, work: Path, questions: list, reps: int, embedder, to_original) -> dict:
    from app.core.evaluate import Outcome, metrics

    persist = work / "plain"
    full = run(PLAIN_SCRIPT, "build", "--kb", kb, "--persist", persist)
    cold = run(PLAIN_SCRIPT, "query", "--persist", persist, questions[0].q)

    texts = [plain_pipeline.node_embed_text(n) for n in plain_pipeline.load_nodes(kb)]
    retriever = plain_pipeline.open_retriever(persist)

    def outcome(question) -> Outcome:
        hits = retriever.retrieve(question.q)
        sources = [to_original(plain_pipeline.source_of(h.node.metadata, kb)) for h in hits]
        return Outcome(question, sources, refused=False, cited_sources=[], relevance=0.0)

    outcomes = [outcome(q) for q in questions]
    retrieve = warm_latencies(lambda q: retriever.retrieve(q.q), questions, reps)
    values = metrics(outcomes, TOP_K)
    return {
        "chunks": len(texts),
        "full_s": full.seconds,
        "embed_s": pure_embedding([texts])["wall"],
        # No incremental sync: a no-op or a one-file edit is the same full rebuild.
        "noop_s": full.seconds,
        "edit_s": full.seconds,
        "rebuilt": ["noop_s", "edit_s"],
        "cold_s": cold.seconds,
        "peak_rss_mb": max(full.max_rss_mb, cold.max_rss_mb),
        "rss_mb": {"full": full.max_rss_mb, "cold": cold.max_rss_mb},
        **_prefixed("retrieve_", percentiles_ms(retrieve)),
        "hit@5": values["hit@5"],
        "mrr": values["mrr"],
    }


def _outcomes(assistant, questions: list, to_original) -> list:
    from app.cli import evaluate_one

    outcomes = [evaluate_one(assistant, q, TOP_K) for q in questions]
    return [replace(o, ranked_sources=[to_original(s) for s in o.ranked_sources]) for o in outcomes]


def retrieval_on_corpus(corpus: Path, question_file: Path, work: Path, embedder) -> dict:
    """hit@5 and MRR of ours and of plain llama-index with 256-token chunks on one corpus."""
    from app.cli import evaluate_one
    from app.core.engine import Assistant
    from app.core.evaluate import Outcome, load_questions, metrics
    from ingest.config import Settings
    from ingest.sync import sync

    questions = load_questions(question_file)
    settings = Settings(kb_dir=corpus, data_dir=work / "ours")
    sync(settings, embedder=embedder)
    assistant = Assistant(settings, embedder)
    ours = metrics([evaluate_one(assistant, q, TOP_K) for q in questions], TOP_K)

    model = plain_pipeline.embed_model()
    plain_pipeline.build(corpus, work / "plain256", plain_pipeline.SMALL_CHUNK_TOKENS, model)
    retriever = plain_pipeline.open_retriever(work / "plain256", model)
    plain = metrics(
        [
            Outcome(
                q,
                [
                    plain_pipeline.source_of(h.node.metadata, corpus)
                    for h in retriever.retrieve(q.q)
                ],
                refused=False,
                cited_sources=[],
                relevance=0.0,
            )
            for q in questions
        ],
        TOP_K,
    )
    return {
        "ours": {k: ours[k] for k in ("hit@5", "mrr")},
        "plain256": {k: plain[k] for k in ("hit@5", "mrr")},
        "mrr_ratio": ours["mrr"] / plain["mrr"] if plain["mrr"] else float("inf"),
    }


def corpus_table(results: dict[str, dict]) -> str:
    lines = [
        "retrieval beside plain llama-index with 256-token chunks (target: hit@5 ≥ 0.95, "
        "MRR ≥ 0.90 and ≥ 1.1× plain's)",
    ]
    for name, r in results.items():
        ours, plain = r["ours"], r["plain256"]
        met = ours["hit@5"] >= 0.95 and ours["mrr"] >= 0.90 and r["mrr_ratio"] >= 1.1
        lines.append(
            f"  {name:<24} ours hit@5 {ours['hit@5']:.3f} MRR {ours['mrr']:.3f}   "
            f"plain256 hit@5 {plain['hit@5']:.3f} MRR {plain['mrr']:.3f}   "
            f"ratio {r['mrr_ratio']:.2f}   met: {'yes' if met else 'NO'}"
        )
    return "\n".join(lines)


def _embedded(stderr: str) -> int:
    match = re.search(r"embedded (\d+) chunks", stderr)
    return int(match.group(1)) if match else 0


def _stored(stdout: str) -> int:
    match = re.search(r"\(files \d+, chunks (\d+)\)", stdout)
    return int(match.group(1)) if match else 0


def _scales(text: str) -> list[int]:
    scales = [int(part) for part in text.split(",") if part.strip()]
    if any(scale < 0 for scale in scales):
        raise argparse.ArgumentTypeError("scales must be 0 or more")
    return [scale for scale in scales if scale]


def _same(source: str) -> str:
    return source


def _shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def _prefixed(prefix: str, values: dict) -> dict:
    return {prefix + k: v for k, v in values.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("examples:")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scale",
        type=_scales,
        default=[10],
        help="sizes of synthetic KBs in copies of the KB, comma-separated (0: none)",
    )
    parser.add_argument("--quick", action="store_true", help="1 timed run per question, not 3")
    parser.add_argument(
        "--distinct",
        type=int,
        default=synth.DISTINCT,
        help="how many copies of a synthetic KB are different texts; the rest repeat them and "
        "share their vectors (1: verbatim copies, a full ingest embeds only the KB's own chunks)",
    )
    parser.add_argument(
        "--no-real-kb", action="store_true", help="measure only the synthetic KBs, not --kb"
    )
    parser.add_argument(
        "--targets-only",
        action="store_true",
        help="measure only issue 14's targets: leave out plain llama-index, the int8 ingest and "
        "MCP latency (each of the first two embeds the whole KB again)",
    )
    parser.add_argument("--kb", type=Path, default=ROOT / "kb", help="the real KB folder")
    parser.add_argument(
        "--questions",
        type=Path,
        default=ROOT / "data/eval/questions.jsonl",
        help="labelled questions (falls back to benchmarks/questions.jsonl)",
    )
    parser.add_argument(
        "--corpora",
        action="store_true",
        help="also compare retrieval on kb/ and every data/eval/corpora/* folder with plain "
        "llama-index at 256-token chunks",
    )
    args = parser.parse_args(argv)
    if not Path(TIME).is_file():
        parser.error(f"needs GNU time at {TIME} for peak memory (apt-get install time)")
    prepare_process()
    from app.core.evaluate import load_questions

    started = time.perf_counter()
    question_file = args.questions if args.questions.is_file() else FALLBACK_QUESTIONS
    questions = load_questions(question_file)
    reps = 1 if args.quick else 3
    if args.distinct < 1:
        parser.error("--distinct must be 1 or more")
    kbs = {} if args.no_real_kb else {"kb": (args.kb.resolve(), _same)}
    for scale in args.scale:
        out = ROOT / "data" / "bench" / f"synthetic-{scale}x"
        kbs[f"{scale}x"] = (
            synth.synthesize(args.kb, out, scale, args.distinct),
            synth.original_source,
        )

    logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
    embedder = UncachedEmbedder(onnx_dir=ROOT / "data" / "models")
    embedder.embed(["warm up"])
    if not args.targets_only:
        UncachedEmbedder(onnx_dir=ROOT / "data" / "models", quantized=True).embed(["export"])
    results: dict = {}
    path = ROOT / "data" / "bench" / time.strftime("bench-%Y%m%dT%H%M%SZ.json", time.gmtime())

    def save(seconds: float | None) -> None:
        """Write what is measured so far: a long run that fails late keeps its first scales."""
        record = {
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - elapsed())),
            "argv": sys.argv[1:],
            "machine": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
            },
            "questions": str(question_file),
            "reps": reps,
            "seconds": seconds,
            "results": results,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, indent=2) + "\n")

    def elapsed() -> float:
        return time.perf_counter() - started

    for label, (kb, to_original) in kbs.items():
        print(f"bench: measuring {label} ({kb})", file=sys.stderr, flush=True)
        large = report.scale_of(label) >= LARGE_SCALE
        repeats = report.scale_of(label) > args.distinct and label != "kb"
        with tempfile.TemporaryDirectory(prefix="kb-bench-") as work:
            args_ = (kb, Path(work), questions, reps, embedder, to_original)
            started_kb = time.perf_counter()
            results[label] = {
                "kb": str(kb),
                "ours": measure_ours(*args_, large, args.targets_only, repeats),
                "plain": {} if large or args.targets_only else measure_plain(*args_),
                "seconds": time.perf_counter() - started_kb,
                "load_average": os.getloadavg(),
            }
        print(
            f"bench: {label} took {results[label]['seconds'] / 60:.1f} min, "
            f"load average {os.getloadavg()[0]:.1f}",
            file=sys.stderr,
            flush=True,
        )
        save(None)

    print(report.table(results))
    print()
    print(report.targets_table(results))

    if args.corpora:
        corpora = {"kb": (args.kb.resolve(), question_file)} | {
            p.name: (p, p / "questions.jsonl")
            for p in sorted((ROOT / "data/eval/corpora").glob("*/"))
            if (p / "questions.jsonl").is_file()
        }
        for name, (corpus, file) in corpora.items():
            print(f"bench: retrieval on {name}", file=sys.stderr, flush=True)
            with tempfile.TemporaryDirectory(prefix="kb-bench-") as work:
                results.setdefault("corpora", {})[name] = retrieval_on_corpus(
                    corpus, file, Path(work), embedder
                )
        print(corpus_table(results["corpora"]))
    seconds = time.perf_counter() - started
    print(
        f"{len(questions)} questions from {_shown(question_file)}; {reps} timed "
        "run(s) per question after a warm-up, every run embedding its query (ours' query cache "
        f"bypassed, as plain has none); whole benchmark {seconds / 60:.1f} min"
    )
    save(seconds)
    print(f"results written to {_shown(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
