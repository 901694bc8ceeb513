"""Move labelled answer lines to where their quotes now stand, after the documents were edited.

Each labelled question carries `answer_quote`, a verbatim excerpt of its first answering line.
When an edit shifts lines, this finds the quote again and shifts the question's line ranges in
that document by the same amount. Questions whose quote is gone are listed for a person to fix.

  python scripts/relocate_answer_lines.py data/eval/questions.jsonl kb
  python scripts/relocate_answer_lines.py data/eval/corpora/NAME/questions.jsonl \
      data/eval/corpora/NAME
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def quote_line(lines: list[str], quote: str, near: int) -> int | None:
    """The 1-based line holding `quote` that is closest to line `near`."""
    found = [n for n, line in enumerate(lines, 1) if quote in line]
    return min(found, key=lambda n: abs(n - near)) if found else None


def relocate(item: dict, root: Path) -> str | None:
    """Shift `item`'s answer lines in place; return a problem, or None."""
    spans, quote = item.get("answer_lines"), item.get("answer_quote")
    if not spans or not quote:
        return None
    source, first, _ = spans[0]
    lines = (root / source).read_text(encoding="utf-8").splitlines()
    now = quote_line(lines, quote, first)
    if now is None:
        return f"quote no longer in {source}: {quote!r} ({item['q']!r})"
    shift = now - first
    item["answer_lines"] = [
        [s, a + shift, b + shift] if s == source else [s, a, b] for s, a, b in spans
    ]
    return None


def main(argv: list[str]) -> int:
    questions, root = Path(argv[0]), Path(argv[1])
    items = [json.loads(line) for line in questions.read_text().splitlines() if line.strip()]
    problems = [p for item in items if (p := relocate(item, root))]
    questions.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
