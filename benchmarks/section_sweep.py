"""Retrieval-only sweep (branch retrieval6 experiment; usage: section_sweep.py '[{}, {"dedup": 1}]' [corpus,...];
KEEP=before,after drops those stopwords and STEM=ation:ate adds stemmer suffixes, rebuilding BM25 in memory).
Retrieval-only sweep of app.core.retrieve.SWEEP variants on the evaluation corpora."""
import json, sys, time
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent
from dataclasses import replace
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from eval_corpora import CORPORA
from app.core import retrieve
from app.core.engine import Assistant
from app.core.evaluate import load_questions, overlaps
from app.core.query import Query
from ingest.edge import load_settings

variants = json.loads(sys.argv[1])
corpora = sys.argv[2].split(",") if len(sys.argv) > 2 else ["kb", "pydantic-docs", "engineering-playbook"]
for name in corpora:
    kb, qfile, data = CORPORA[name]
    settings = load_settings()
    settings = replace(settings, model_dir=settings.models_dir, kb_dir=kb, data_dir=data)
    a = Assistant(settings)
    qs = [q for q in load_questions(qfile) if q.expect]
    with a.reader.pinned() as gen:
        import os
        if os.environ.get("KEEP") or os.environ.get("STEM"):
            import ingest.keyword as kw
            if os.environ.get("STEM"):
                base = kw.stem
                extra = [tuple(x.split(":")) for x in os.environ["STEM"].split(",")]
                def stem2(word, base=base, extra=extra):
                    for suffix, keep in extra:
                        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                            return base(word[: -len(suffix)] + keep)
                    return base(word)
                kw.stem = stem2
            kw.STOPWORDS = kw.STOPWORDS - frozenset(os.environ.get("KEEP", "").split(","))
            from ingest.bm25 import KeywordIndex
            object.__setattr__(gen, "bm25", KeywordIndex.build([c.embed_text for c in gen.chunks]))
        for v in variants:
            retrieve.SWEEP.clear(); retrieve.SWEEP.update(v)
            h1 = h5 = mrr = 0.0; al1 = al5 = nl = 0
            t = time.perf_counter()
            for q in qs:
                hits = a.retriever.scored(Query.parse(q.q, list(q.history)), 5, None, None, gen).hits
                src = [h.chunk.source for h in hits]
                r = next((i for i, s in enumerate(src, 1) if s in q.expect), None)
                if r: 
                    mrr += 1 / r; h5 += 1; h1 += r == 1
                if q.answer_lines:
                    nl += 1
                    spans = [(h.chunk.source, h.chunk.start_line, h.chunk.end_line) for h in hits]
                    al1 += overlaps(spans[:1], q.answer_lines); al5 += overlaps(spans, q.answer_lines)
            n = len(qs)
            ms = (time.perf_counter() - t) / n * 1000
            print(f"{name:22} {json.dumps(v):45} hit@1 {h1/n:.3f} hit@5 {h5/n:.3f} MRR {mrr/n:.3f} al@1 {al1/max(nl,1):.3f} al@5 {al5/max(nl,1):.3f} {ms:.0f}ms", flush=True)
