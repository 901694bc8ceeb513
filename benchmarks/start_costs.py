"""Per-process costs of a no-op re-ingest, a one-file edit and a cold `kb-ask`, with CPU time.

On a shared machine wall time swings with the load; a process's CPU time (user + sys, from
GNU time) barely does, so both are printed, with the load average. Each round runs a no-op,
a one-file edit (`synth.edit_one_paragraph`) and a first answer, each a fresh process. With
`--against CHECKOUT` every round runs the same three with that checkout's code too
(interleaved A/B on the same index; both must share chunking code, or each run rebuilds).

examples:
  python benchmarks/start_costs.py --scale 10 --rounds 3
  python benchmarks/start_costs.py --scale 10 --against /tmp/main-checkout
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from measure import ROOT, TIME, child_env
from synth import edit_one_paragraph

QUESTION = "How do I profile a slow Python endpoint?"


def run(checkout: Path, *args: str | Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + sys) and peak RSS in MB of `python ARGS`."""
    with tempfile.NamedTemporaryFile() as out:
        python = checkout / ".venv" / "bin" / "python"
        command = [TIME, "-f", "%e %U %S %M", "-o", out.name, str(python), *map(str, args)]
        process = subprocess.run(command, cwd=checkout, env=child_env(), capture_output=True)
        if process.returncode != 0:
            raise SystemExit(f"`{' '.join(command)}` failed:\n{process.stderr.decode()}")
        wall, user, system, rss = Path(out.name).read_text().split()[-4:]
    return float(wall), float(user) + float(system), int(rss) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="verbatim copies of kb/")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, help="KB and index folder, reused when it exists")
    parser.add_argument("--against", type=Path, help="another checkout to interleave with")
    args = parser.parse_args()
    work = args.work or Path(tempfile.gettempdir()) / f"kb-start-costs-{args.scale}x"
    kb, data = work / "kb", work / "data"
    if not (data / "index" / "CURRENT").exists():
        shutil.rmtree(work, ignore_errors=True)
        for copy in range(args.scale):
            shutil.copytree(ROOT / "kb", kb / f"copy{copy}" if args.scale > 1 else kb)
        # Identical copies share vectors by content hash: only one copy is embedded.
        wall = run(ROOT, "-m", "ingest", "--kb", kb, "--data", data)[0]
        print(f"full ingest: {wall:.1f} s wall")
    checkouts = {"this": ROOT, **({"against": args.against.resolve()} if args.against else {})}
    results: dict[str, list[tuple[float, float, float]]] = {}
    for _ in range(args.rounds):
        for label, checkout in checkouts.items():
            ingest = ("-m", "ingest", "--kb", kb, "--data", data)
            results.setdefault(f"{label} no-op", []).append(run(checkout, *ingest))
            edit_one_paragraph(kb)
            results.setdefault(f"{label} edit", []).append(run(checkout, *ingest))
            cold = ("-m", "app.cli", "--data", data, QUESTION)
            results.setdefault(f"{label} cold start", []).append(run(checkout, *cold))
    for name, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        rss = max(r[2] for r in runs)
        print(f"{name:>18}: wall {wall:.2f} s, CPU {cpu:.2f} s (medians), peak RSS {rss:.0f} MB")
    print("load average " + " ".join(f"{load:.1f}" for load in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
