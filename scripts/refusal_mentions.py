"""Can a feature tell "the KB is about the question's subject" from "the KB only mentions it"?

Replays a labelled question file offline (nothing is written) and, for the questions the KB
answers (relevance at or above the index's threshold, scored as in ingest/question_scores.py),
prints how each candidate feature ranks the uncovered ones (wrongly answered) among the covered
ones: "covered lost" is how many covered questions a cut at that feature value would refuse too,
to refuse the 1st, 2nd, ... uncovered question. A usable feature would refuse them all and no
covered one. Features (higher = looks more like a passing mention):
- mention share: idf share of the question's words that the index uses at most twice outside
  headings and never in a heading (hub rows left out, as relevance silences them);
- the same, counting only words that are not plain English (ingest/data/common_words.txt);
- heading coverage (low): the best idf share of the question's words one heading path holds;
- passage / heading / sentence cosine (low): the question's best cosine to a passage, to a
  heading path (all of them embedded), to a sentence of its candidate passages (--sentences).
With --penalty W it also replays the relevance minus W times the mention share (shrinking for
long questions as the unknown-word penalty does), the threshold derived again from the index's
off-topic and synthetic questions exactly as the ingest derives it, and prints answered /
refused before and after.

    .venv/bin/python scripts/refusal_mentions.py --data data \\
        --questions data/eval/questions.jsonl data/eval/mentions/kb.jsonl --sentences
    .venv/bin/python scripts/refusal_mentions.py --data data/eval/index/engineering-playbook \\
        --questions data/eval/corpora/engineering-playbook/questions.jsonl \\
        data/eval/mentions/engineering-playbook.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest import refusal  # noqa: E402
from ingest.config import Settings  # noqa: E402
from ingest.edge import prepare_process  # noqa: E402
from ingest.embed import embedder_for  # noqa: E402
from ingest.keyword import load_bm25, tokenize  # noqa: E402
from ingest.markdown import clean_text  # noqa: E402
from ingest.question_scores import rank_questions, relevance_frequencies, score_ranked  # noqa: E402
from ingest.refusal import written_capitals  # noqa: E402
from ingest.refusal_meta import off_topic_questions  # noqa: E402
from ingest.store import LocalIndex  # noqa: E402

MENTION_USES = 2  # a word used at most this often outside headings (and in none) is a mention
SENTENCE = re.compile(r"(?<=[.!?:])\s+|\n+")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--questions", type=Path, nargs="+", required=True)
    parser.add_argument("--sentences", action="store_true", help="also sentence cosine (slow)")
    parser.add_argument("--penalty", type=float, nargs="*", default=[], help="weights to replay")
    args = parser.parse_args()
    prepare_process()
    settings = Settings(data_dir=args.data)
    index = LocalIndex(settings.index_dir)
    generation = index.load(vectors=True)
    assert generation.vectors is not None, "a local index (not a Chroma server) is needed"
    keyword = load_bm25(index.root / generation.name / "bm25")
    record = generation.meta["refusal"]
    chunks = generation.chunks
    silent = refusal.silent_rows([c.source for c in chunks], record["hubs"])
    terms = refusal.Terms.of(relevance_frequencies(keyword, silent), len(chunks), silent)

    labelled = []
    for path in args.questions:
        lines = path.read_text(encoding="utf-8").splitlines()
        labelled += [{**json.loads(line), "file": path.name} for line in lines if line.strip()]
    calibration = off_topic_questions() + [q for _, q in record["synthetic_questions"]]
    asked = [row["q"] for row in labelled] + (calibration if args.penalty else [])
    embedder = embedder_for(settings)
    vectors = embedder.embed(asked)
    written = written_capitals(record["capitals"])
    ranked = rank_questions(generation.vectors, keyword, vectors, asked, written)
    scores = score_ranked(ranked, keyword, silent)
    answered = [i for i in range(len(labelled)) if scores[i] >= record["threshold"]]

    # Where each word stands: rows whose heading path holds it, uses outside headings.
    loud = np.ones(len(chunks), dtype=bool)
    loud[list(silent)] = False
    headings = [frozenset(tokenize(c.heading_path)) for c in chunks]
    in_heading: dict[str, int] = {}
    for row in np.flatnonzero(loud):
        for word in headings[row]:
            in_heading[word] = in_heading.get(word, 0) + 1
    uses = np.asarray(keyword.counts[loud].sum(axis=0)).ravel()  # heading words once per row

    def mention(word: str) -> bool:
        column = keyword.vocab_dict.get(word)
        if column is None or word in in_heading or word not in terms.idf:
            return False
        return int(uses[column]) <= MENTION_USES

    def words(i: int) -> set[str]:
        return refusal.question_words(ranked.tokens[i], lambda t: t in terms.idf)

    def share(i: int, held: Callable[[str], bool]) -> float:
        query = words(i)
        total = sum(terms(t) for t in query)
        return sum(terms(t) for t in query if held(t)) / total if total else 0.0

    def heading_coverage(i: int) -> float:
        query = words(i)
        total = max(sum(terms(t) for t in query), terms.unknown)
        return max((sum(terms(t) for t in query & h) for h in set(headings)), default=0) / total

    paths = sorted({c.heading_path for c in chunks})
    heading_cosine = (vectors @ embedder.embed(paths).T).max(axis=1)
    features: dict[str, Callable[[int], float]] = {
        "mention share": lambda i: share(i, mention),
        "mention share, names only": lambda i: share(
            i, lambda t: mention(t) and t not in refusal.common_words()
        ),
        "heading coverage (low)": lambda i: -heading_coverage(i),
        "passage cosine (low)": lambda i: -float(ranked.dense_scores[i].max()),
        "heading path cosine (low)": lambda i: -float(heading_cosine[i]),
    }
    if args.sentences:
        sentence_cosine = _sentence_cosines(answered, ranked, chunks, vectors, embedder)
        features["sentence cosine (low)"] = lambda i: -sentence_cosine[i]

    covered = [i for i in answered if labelled[i]["expect"]]
    uncovered = [i for i in answered if not labelled[i]["expect"]]
    print(
        f"threshold {record['threshold']}: {len(covered)} covered and "
        f"{len(uncovered)} uncovered questions answered"
    )
    for i in uncovered:
        print(f"  uncovered answered ({scores[i]:.3f}): {asked[i]}")
    print("| feature | covered lost to refuse the 1st, 2nd, ... uncovered answered |")
    print("|---|---|")
    for name, feature in features.items():
        mine = np.array([feature(i) for i in covered])
        lost = [int((mine >= value).sum()) for value in sorted(map(feature, uncovered))[::-1]]
        print(f"| {name} | {', '.join(map(str, lost))} (of {len(covered)}) |")
    for weight in args.penalty:
        penalised = [
            score - refusal.unknown_penalty(weight * share(i, mention), len(words(i)))
            for i, score in enumerate(scores)
        ]
        off = len(off_topic_questions())
        calibrated = penalised[len(labelled) :]
        cut = refusal.threshold(calibrated[:off], calibrated[off:])
        print(
            f"penalty {weight}: threshold {record['threshold']} -> {cut}; "
            + _rates(labelled, scores[: len(labelled)], record["threshold"])
            + " -> "
            + _rates(labelled, penalised[: len(labelled)], cut)
        )


def _rates(labelled: list[dict], scores: list[float], threshold: float) -> str:
    """Per question file: answered share of covered questions / refused share of uncovered."""
    rates = []
    for name in dict.fromkeys(row["file"] for row in labelled):
        rows = [(row, s) for row, s in zip(labelled, scores, strict=True) if row["file"] == name]
        covered = [s >= threshold for row, s in rows if row["expect"]]
        refused = [s < threshold for row, s in rows if not row["expect"]]
        answered = f"{np.mean(covered):.3f}" if covered else "-"
        rates.append(f"{name} {answered} / {np.mean(refused):.3f}" if refused else name)
    return ", ".join(rates)


def _sentence_cosines(questions, ranked, chunks, vectors, embedder) -> dict[int, float]:
    """Each question's best cosine to a sentence of its candidate passages."""
    rows = sorted({r for i in questions for r in refusal.candidates(*_scored(ranked, i))})
    sentences = {}
    for row in rows:
        text = clean_text(chunks[row].text, chunks[row].includes)
        found = [s.strip() for s in SENTENCE.split(text) if len(s.strip()) > 20]
        sentences[row] = found or [text]
    flat = [(row, s) for row in rows for s in sentences[row]]
    embedded = embedder.embed([s for _, s in flat])
    by_row: dict[int, list[int]] = {}
    for n, (row, _) in enumerate(flat):
        by_row.setdefault(row, []).append(n)
    best = {}
    for i in questions:
        candidates = refusal.candidates(*_scored(ranked, i))
        best[i] = max(float((embedded[by_row[r]] @ vectors[i]).max()) for r in candidates)
    return best


def _scored(ranked, i: int) -> tuple[dict[int, float], dict[int, float]]:
    """A question's best rows of each retriever as refusal.candidates takes them."""
    dense = {
        int(r): float(s) for r, s in zip(ranked.dense_rows[i], ranked.dense_scores[i], strict=True)
    }
    keyword = {r: -float(n) for n, r in enumerate(ranked.keyword_rows[i])}  # best first
    return dense, keyword


if __name__ == "__main__":
    main()
