"""Where does a key point go missing? For each covered question with `key` terms whose
extractive answer lacks them, say where the key terms are among the retrieved passages:

  top1_not_chosen  the top passage holds them, the answer quotes another passage (scorer)
  chosen_but_cut   a quoted passage's chunk holds them, the quote window left them out
  passage_2_to_5   only an unquoted passage 2-5 holds them (scorer / retrieval order)
  spread           no single passage holds them all (several passages together do)
  not_retrieved    not in the top passages at all (retrieval or key wording)
  no_clear_answer  the scorer's gate fell back to the best section's opening

    .venv/bin/python scripts/answer_misses.py kb [--json misses.json]
    .venv/bin/python scripts/answer_misses.py pydantic-docs
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

from app.core.answer import extractive_answer, quotable  # noqa: E402
from app.core.compose import choose  # noqa: E402
from app.core.evaluate import has_key_point  # noqa: E402
from ingest.edge import prepare_process  # noqa: E402


def holds(key: tuple[str, ...], text: str) -> bool:
    flat = " ".join(text.lower().split())
    return all(" ".join(term.lower().split()) in flat for term in key)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", choices=sorted(CORPORA))
    parser.add_argument("--json", type=Path, help="write each miss with its passages")
    args = parser.parse_args()
    prepare_process()
    counts: Counter[str] = Counter()
    misses = []
    hubs, changelogs = hubs_of(args.corpus)
    for q, query, hits, idf, document in retrieved(args.corpus, lambda q: bool(q.expect and q.key)):
        answer = extractive_answer(
            query, hits, idf, True, document=document, hubs=hubs, changelogs=changelogs
        )
        if has_key_point(q, answer.text):
            counts["key_present"] += 1
            continue
        chunks = [h.chunk for h in hits]
        quoted = {
            p.hit.chunk.id
            for p in choose(query, quotable(query, hits, hubs), idf, document=document)
        }
        if not quoted:
            where = "no_clear_answer"
        elif chunks and holds(q.key, chunks[0].text) and chunks[0].id not in quoted:
            where = "top1_not_chosen"
        elif any(holds(q.key, c.text) for c in chunks if c.id in quoted):
            where = "chosen_but_cut"
        elif any(holds(q.key, c.text) for c in chunks):
            where = "passage_2_to_5"
        elif holds(q.key, " ".join(c.text for c in chunks)):
            where = "spread"
        else:
            where = "not_retrieved"
        counts[where] += 1
        misses.append(
            {
                "where": where,
                "q": q.q,
                "key": list(q.key),
                "answer": answer.text,
                "passages": [f"{c.source} › {c.heading_path}" for c in chunks],
            }
        )
    for name, n in counts.most_common():
        print(f"{name:>16}  {n}")
    if args.json:
        args.json.write_text(json.dumps(misses, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
