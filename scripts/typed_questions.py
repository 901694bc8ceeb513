"""Questions as people type them, over the evaluation corpora: how many covered ones are refused
once chatter or a typing slip is added, how short queries fare, and whether a question asking to
see code gets the expected code block.

    .venv/bin/python scripts/typed_questions.py chatter   # a greeting/thanks around 25 covered
                                                           # questions per corpus (seeded)
    .venv/bin/python scripts/typed_questions.py slip      # one slip (two letters swapped) in
                                                           # 20 covered questions per corpus
    .venv/bin/python scripts/typed_questions.py short     # data/eval/typed/short_queries.tsv
    .venv/bin/python scripts/typed_questions.py examples  # data/eval/typed/example_questions.tsv
    .venv/bin/python scripts/typed_questions.py conversations  # data/eval/typed/conversations.jsonl
    .venv/bin/python scripts/typed_questions.py switches  # a chat changing topic (see switches)
    .venv/bin/python scripts/typed_questions.py offtopic  # data/eval/typed/off_topic_blind.txt
                                                           # on every corpus

The two files under data/eval/typed/ were written blind (by someone reading the documents, never
the code): short_queries.tsv is corpus, query, covered|uncovered, expected file;
example_questions.tsv is corpus, question, document, first line of the expected code block,
what the code shows; conversations.jsonl holds three-turn chats (kb/ and the playbook), one line
per follow-up with its history, the documents that answer it and a phrase a right answer holds.
off_topic_blind.txt holds questions outside every corpus, written blind and kept out of the
refusal calibration (ingest/data/off_topic.txt): how many each corpus answers tells whether the
threshold derived at ingest carries over to off-topic questions it was not placed against.
Run `make eval` first so every corpus has an index.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from eval_corpora import CORPORA, assistant_of  # noqa: E402

from ingest.edge import prepare_process  # noqa: E402

TYPED = ROOT / "data/eval/typed"
GREETINGS = ["hey, ", "hi! ", "quick question: ", "ok so ", "hey guys, ", "pls help: ", ""]
THANKS = [" thanks!", " thx", " pls", " any ideas?", " :)", " cheers", " (asking for a friend)", ""]
LONG_WORD = re.compile(r"\b[a-z]{6,}\b")


def covered(corpus: str) -> list[str]:
    lines = CORPORA[corpus][1].read_text(encoding="utf-8").splitlines()
    return [r["q"] for r in map(json.loads, lines) if r.get("expect") and not r.get("history")]


def with_chatter(question: str, rng: random.Random) -> str:
    before, after = rng.choice(GREETINGS), rng.choice(THANKS)
    before = before or ("" if after else "hey, ")
    return before + (question[0].lower() + question[1:] if before else question) + after


def with_slip(question: str, rng: random.Random) -> str | None:
    words = list(LONG_WORD.finditer(question))
    if not words:
        return None
    word = rng.choice(words)
    w, i = word.group(), rng.randrange(1, len(word.group()) - 2)
    return question[: word.start()] + w[:i] + w[i + 1] + w[i] + w[i + 2 :] + question[word.end() :]


def perturbed(kind: str) -> list[tuple[str, str, bool]]:
    """(corpus, question, covered) for `kind`."""
    out = []
    for corpus in CORPORA:
        rng = random.Random(f"{kind}-{corpus}")
        if kind == "chatter":
            out += [(corpus, with_chatter(q, rng), True) for q in rng.sample(covered(corpus), 25)]
        else:
            slipped = (with_slip(q, rng) for q in rng.sample(covered(corpus), 20))
            out += [(corpus, q, True) for q in slipped if q]
    return out


def off_topic() -> list[str]:
    lines = (TYPED / "off_topic_blind.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def rows(name: str) -> list[list[str]]:
    return [line.split("\t") for line in (TYPED / name).read_text().splitlines() if line.strip()]


def conversations(assistants: dict) -> None:
    """Per turn: follow-ups whose first citation is on an expected page, and whose answer holds
    the key phrase."""
    lines = (TYPED / "conversations.jsonl").read_text().splitlines()
    tally: dict[int, list[int]] = {}
    for turn in (json.loads(line) for line in lines if line.strip()):
        answer = assistants[turn["corpus"]].ask(turn["q"], history=turn["history"])
        first = answer.citations[0].chunk.source if answer.citations else None
        text = " ".join(answer.text.lower().split())
        keyed = not answer.refused and all(" ".join(k.lower().split()) in text for k in turn["key"])
        counts = tally.setdefault(len(turn["history"]) + 1, [0, 0, 0])
        counts[0] += 1
        counts[1] += first in turn["expect"]
        counts[2] += keyed
        if first not in turn["expect"]:
            print("missed", turn["corpus"], " / ".join([*turn["history"], turn["q"]]), sep="\t")
    for n, (asked, cited, keyed) in sorted(tally.items()):
        print(f"turn {n}: first citation on an expected page {cited} of {asked}, key {keyed}")


GENERIC = ["Any pitfalls?", "Why?", "Can you give an example?", "What are the trade-offs?"]


def switches(assistants: dict) -> None:
    """A chat that changes topic, on kb/ and the playbook: each short covered question (up to ten
    words) asked after the first two turns of a conversation on another page, and then a
    generic follow-up ("Any pitfalls?") after [a conversation's first question, that short
    question]. Counts the answers whose first citation is on the short question's pages: what
    the earlier topic must not pull away."""
    chats = [json.loads(line) for line in (TYPED / "conversations.jsonl").read_text().splitlines()]
    asked = after_chat = followed = 0
    for corpus in ("kb", "engineering-playbook"):
        lines = CORPORA[corpus][1].read_text(encoding="utf-8").splitlines()
        rows = [r for r in map(json.loads, lines) if r.get("expect") and not r.get("history")]
        short = [r for r in rows if len(r["q"].split()) <= 10]
        two = [c for c in chats if c["corpus"] == corpus and len(c["history"]) == 2]
        for n, row in enumerate(short):
            other = [c for c in two if not set(c["expect"]) & set(row["expect"])]
            history = other[(n * 5) % len(other)]["history"]
            asked += 1
            after_chat += _first_on(assistants[corpus].ask(row["q"], history=history), row)
            generic = GENERIC[n % len(GENERIC)]
            answer = assistants[corpus].ask(generic, history=[history[0], row["q"]])
            followed += _first_on(answer, row)
    print(f"short question after a two-turn chat on another page: {after_chat} of {asked}")
    print(f"generic follow-up after it, asked after another page's question: {followed} of {asked}")


def _first_on(answer, row: dict) -> bool:
    return bool(answer.citations) and answer.citations[0].chunk.source in row["expect"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    kinds = ["chatter", "slip", "short", "examples", "conversations", "switches", "offtopic"]
    parser.add_argument("kind", choices=kinds)
    kind = parser.parse_args().kind
    prepare_process()
    assistants = {corpus: assistant_of(corpus) for corpus in CORPORA}
    if kind == "conversations":
        conversations(assistants)
        return
    if kind == "switches":
        switches(assistants)
        return
    if kind == "examples":
        cited = 0
        examples = rows("example_questions.tsv")
        for corpus, question, document, line, _ in examples:
            answer = assistants[corpus].ask(question)
            hit = any(
                c.chunk.source == document and c.start_line <= int(line) <= c.end_line
                for c in answer.citations
            )
            cited += hit
            print("cited " if hit else "missed", corpus, question, sep="\t")
        print(f"expected code block cited: {cited} of {len(examples)}")
        return
    if kind == "short":
        asked = [(c, q, label == "covered") for c, q, label, _ in rows("short_queries.tsv")]
    elif kind == "offtopic":
        asked = [(c, q, False) for c in CORPORA for q in off_topic()]
    else:
        asked = perturbed(kind)
    wrong = {True: 0, False: 0}
    wrong_of: dict[str, set[str]] = {corpus: set() for corpus in CORPORA}
    for corpus, question, is_covered in asked:
        answer = assistants[corpus].ask(question)
        if answer.refused == is_covered:
            wrong[is_covered] += 1
            wrong_of[corpus].add(question)
            print("refused " if is_covered else "answered", corpus, question, sep="\t")
    if kind == "offtopic":
        for corpus, answered in wrong_of.items():
            print(f"{corpus}: off-topic answered {len(answered)} of {len(off_topic())}")
    total = {flag: sum(1 for *_, c in asked if c == flag) for flag in (True, False)}
    if total[True]:
        print(f"covered refused: {wrong[True]} of {total[True]}")
    if total[False]:
        print(f"uncovered answered: {wrong[False]} of {total[False]}")


if __name__ == "__main__":
    main()
