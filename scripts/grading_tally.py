"""Tally blind grades: OUT/grades/*.json hold [{"item": n, "A": 0-3, "B": ...}, ...].

usage: python scripts/grading_tally.py OUT   (OUT as given to scripts/grading_sheets.py)
Prints, per corpus and variant, how many answers were graded and the share graded >= 2 and = 3.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path


def main() -> None:
    out = Path(sys.argv[1])
    secret = {s["item"]: s for s in json.loads((out / "secret.json").read_text())}
    grades: dict[tuple[str, str], list[int]] = defaultdict(list)
    graded = set()
    for path in sorted((out / "grades").glob("*.json")):
        for row in json.loads(path.read_text()):
            item = secret[int(row["item"])]
            graded.add(item["item"])
            for label, variant in item["labels"].items():
                if row.get(label) is not None:
                    grades[(item["corpus"], variant)].append(int(row[label]))
                    grades[("all", variant)].append(int(row[label]))
    missing = sorted(set(secret) - graded)
    if missing:
        print(f"not graded: items {missing}")
    for (corpus, variant), found in sorted(grades.items()):
        n = len(found)
        two = sum(g >= 2 for g in found) / n
        three = sum(g == 3 for g in found) / n
        print(f"{corpus:22} {variant:8} n={n:3}  >=2 {two:.0%}  =3 {three:.0%}")


if __name__ == "__main__":
    main()
