"""What Chroma's approximate (HNSW) search misses: for each question of a corpus, compare the
collection's 40 nearest rows with the exact 40 nearest (its generation's vectors.npy, which
dense retrieval scores), and rebuild the collection in memory at several ef_search values.

    .venv/bin/python scripts/hnsw_recall.py kb
    .venv/bin/python scripts/hnsw_recall.py pydantic-docs --ef 100,200,400
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from train_answer_scorer import CORPORA  # noqa: E402

from app.cli import load_settings  # noqa: E402
from app.core.index import IndexReader  # noqa: E402
from ingest.edge import prepare_process  # noqa: E402
from ingest.embed import embedder_for  # noqa: E402
from ingest.sync import sync  # noqa: E402

N = 40  # candidates per retriever (app/core/retrieve.py)


def missed(order, exact) -> tuple[int, int]:
    """(questions whose exact best row is missing, exact top-N rows missing) over all."""
    best = sum(int(e[0]) not in got for got, e in zip(order, exact, strict=True))
    rows = sum(len(set(map(int, e)) - got) for got, e in zip(order, exact, strict=True))
    return best, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", choices=sorted(CORPORA))
    parser.add_argument("--ef", default="100,400", help="ef_search values to rebuild with")
    args = parser.parse_args()
    prepare_process()
    import chromadb
    import numpy as np

    kb, questions_file, data = CORPORA[args.corpus]
    settings = replace(load_settings(), model_dir=load_settings().models_dir, kb_dir=kb)
    settings = replace(settings, data_dir=data)
    sync(settings)
    generation = IndexReader(settings).current()
    assert generation.vectors is not None, "a local index is needed (unset KB_CHROMA_HOST)"
    vectors = np.asarray(generation.vectors)
    embedder = embedder_for(settings)
    lines = questions_file.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["q"] for line in lines if line.strip()]
    queries = np.stack([embedder.embed_query(q) for q in questions])
    exact = [np.argsort(-(vectors @ q))[:N] for q in queries]
    total = N * len(questions)

    stored = generation.collection.query(query_embeddings=queries, n_results=N, include=[])
    order = [{generation.position[i] for i in ids} for ids in stored["ids"]]
    best, rows = missed(order, exact)
    print(f"{args.corpus}: {len(questions)} questions, {len(vectors)} rows")
    print(f"  stored collection: best row missed {best}, top-{N} rows missed {rows} of {total}")

    client = chromadb.EphemeralClient()
    ids = [str(i) for i in range(len(vectors))]
    for ef in (int(v) for v in args.ef.split(",")):
        for build in (1, 2):
            collection = client.create_collection(
                f"recall-{ef}-{build}",
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine", "ef_search": ef}},
            )
            for start in range(0, len(ids), 1000):
                collection.add(
                    ids=ids[start : start + 1000], embeddings=vectors[start : start + 1000]
                )
            got = collection.query(query_embeddings=queries, n_results=N, include=[])
            best, rows = missed([{int(i) for i in r} for r in got["ids"]], exact)
            print(f"  ef_search {ef}, build {build}: best row missed {best}, rows missed {rows}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
