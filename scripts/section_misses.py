"""Right document, wrong section? For each covered question with labelled `answer_lines`,
where the passage holding them ranks among the top 10 hits, and whether the top hit is another
piece of the same document:

  top              the top hit holds the answer lines
  samefile@r       the top hit is another piece of the answer's document; the answer is at r
  otherfile@r      the top hit is another document; the answer is at r
  absent-samefile  not in the top 10, and the top hit is another piece of the answer's document
  absent           not in the top 10, and the top hit is another document

With a `kb-eval --dump` file it also counts, per class, the questions whose answer lacks the
key point or does not cite the answer lines.

    .venv/bin/python scripts/section_misses.py kb [--dump dumps/kb.jsonl] [--json out.json]
    .venv/bin/python scripts/section_misses.py pydantic-docs --dump dumps/pydantic-docs.jsonl
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

from app.core.engine import Assistant
from app.core.evaluate import Span, has_key_point, load_questions, overlaps
from ingest.edge import load_settings

K = 10


def place(ranked: list[tuple[str, int, int]], labelled: tuple[Span, ...]) -> str:
    rank = next((r for r, span in enumerate(ranked, 1) if overlaps([span], labelled)), None)
    same = bool(ranked) and ranked[0][0] in {source for source, _, _ in labelled}
    if rank == 1:
        return "top"
    if rank is None:
        return "absent-samefile" if same else "absent"
    return f"{'samefile' if same else 'otherfile'}@{rank if rank <= 5 else '6-10'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="kb, or a folder name under data/eval/corpora")
    parser.add_argument("--dump", type=Path, help="a kb-eval --dump file of the same corpus")
    parser.add_argument("--json", type=Path, help="write every question's row here")
    args = parser.parse_args()
    if args.corpus == "kb":
        data, questions = Path("data"), Path("data/eval/questions.jsonl")
    else:
        data = Path("data/eval/index") / args.corpus
        questions = Path("data/eval/corpora") / args.corpus / "questions.jsonl"
    settings = load_settings()
    assistant = Assistant(replace(settings, model_dir=settings.models_dir, data_dir=data))
    answers = {}
    if args.dump:
        for line in args.dump.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            answers[item["q"]] = item
    rows = []
    for question in load_questions(questions):
        if not question.expect or not question.answer_lines:
            continue
        hits = assistant.retrieve(question.q, k=K)
        ranked = [(h.chunk.source, h.chunk.start_line, h.chunk.end_line) for h in hits]
        row = {"q": question.q, "class": place(ranked, question.answer_lines)}
        row["top"] = hits[0].chunk.heading_path if hits else None
        if question.q in answers:
            given = answers[question.q]
            answered = not given["refused"]
            row["key_point"] = answered and has_key_point(question, given["answer"])
            cited = [tuple(span) for span in given["cited"]]
            row["cited"] = answered and overlaps(cited, question.answer_lines)
        rows.append(row)
    kind = [r["class"].split("@")[0] for r in rows]
    print(args.corpus, len(rows), dict(sorted(Counter(r["class"] for r in rows).items())))
    for measure in ("key_point", "cited"):
        missed = Counter(k for k, r in zip(kind, rows, strict=True) if r.get(measure) is False)
        if missed:
            print(f"  without {measure}:", dict(sorted(missed.items())))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
