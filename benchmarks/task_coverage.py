"""Whole tasks as agents send them: which documents one search of the whole text retrieves
("before") and which the per-aspect search behind kb-mcp's search_kb retrieves ("after").

Each line of the query file is {"q": task, "aspects": [[doc, ...], ...]}: a list of the task's
requests, each with the documents that answer it. Coverage is the share of requests for which
at least one of their documents was retrieved.

examples:
  python benchmarks/task_coverage.py                     # builds an index of kb/ in a temp folder
  python benchmarks/task_coverage.py --data data --k 5   # uses an existing index
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = Path(__file__).with_name("task_queries.jsonl")


def coverage(docs: list[str], aspects: list[list[str]]) -> float:
    return sum(any(d in docs for d in group) for group in aspects) / len(aspects)


def short(source: str) -> str:
    return source.rsplit("/", 1)[-1].removesuffix(".md")


def measure(assistant, queries: list[dict], k: int) -> list[dict]:
    rows = []
    for item in queries:
        before = [h.chunk.source for h in assistant.retrieve(item["q"], k)]
        _, aspects, hits = assistant.search(item["q"], k)
        after = [h.hit.chunk.source for h in hits]
        rows.append(
            {
                "q": item["q"],
                "aspects": aspects,
                "before": before,
                "after": after,
                "after_aspects": [h.aspect for h in hits],
                "coverage_before": coverage(before, item["aspects"]),
                "coverage_after": coverage(after, item["aspects"]),
            }
        )
    return rows


def report(rows: list[dict], k: int) -> str:
    lines = []
    for n, row in enumerate(rows, 1):
        lines.append(f"{n}. {row['q'][:90]}{'…' if len(row['q']) > 90 else ''}")
        lines.append(
            f"   before (k={k}): {len(set(row['before']))} docs, coverage "
            f"{row['coverage_before']:.2f}: " + ", ".join(short(s) for s in row["before"])
        )
        lines.append(
            f"   after: {len(row['aspects'])} aspects, {len(set(row['after']))} docs, coverage "
            f"{row['coverage_after']:.2f}"
        )
        for source, aspect in zip(row["after"], row["after_aspects"], strict=True):
            lines.append(f"     {short(source):34s} ← {aspect[:60]}")
    mean_b = sum(r["coverage_before"] for r in rows) / len(rows)
    mean_a = sum(r["coverage_after"] for r in rows) / len(rows)
    lines.append(f"mean coverage of the tasks' requests: before {mean_b:.2f}, after {mean_a:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("examples:")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--data", type=Path, help="an index of kb/ (default: build one)")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from ingest.edge import prepare_process

    prepare_process()
    from app.core.engine import Assistant
    from ingest.config import Settings
    from ingest.sync import sync

    queries = [json.loads(line) for line in args.queries.read_text().splitlines() if line]
    with tempfile.TemporaryDirectory(prefix="kb-tasks-") as work:
        settings = Settings(
            kb_dir=ROOT / "kb", data_dir=args.data or Path(work), model_dir=ROOT / "data/models"
        )
        if args.data is None:
            sync(settings)
        rows = measure(Assistant(settings), queries, args.k)
    print(json.dumps(rows, indent=2) if args.json else report(rows, args.k))
    return 0


if __name__ == "__main__":
    sys.exit(main())
