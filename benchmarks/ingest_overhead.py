"""What a full ingest spends besides embedding, measured inside one process: CPU and wall time
in Embedder.embed (the model load and the refusal questions included) against the rest. Unlike
a ratio of two processes, it does not move with how fast the shared cores embed this minute.

    KB_MODEL_DIR=/tmp/fresh-models python benchmarks/ingest_overhead.py --kb kb --data /tmp/d

(a models folder with only the graphs linked in, measure.fresh_models, and an empty data folder:
then the refusal questions are embedded too). The CPU total counts the interpreter's start and
every import; the wall total starts after `import ingest.embed`.
"""

from __future__ import annotations

import resource
import runpy
import sys
import time

from ingest.embed import Embedder

spent = {"cpu": 0.0, "wall": 0.0}
embed = Embedder.embed


def timed_embed(self, texts, progress=None):
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        return embed(self, texts, progress)
    finally:
        spent["cpu"] += time.process_time() - cpu
        spent["wall"] += time.perf_counter() - wall


def main() -> None:
    Embedder.embed = timed_embed  # type: ignore[method-assign]  # the real embed, timed
    started = time.perf_counter()
    sys.argv = ["kb-ingest", *sys.argv[1:]]
    try:
        runpy.run_module("ingest", run_name="__main__")
    except SystemExit:
        pass
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu, wall = usage.ru_utime + usage.ru_stime, time.perf_counter() - started
    print(
        f"cpu total {cpu:.1f} s, embedding {spent['cpu']:.1f} s, rest {cpu - spent['cpu']:.2f} s, "
        f"ratio {cpu / spent['cpu']:.3f}; wall total {wall:.1f} s, embedding "
        f"{spent['wall']:.1f} s, rest {wall - spent['wall']:.2f} s, ratio "
        f"{wall / spent['wall']:.3f}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
