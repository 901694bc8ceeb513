"""Audit the shared stemmer (ingest/stemmer.py) over the vocabulary of every evaluation corpus
and its questions: stems that join words of different lemmas (over-stemming: cors and core)
and lemmas whose forms get different stems (under-stemming: run and running), each ranked by
how often its words occur in the labelled questions.

The reference lemmas come from lemminflect's English dictionary, which is not a dependency of
the project: install it in any virtualenv to run this (`pip install lemminflect`). A word the
dictionary lacks (a name, an identifier) counts as its own lemma, or as lemminflect's guess at a
plural noun's singular, so some groups listed are the dictionary's gaps (enqueued, refactored).

    .venv/bin/pip install lemminflect
    .venv/bin/python scripts/stem_audit.py --top 30
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import lemminflect  # noqa: E402

from ingest.keyword import SEPARATOR, STOPWORDS, TOKEN  # noqa: E402
from ingest.stemmer import stem  # noqa: E402


def words(text: str) -> Iterator[str]:
    """The plain words a keyword search stems (no numbers, no one- or two-letter words)."""
    for token in TOKEN.findall(text.lower()):
        for word in SEPARATOR.split(token):
            if word.isalpha() and len(word) > 2 and word not in STOPWORDS:
                yield word


def lemmas(word: str) -> set[str]:
    found = lemminflect.getAllLemmas(word)
    if not found and word.endswith("s"):
        found = lemminflect.getAllLemmasOOV(word, "NOUN")
    return {lemma for forms in found.values() for lemma in forms} or {word}


def corpora(root: Path) -> dict[str, tuple[Path, Path]]:
    """name -> (markdown folder, questions file)."""
    found = {"kb": (root / "kb", root / "data/eval/questions.jsonl")}
    for folder in sorted((root / "data/eval/corpora").iterdir()):
        found[folder.name] = (folder, folder / "questions.jsonl")
    return found


def over_stemmed(vocab: set[str]) -> list[list[set[str]]]:
    """Stems whose words fall into more than one group of words sharing a lemma."""
    by_stem: dict[str, set[str]] = defaultdict(set)
    for word in vocab:
        by_stem[stem(word)].add(word)
    joined = []
    for members in by_stem.values():
        groups: list[tuple[set[str], set[str]]] = []  # (words, their lemmas)
        for word in sorted(members):
            own = lemmas(word) | {word}
            group = next((g for g in groups if g[1] & own), None)
            if group is None:
                groups.append(({word}, own))
            else:
                group[0].add(word)
                group[1].update(own)
        if len(groups) > 1:
            joined.append([g[0] for g in groups])
    return joined


def under_stemmed(vocab: set[str]) -> dict[str, dict[str, set[str]]]:
    """Dictionary lemmas whose forms in the vocabulary have more than one stem."""
    by_lemma: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for word in vocab:
        if lemminflect.getAllLemmas(word):
            for lemma in lemmas(word):
                by_lemma[lemma][stem(word)].add(word)
    return {lemma: stems for lemma, stems in by_lemma.items() if len(stems) > 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=30, help="groups shown of each kind")
    args = parser.parse_args()
    in_docs: Counter[str] = Counter()
    asked: Counter[str] = Counter()
    for folder, questions in corpora(ROOT).values():
        for path in folder.rglob("*.md"):
            in_docs.update(words(path.read_text(encoding="utf-8", errors="replace")))
        for line in questions.read_text(encoding="utf-8").splitlines():
            if line.strip():
                asked.update(words(json.loads(line)["q"]))
    vocab = set(in_docs) | set(asked)
    stems = {stem(word) for word in vocab}
    print(f"vocabulary {len(vocab)} words ({len(asked)} in questions), {len(stems)} stems")

    def weight(group: set[str]) -> tuple[int, int]:
        return sum(asked[w] for w in group), sum(in_docs[w] for w in group)

    joined = sorted(over_stemmed(vocab), key=lambda gs: weight(set().union(*gs)), reverse=True)
    print(
        f"over-stemmed: {len(joined)} stems join words of different lemmas, "
        f"{sum(1 for gs in joined if weight(set().union(*gs))[0])} of them words of questions"
    )
    for groups in joined[: args.top]:
        q, d = weight(set().union(*groups))
        print(f"  questions {q:3d} docs {d:5d}  " + " | ".join(",".join(sorted(g)) for g in groups))
    split = under_stemmed(vocab)
    ranked = sorted(split, key=lambda lem: weight(set().union(*split[lem].values())), reverse=True)
    print(
        f"under-stemmed: {len(split)} lemmas have forms with different stems, "
        f"{sum(1 for lem in split if weight(set().union(*split[lem].values()))[0])} of them "
        "words of questions"
    )
    for lemma in ranked[: args.top]:
        q, d = weight(set().union(*split[lemma].values()))
        forms = " | ".join(f"{s} <- {','.join(sorted(ws))}" for s, ws in split[lemma].items())
        print(f"  questions {q:3d} docs {d:5d}  {lemma}: {forms}")


if __name__ == "__main__":
    main()
