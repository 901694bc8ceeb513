"""How often a one-thing question's list is narrowed to the items that answer
(`quote.narrowed`), and what it keeps and drops: for each covered question whose lead is an
item of a list that narrowing cuts, every item of that list with its ranking log-odds and its
calibrated answer log-odds below the chosen item's, whether it is kept ("+", the chosen "*",
dropped "-"), whether the labelled answer lines hold it ("ANSWERS") and the question's words it
holds (stemmed, `parts.content_words`).

    .venv/bin/python scripts/narrowed_lists.py kb
    .venv/bin/python scripts/narrowed_lists.py drf-docs --counts   # the blind corpus: counts only
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from eval_corpora import CORPORA, retrieved  # noqa: E402

from app.core.compose import _continued, _lead, asks_one, score  # noqa: E402
from app.core.parts import content_words  # noqa: E402
from app.core.quote import log_odds, narrowed  # noqa: E402
from ingest.edge import prepare_process  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", choices=sorted(CORPORA))
    parser.add_argument("--counts", action="store_true", help="only the counts")
    args = parser.parse_args()
    prepare_process()
    asked = fired = dropped_answering = kept_answering = dropped = kept = 0
    for q, query, hits, idf, document in retrieved(args.corpus, lambda q: bool(q.expect)):
        ranked = score(query, hits, idf)
        if not ranked or not asks_one(query):
            continue
        asked += 1
        table = {(s.candidate.hit.chunk.id, s.candidate.unit.order): s.probability for s in ranked}
        calibrated = {(s.candidate.hit.chunk.id, s.candidate.unit.order): s.answers for s in ranked}
        lead = _lead(query, ranked, _continued(ranked, document))
        cand = lead.candidate
        kept_items = narrowed(cand, table)
        if kept_items is None:
            continue
        fired += 1
        source, key = cand.hit.chunk.source, cand.hit.chunk.id
        best = log_odds(table[(key, cand.unit.order)])
        best_answer = log_odds(calibrated[(key, cand.unit.order)])
        asked_words = content_words(query.text)
        lines = [(f, a, b) for f, a, b in q.answer_lines if f == source]
        if not args.counts:
            print(f"\n[{args.corpus}] {q.q}")
        for u in cand.units:
            if u.kind != "item" or u.block != cand.unit.block:
                continue
            answers = any(
                a <= u.start_line <= b or u.start_line <= a <= u.end_line for _, a, b in lines
            )
            keep = u in kept_items
            kept += keep
            dropped += not keep
            kept_answering += keep and answers
            dropped_answering += (not keep) and answers
            if not args.counts:
                gap = best - log_odds(table.get((key, u.order), 0.0))
                answer_gap = best_answer - log_odds(calibrated.get((key, u.order), 0.0))
                mark = "*" if u is cand.unit else ("+" if keep else "-")
                label = "ANSWERS" if answers else ""
                held = ",".join(sorted(asked_words & content_words(u.quote)))
                print(f"  {mark} {gap:5.2f} {answer_gap:5.2f} {label:7} [{held}] {u.quote[:80]}")
    print(
        f"\n{args.corpus}: {asked} one-thing questions, narrowed {fired}; items kept {kept} "
        f"({kept_answering} labelled answering), dropped {dropped} ({dropped_answering} "
        "labelled answering)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
