"""How well `split_parts` tells two-part questions from one-part ones, against the hand labels
in data/eval/question_parts.jsonl (every evaluation question; "parts": 1 or 2). Prints each
false split and each missed split, then precision and recall of "this question has two parts".

    .venv/bin/python scripts/split_accuracy.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.query import split_parts  # noqa: E402

LABELS = ROOT / "data" / "eval" / "question_parts.jsonl"


def main() -> None:
    hits = false_splits = missed = 0
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        split = len(split_parts(row["q"])) > 1
        labelled = row["parts"] > 1
        if split and labelled:
            hits += 1
        elif split:
            false_splits += 1
            print(f"false split [{row['corpus']}] {row['q']} -> {split_parts(row['q'])}")
        elif labelled:
            missed += 1
            print(f"missed      [{row['corpus']}] {row['q']}")
    precision = hits / max(1, hits + false_splits)
    recall = hits / max(1, hits + missed)
    print(f"two-part: {hits} found, {false_splits} false splits, {missed} missed;")
    print(f"precision {precision:.3f}, recall {recall:.3f}")


if __name__ == "__main__":
    main()
