"""Issue 14's int8 target, interleaved: a full `KB_EMBED_QUANTIZED=1` ingest of a KB into an
empty data folder against fp32 pure embedding of the same chunks, wall and CPU time per round.

    python benchmarks/int8_ratio.py --rounds 2            # kb/
    python benchmarks/int8_ratio.py --kb data/eval/corpora/pydantic-docs

Each round times, in fresh processes one after the other: fp32 pure embedding (a warm model,
as bench.py times it), the int8 full ingest (a fresh models folder holding only links to the
graphs, so the refusal questions are embedded too) and int8 pure embedding. The graphs come
from data/models (made there first if missing).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from measure import ROOT, run

from ingest.edge import prepare_process
from ingest.embed import Embedder

PURE = """
import json, resource, sys, time
from pathlib import Path
from ingest.edge import prepare_process
prepare_process()
from ingest.embed import Embedder
embedder = Embedder(onnx_dir=Path(sys.argv[1]), quantized=sys.argv[2] == "1")
embedder.embed(["warm up"])
texts = json.loads(Path(sys.argv[3]).read_text())
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
cpu0, wall0 = cpu(), time.perf_counter()
embedder.embed(texts)
print(json.dumps({"wall": time.perf_counter() - wall0, "cpu": cpu() - cpu0}))
"""


def chunk_texts(kb: Path) -> list[str]:
    """What a full ingest embeds: each distinct chunk text once."""
    from ingest.chunk import chunk_markdown
    from ingest.load import load_folder

    documents = load_folder(kb, 10**9).documents
    return list(
        dict.fromkeys(c.embed_text for d in documents for c in chunk_markdown(d.text, d.source))
    )


def pure(models: Path, quantized: bool, texts: Path) -> dict:
    result = run("-c", PURE, models, "1" if quantized else "0", texts)
    return json.loads(result.stdout)


def full_int8(kb: Path, models: Path, work: Path) -> dict:
    fresh = work / "models"
    fresh.mkdir()
    for graph in models.glob("*.onnx"):
        os.link(graph, fresh / graph.name)
    env = {"KB_EMBED_QUANTIZED": "1", "KB_MODEL_DIR": str(fresh)}
    result = run("-m", "ingest", "--kb", kb, "--data", work / "data", env=env)
    return {"wall": result.seconds, "cpu": result.cpu_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, default=ROOT / "kb")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    prepare_process()
    models = ROOT / "data" / "models"
    for quantized in (False, True):
        Embedder(onnx_dir=models, quantized=quantized).embed(["make the graph once"])
    with tempfile.TemporaryDirectory() as folder:
        texts = Path(folder) / "texts.json"
        texts.write_text(json.dumps(chunk_texts(args.kb.resolve())))
        for number in range(1, args.rounds + 1):
            with tempfile.TemporaryDirectory() as work:
                fp32 = pure(models, False, texts)
                full = full_int8(args.kb.resolve(), models, Path(work))
                int8 = pure(models, True, texts)
            row = {
                "round": number,
                "load": round(os.getloadavg()[0], 1),
                **{f"fp32_pure_{k}": round(v, 1) for k, v in fp32.items()},
                **{f"int8_full_{k}": round(v, 1) for k, v in full.items()},
                **{f"int8_pure_{k}": round(v, 1) for k, v in int8.items()},
                **{f"full_ratio_{k}": round(full[k] / fp32[k], 3) for k in ("wall", "cpu")},
                **{f"pure_ratio_{k}": round(int8[k] / fp32[k], 3) for k in ("wall", "cpu")},
            }
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    sys.exit(main())
