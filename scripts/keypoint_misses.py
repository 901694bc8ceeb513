"""Why does an answer miss its key point when the labelled answer lines were retrieved? For each
covered question with `key` terms whose dumped answer lacks some of them, and whose answer lines
lie in one of the top 3 passages, say which unit led the answer and why the missing terms lost:

  refused             the relevance gate refused a covered question
  no_single_unit      no unit of the top passages holds the missing term (label wording, or
                      markup splits it)
  two_part            a two-part question: a part's answer is missing
  narrowed            a question about one thing quoted only the best items of the lead's list
  cut_in_quote        a quoted passage holds the term, its word budget or window stopped before it
  outranked           the term's unit is in a passage the answer does not quote: the scorer ranked
                      another unit above it (with: does the lead open its section, is the term's
                      unit in the lead's document)

    .venv/bin/kb-eval --dump kb.jsonl    # or --corpus data/eval/corpora/<name> --dump <name>.jsonl
    .venv/bin/python scripts/keypoint_misses.py kb kb.jsonl [--tsv misses.tsv]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from eval_corpora import CORPORA, hubs_of, retrieved  # noqa: E402

from app.core.answer import quotable  # noqa: E402
from app.core.compose import _continued, _lead, asks_one, choose, score  # noqa: E402
from app.core.quote import narrowed  # noqa: E402
from ingest.edge import prepare_process  # noqa: E402

TOP = 3  # the answer lines must lie in one of the top TOP passages


def flat(text: str) -> str:
    return " ".join(text.lower().split())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", choices=sorted(CORPORA))
    parser.add_argument("dump", type=Path, help="kb-eval --dump of the same code and index")
    parser.add_argument("--tsv", type=Path, help="write each miss: cause, question, terms, lead")
    args = parser.parse_args()
    answers = {}
    for line in args.dump.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        answers[item["q"]] = item
    prepare_process()
    counts: Counter[str] = Counter()
    rows = []
    hubs, _ = hubs_of(args.corpus)
    for q, query, found, idf, document in retrieved(
        args.corpus, lambda q: bool(q.expect and q.key)
    ):
        hits = quotable(query, found, hubs)  # what the answer may quote, as the engine has it
        dumped = answers.get(q.q)
        if dumped is None:
            continue
        missing = [t for t in q.key if flat(t) not in flat(dumped["answer"])]
        spans = q.answer_lines
        if not missing or not any(
            h.chunk.source == source and a <= h.chunk.end_line and h.chunk.start_line <= b
            for h in found[:TOP]
            for source, a, b in spans
        ):
            continue
        lead_text = ""
        if dumped["refused"]:
            cause = "refused"
        else:
            ranked = score(query, hits, idf)
            lead = _lead(query, ranked, _continued(ranked, document))
            lead_text = lead.candidate.unit.quote
            quoted = {p.hit.chunk.id for p in choose(query, hits, idf, document=document)}
            holders = [
                next((s for s in ranked if flat(t) in flat(s.candidate.unit.quote)), None)
                for t in missing
            ]
            found = [s for s in holders if s is not None]
            table = {
                (s.candidate.hit.chunk.id, s.candidate.unit.order): s.probability for s in ranked
            }
            narrow = asks_one(query) and narrowed(lead.candidate, table) is not None
            in_lead_list = [
                s
                for s in found
                if s.candidate.unit.kind == "item"
                and s.candidate.hit.chunk.id == lead.candidate.hit.chunk.id
            ]
            if not found:
                cause = "no_single_unit"
            elif query.sub_queries():
                cause = "two_part"
            elif any(s.candidate.hit.chunk.id in quoted for s in found):
                cause = "narrowed" if narrow and in_lead_list else "cut_in_quote"
            else:
                best = max(found, key=lambda s: s.probability)
                opens = "lead opens its section" if lead.candidate.unit.lead else "lead inside"
                same = best.candidate.hit.chunk.source == lead.candidate.hit.chunk.source
                where = "same document" if same else "other document"
                cause = f"outranked ({opens}; {where})"
        counts[cause] += 1
        rows.append((cause, q.q, "; ".join(missing), lead_text[:120]))
    for name, n in counts.most_common():
        print(f"{n:4d}  {name}")
    if args.tsv:
        args.tsv.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
