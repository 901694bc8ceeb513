"""Blind grading sheets from `kb-eval --dump` files, for graders who never see the code.

usage:
  python scripts/grading_sheets.py OUT before=DIR after=DIR [--graders 6] [--per-corpus 40]
                                   [--changed]

Each DIR holds one dump per corpus: kb.jsonl and one per folder of data/eval/corpora
(`kb-eval --dump DIR/kb.jsonl`, `kb-eval --corpus data/eval/corpora/<name> --dump
DIR/<name>.jsonl`); a corpus without a dump in every DIR is skipped. A third variant, "top",
is the first variant's best retrieved passage shown unchanged. The same covered questions are
drawn for every variant (seeded by corpus name), the variants of each item are shuffled under
letters, and OUT/secret.json keeps the mapping; give each grader docs/grading.md and one
OUT/sheets/sheet-N.md, and tally with scripts/grading_tally.py OUT. With --changed, only the
covered questions whose answer differs between the variants are drawn (a change's effect,
graded on what it changed).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# name -> knowledge base folder; the same corpora the other evaluation scripts read
CORPORA = {
    "kb": ROOT / "kb",
    **{p.name: p for p in sorted((ROOT / "data/eval/corpora").iterdir()) if p.is_dir()},
}


def load(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8") as lines:
        return {r["q"]: r for r in map(json.loads, lines)}


def items(variants: dict[str, Path], per_corpus: int, changed: bool = False) -> list[dict]:
    found = []
    for corpus, folder in CORPORA.items():
        if not all((d / f"{corpus}.jsonl").is_file() for d in variants.values()):
            continue
        dumps = {name: load(d / f"{corpus}.jsonl") for name, d in variants.items()}
        first = next(iter(dumps.values()))
        covered = sorted(q for q, r in first.items() if r["expect"])
        if changed:
            covered = [q for q in covered if len({d[q]["answer"] for d in dumps.values()}) > 1]
        for q in random.Random(corpus).sample(covered, min(per_corpus, len(covered))):
            texts = {
                name: ("(REFUSED) " if d[q]["refused"] else "") + d[q]["answer"]
                for name, d in dumps.items()
            }
            texts["top"] = first[q]["top_passage"] or "(nothing)"
            docs = [str(folder / s) for s in first[q]["expect"]]
            found.append({"corpus": corpus, "q": q, "docs": docs, "texts": texts})
    return found


def sheet_item(number: int, item: dict, order: list[str]) -> str:
    body = [
        f"## Item {number}",
        f"**Question:** {item['q']}",
        "",
        "**Expected documents (read them):** " + ", ".join(item["docs"]),
        "",
    ]
    for label, name in zip("ABCDEFG", order, strict=False):
        text = item["texts"][name].replace("```", "'''")
        body += [f"### Answer {label}", "", "```text", text, "```", ""]
    return "\n".join(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("variants", nargs="+", help="NAME=DIR of kb-eval --dump files")
    parser.add_argument("--graders", type=int, default=6)
    parser.add_argument("--per-corpus", type=int, default=40)
    parser.add_argument("--changed", action="store_true", help="only changed answers")
    args = parser.parse_args()
    variants = {n: Path(d) for n, d in (v.split("=", 1) for v in args.variants)}
    drawn = items(variants, args.per_corpus, args.changed)
    rng = random.Random(2026)
    rng.shuffle(drawn)
    secret, sheets = [], [[] for _ in range(args.graders)]
    for number, item in enumerate(drawn, 1):
        order = list(item["texts"])
        rng.shuffle(order)
        labels = dict(zip("ABCDEFG", order, strict=False))
        secret.append({"item": number, "corpus": item["corpus"], "q": item["q"], "labels": labels})
        sheets[(number - 1) % args.graders].append(sheet_item(number, item, order))
    (args.out / "sheets").mkdir(parents=True, exist_ok=True)
    for n, sheet in enumerate(sheets, 1):
        (args.out / "sheets" / f"sheet-{n}.md").write_text("\n\n".join(sheet), encoding="utf-8")
    (args.out / "secret.json").write_text(json.dumps(secret, indent=1), encoding="utf-8")
    print(f"{len(drawn)} items on {args.graders} sheets in {args.out / 'sheets'}")


if __name__ == "__main__":
    main()
