"""What the refusal statistics add to an ingest (ingest/refusal.py, refusal_meta.py).

Times, on an existing index, the work an incremental edit adds: reading the cached question
vectors, scoring ~200 off-topic and up to 240 synthetic questions against every row (dense
and keyword), choosing the threshold and the hubs. The model is loaded only for questions
not cached yet (an edit's new headings); the first run after a fresh ingest has none.

examples:
  python benchmarks/refusal_cost.py --data data            # kb/'s index
  python benchmarks/refusal_cost.py --data data --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from ingest.config import Settings
from ingest.edge import prepare_process
from ingest.keyword import load_bm25
from ingest.refusal_meta import record
from ingest.store import LocalIndex


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    prepare_process()
    settings = Settings(data_dir=args.data)
    index = LocalIndex(settings.index_dir)
    generation = index.load(vectors=True)
    assert generation.vectors is not None
    keyword = load_bm25(index.root / generation.name / "bm25")
    sources = [c.source for c in generation.chunks]
    synthetic = generation.meta["refusal"]["synthetic_questions"]
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = record(settings, generation.vectors, keyword, sources, synthetic, None)
        times.append(time.perf_counter() - started)
    print(
        f"refusal statistics: {len(generation.chunks)} chunks, "
        f"{result['off_topic']['questions'] + result['synthetic']['questions']} questions, "
        f"median {statistics.median(times) * 1000:.0f} ms over {args.repeat} runs "
        f"(threshold {result['threshold']}, hubs {sorted(result['hubs'])})"
    )


if __name__ == "__main__":
    main()
