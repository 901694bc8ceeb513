"""How each number is taken: timed subprocesses with their peak memory, warm query latency."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIME = "/usr/bin/time"  # GNU time (Debian package `time`)


@dataclass(frozen=True)
class Run:
    seconds: float  # wall time, process start to exit
    max_rss_mb: float  # peak resident memory of the process
    cpu_seconds: float  # user + system CPU time: less at the mercy of other load than wall time
    stdout: str
    stderr: str


def child_env() -> dict[str, str]:
    """Our environment without KB_* settings, so both pipelines use the packaged model.

    KB_MODEL_DIR points at the shared ONNX export: exporting is a once-per-machine step, not
    part of an ingest or a cold start (bench.py makes sure it exists before timing).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env["KB_MODEL_DIR"] = str(ROOT / "data" / "models")
    return env


def run(*args: str | Path, env: dict[str, str] | None = None, checkout: Path = ROOT) -> Run:
    """Run `python ARGS` in the project folder (or another `checkout`, with its .venv): wall
    and CPU time, the process's own peak RSS.

    The peak comes from GNU time, not from our wait4: Linux carries a parent's high-water
    mark over fork + exec, so wait4 would report at least this (model-holding) process's RSS.
    """
    python = sys.executable if checkout == ROOT else str(checkout / ".venv" / "bin" / "python")
    command = [python, *map(str, args)]
    with (
        tempfile.NamedTemporaryFile() as peak,
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
    ):
        started = time.perf_counter()
        process = subprocess.run(
            [TIME, "-f", "%M %U %S", "-o", peak.name, *command],
            cwd=checkout,
            env={**child_env(), **(env or {})},
            stdout=out,
            stderr=err,
            check=False,
        )
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        max_rss_kb, user, system = Path(peak.name).read_text().split()[-3:]
    if process.returncode != 0:
        raise SystemExit(f"bench: `{' '.join(command)}` exited {process.returncode}:\n{stderr}")
    return Run(seconds, int(max_rss_kb) / 1024, float(user) + float(system), stdout, stderr)


def ingest_texts(kb: Path) -> list[list[str]]:
    """What a full ingest of `kb` into an empty data folder embeds, in the calls it makes:
    each distinct chunk text once (chunked as ingest/sync.py does, snippet includes inlined),
    then the questions its refusal statistics score (off-topic and synthetic:
    ingest/refusal_meta.py), which only a models folder that cached their vectors spares."""
    from ingest import refusal_meta
    from ingest.chunk import chunk_markdown
    from ingest.load import load_folder
    from ingest.snippets import snippet_reader

    documents = load_folder(kb, 10**9).documents
    chunks = [
        c for d in documents for c in chunk_markdown(d.text, d.source, snippet_reader(kb, d.source))
    ]
    synthetic = refusal_meta.sample(refusal_meta.synthetic_questions(chunks))
    questions = refusal_meta.off_topic_questions() + [q for _, q in synthetic]
    return [list({c.hash: c.embed_text for c in chunks}.values()), list(dict.fromkeys(questions))]


PURE = """
import json, resource, sys, time
from pathlib import Path
from ingest.edge import prepare_process
prepare_process()
from ingest.embed import Embedder
embedder = Embedder(onnx_dir=Path(sys.argv[1]), quantized=sys.argv[2] == "1")
embedder.embed(["warm up"])
calls = json.loads(Path(sys.argv[3]).read_text())
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
cpu0, wall0 = cpu(), time.perf_counter()
for texts in calls:
    embedder.embed(texts)
print(json.dumps({"wall": time.perf_counter() - wall0, "cpu": cpu() - cpu0}))
"""


def pure_embedding(
    calls: list[list[str]], quantized: bool = False, checkout: Path = ROOT
) -> dict[str, float]:
    """Wall and CPU seconds a fresh process with a warm model takes to embed `calls`
    (ingest_texts), as a full ingest's floor: the same kind of process as the ingest it is
    compared with, run just before it, so both see the same load. `checkout`: whose embedder
    (another checkout's, for an A/B of the embedder itself)."""
    import json

    with tempfile.NamedTemporaryFile("w", suffix=".json") as texts:
        json.dump(calls, texts)
        texts.flush()
        models = ROOT / "data" / "models"
        flag = "1" if quantized else "0"
        result = run("-c", PURE, models, flag, texts.name, checkout=checkout)
    return json.loads(result.stdout)


def fresh_models(folder: Path) -> Path:
    """A models folder holding only links to data/models' graphs: an ingest using it starts
    as one into an empty data folder would (no cached question vectors), but skips the
    once-per-machine export."""
    folder.mkdir(parents=True)
    for graph in (ROOT / "data" / "models").glob("*.onnx"):
        os.link(graph, folder / graph.name)
    return folder


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def warm_latencies(fn: Callable[[str], object], queries: Iterable, reps: int) -> list[float]:
    """Seconds per call of `fn(query)`, each query run once untimed first."""
    times = []
    for query in queries:
        fn(query)
        times += [timed(lambda q=query: fn(q)) for _ in range(reps)]
    return times


def percentiles_ms(times: list[float]) -> dict[str, float]:
    """p50 and p95 in milliseconds."""
    if not times:
        return {"p50_ms": float("nan"), "p95_ms": float("nan")}
    p95 = statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 else times[0]
    return {"p50_ms": statistics.median(times) * 1000, "p95_ms": p95 * 1000}
