"""Why a KB refuses or answers: every refusal miss of a labelled question file, with the parts
of its relevance (ingest/refusal.py), and the off-topic questions that set the threshold.

For each miss (a covered question refused, an uncovered one answered) it prints the relevance
against the index's threshold, the best cosine, the unknown-word penalty, the question's words
as relevance counts them (idf; "?" = a word the index never uses) and the candidate passages
that hold most of them (word coverage, cosine, the words held). Scored exactly as the ingest
scores its off-topic and synthetic questions (ingest/question_scores.py), which is exactly how
the app scores a user's question; nothing is written.

    .venv/bin/python scripts/refusal_misses.py --data data --questions data/eval/questions.jsonl
    .venv/bin/python scripts/refusal_misses.py --data data/eval/index/pydantic-docs \\
        --questions data/eval/corpora/pydantic-docs/questions.jsonl --off-topic 8
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest import refusal  # noqa: E402
from ingest.config import Settings  # noqa: E402
from ingest.edge import prepare_process  # noqa: E402
from ingest.embed import embedder_for  # noqa: E402
from ingest.keyword import load_bm25  # noqa: E402
from ingest.question_scores import rank_questions, relevance_frequencies, score_ranked  # noqa: E402
from ingest.refusal import written_capitals  # noqa: E402
from ingest.refusal_meta import off_topic_questions  # noqa: E402
from ingest.store import LocalIndex  # noqa: E402

PASSAGES = 3  # candidate passages shown per question, most words held first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--questions", type=Path, default=Path("data/eval/questions.jsonl"))
    parser.add_argument("--off-topic", type=int, default=5, help="best off-topic shown")
    args = parser.parse_args()
    prepare_process()
    settings = Settings(data_dir=args.data)
    index = LocalIndex(settings.index_dir)
    generation = index.load(vectors=True)
    assert generation.vectors is not None, "a local index (not a Chroma server) is needed"
    keyword = load_bm25(index.root / generation.name / "bm25")
    record = generation.meta["refusal"]
    sources = [chunk.source for chunk in generation.chunks]
    silent = refusal.silent_rows(sources, record["hubs"])
    terms = refusal.Terms.of(relevance_frequencies(keyword, silent), len(generation.chunks), silent)

    lines = args.questions.read_text(encoding="utf-8").splitlines()
    labelled = [json.loads(line) for line in lines if line.strip()]
    off = off_topic_questions()
    asked = [row["q"] for row in labelled] + off
    vectors = embedder_for(settings).embed(asked)
    written = written_capitals(record["capitals"])
    ranked = rank_questions(generation.vectors, keyword, vectors, asked, written)
    scores = score_ranked(ranked, keyword, silent)
    threshold = record["threshold"]

    def explain(number: int, label: str) -> None:
        query = refusal.question_words(ranked.tokens[number], lambda t: t in terms.idf)
        named = refusal.names_unknown(query, terms, ranked.proper[number])
        penalty = refusal.unknown_penalty(refusal.unknown_share(query, terms), len(query), named)
        cosines = generation.vectors @ vectors[number]
        print(
            f"{label} {scores[number]:.3f} (threshold {threshold}) cosine "
            f"{float(ranked.dense_scores[number].max()):.2f} penalty {penalty:.2f}: "
            f"{asked[number]}"
        )
        print("    words: " + " ".join(_word(t, terms) for t in sorted(query)))
        rows = list(dict.fromkeys([int(r) for r in ranked.dense_rows[number]]))
        rows += [r for r in ranked.keyword_rows[number] if r not in rows]
        held = {r: query & terms.words(r, keyword.row_terms) for r in rows}
        for row in sorted(rows, key=lambda r: -refusal.coverage(query, held[r], terms))[:PASSAGES]:
            print(
                f"    coverage {refusal.coverage(query, held[row], terms):.2f} cosine "
                f"{float(cosines[row]):.2f} {generation.chunks[row].heading_path} "
                f"({sources[row]}) holds {sorted(held[row])}"
            )

    for number, row in enumerate(labelled):
        answered = scores[number] >= threshold
        if bool(row["expect"]) != answered:
            explain(number, "REFUSED, covered" if row["expect"] else "ANSWERED, uncovered")
    best_off = sorted(range(len(labelled), len(asked)), key=lambda i: -scores[i])
    for number in best_off[: args.off_topic]:
        explain(number, "off-topic")


def _word(token: str, terms: refusal.Terms) -> str:
    return f"{token}{'' if token in terms.idf else '?'}:{terms(token):.1f}"


if __name__ == "__main__":
    main()
