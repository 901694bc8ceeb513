"""Issue 14's full-ingest targets, interleaved: a full `kb-ingest` of a KB into an empty data
folder (fp32, and with `--int8` also `KB_EMBED_QUANTIZED=1`) against fp32 pure embedding of
every text that ingest embeds, wall and CPU time (user + sys) per round.

    python benchmarks/ingest_ratio.py --rounds 2                   # fp32 on kb/
    python benchmarks/ingest_ratio.py --rounds 2 --int8            # fp32 and int8
    python benchmarks/ingest_ratio.py --against /tmp/main-checkout # A/B, same rounds
    python benchmarks/ingest_ratio.py --kb data/eval/corpora/pydantic-docs

Each round times, in fresh processes one after the other, for this checkout and each
`--against` checkout (its own code and .venv): fp32 pure embedding (a warm model, as bench.py
times it) of measure.ingest_texts (each distinct chunk text, then the refusal questions), then
the fp32 full ingest (a fresh models folder holding only links to the graphs, so the refusal
questions are embedded too), each ratio against that checkout's own floor; then with `--int8`
each checkout's int8 full ingest (against its fp32 floor) and this checkout's int8 pure
embedding. The graphs come from
data/models (made there first if missing). Prints one JSON line per round, then the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from measure import ROOT, fresh_models, ingest_texts, pure_embedding, run

from ingest.edge import prepare_process
from ingest.embed import Embedder


def full_ingest(kb: Path, work: Path, quantized: bool, checkout: Path) -> dict:
    env = {"KB_EMBED_QUANTIZED": "1" if quantized else "0"}
    env["KB_MODEL_DIR"] = str(fresh_models(work / "models"))
    result = run("-m", "ingest", "--kb", kb, "--data", work / "data", env=env, checkout=checkout)
    return {"wall": result.seconds, "cpu": result.cpu_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, default=ROOT / "kb")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--int8", action="store_true", help="also the int8 full ingest")
    parser.add_argument(
        "--against", type=Path, action="append", default=[], help="another checkout (its .venv)"
    )
    args = parser.parse_args()
    prepare_process()
    models = ROOT / "data" / "models"
    for quantized in (False, True) if args.int8 else (False,):
        Embedder(onnx_dir=models, quantized=quantized).embed(["make the graph once"])
    checkouts = {"this": ROOT} | {path.name: path.resolve() for path in args.against}
    rows = []
    embedded = ingest_texts(args.kb.resolve())
    for number in range(1, args.rounds + 1):
        row: dict = {"round": number, "load": round(os.getloadavg()[0], 1)}
        order = list(checkouts.items())
        order = order if number % 2 else order[::-1]  # A/B, then B/A
        floors = {}
        for label, checkout in order:
            # Each checkout's full ingest against its own embedder's floor, timed just before.
            fp32 = floors[label] = pure_embedding(embedded, checkout=checkout)
            with tempfile.TemporaryDirectory() as work:
                full = full_ingest(args.kb.resolve(), Path(work), False, checkout)
            row |= {f"{label}_fp32_pure_{k}": round(v, 1) for k, v in fp32.items()}
            row |= {f"{label}_fp32_full_{k}": round(v, 1) for k, v in full.items()}
            row |= {f"{label}_fp32_ratio_{k}": round(full[k] / fp32[k], 3) for k in full}
        if args.int8:
            for label, checkout in order:
                with tempfile.TemporaryDirectory() as work:
                    full = full_ingest(args.kb.resolve(), Path(work), True, checkout)
                row |= {f"{label}_int8_full_{k}": round(v, 1) for k, v in full.items()}
                ratios = {k: full[k] / floors[label][k] for k in full}
                row |= {f"{label}_int8_full_ratio_{k}": round(v, 3) for k, v in ratios.items()}
            int8 = pure_embedding(embedded, quantized=True)
            row |= {f"int8_pure_{k}": round(v, 1) for k, v in int8.items()}
            row |= {f"int8_pure_ratio_{k}": round(int8[k] / floors["this"][k], 3) for k in int8}
        print(json.dumps(row), flush=True)
        rows.append(row)
    ratios = [key for key in rows[0] if "ratio" in key]
    medians = {key: round(statistics.median(r[key] for r in rows), 3) for key in ratios}
    print(json.dumps({"medians": medians, "texts": [len(texts) for texts in embedded]}))


if __name__ == "__main__":
    sys.exit(main())
