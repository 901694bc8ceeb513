"""Retrieval and answer quality on a labelled question set, and refusal-threshold calibration."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import KBError

# The regression gate of `kb-eval`: a run below any of these exits non-zero.
THRESHOLDS = {
    "hit@5": 0.95,
    "mrr": 0.85,
    "refusal_accuracy": 0.90,
    "answered_rate": 0.95,
    "citation_precision": 0.90,
}


@dataclass(frozen=True)
class Question:
    q: str
    expect: tuple[str, ...]
    history: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    question: Question
    ranked_sources: list[str]  # the source of each retrieved chunk, best first
    refused: bool
    cited_sources: list[str]
    relevance: float


def load_questions(path: Path) -> list[Question]:
    questions = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise KBError(f"cannot read questions file {path}: {exc.strerror}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            questions.append(
                Question(item["q"], tuple(item["expect"]), tuple(item.get("history", ())))
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise KBError(f'{path}:{number}: expected {{"q", "expect"}} JSON ({exc})') from exc
    return questions


def first_hit_rank(outcome: Outcome) -> int | None:
    for rank, source in enumerate(outcome.ranked_sources, 1):
        if source in outcome.question.expect:
            return rank
    return None


def metrics(outcomes: Iterable[Outcome], k: int = 5) -> dict[str, float]:
    outcomes = list(outcomes)
    covered = [o for o in outcomes if o.question.expect]
    uncovered = [o for o in outcomes if not o.question.expect]
    ranks = [first_hit_rank(o) for o in covered]
    cited = [s for o in covered if not o.refused for s in o.cited_sources]
    good_cites = sum(
        1 for o in covered if not o.refused for s in o.cited_sources if s in o.question.expect
    )

    def share(values: list[bool]) -> float:
        return sum(values) / len(values) if values else 1.0

    return {
        "questions": len(outcomes),
        "hit@1": share([r == 1 for r in ranks]),
        f"hit@{k}": share([r is not None and r <= k for r in ranks]),
        "mrr": sum(1 / r for r in ranks if r is not None) / len(ranks) if ranks else 1.0,
        "refusal_accuracy": share([o.refused for o in uncovered]),
        "answered_rate": share([not o.refused for o in covered]),
        "citation_precision": good_cites / len(cited) if cited else 1.0,
    }


def failures(values: dict[str, float]) -> list[str]:
    return [
        f"{name} {values[name]:.3f} < {limit}"
        for name, limit in THRESHOLDS.items()
        if name in values and values[name] < limit
    ]


def best_threshold(outcomes: list[Outcome]) -> float:
    """The refusal threshold that best separates covered from uncovered questions.

    Maximises refusal accuracy + answered rate; among equals, picks the middle of the
    widest gap so small score drifts do not flip decisions.
    """
    scores = sorted({round(o.relevance, 4) for o in outcomes})
    candidates = [(a + b) / 2 for a, b in zip(scores, scores[1:], strict=False)] or [0.0]

    def quality(t: float) -> float:
        covered = [o.relevance >= t for o in outcomes if o.question.expect]
        refused = [o.relevance < t for o in outcomes if not o.question.expect]
        return sum(covered) / max(len(covered), 1) + sum(refused) / max(len(refused), 1)

    best = max(quality(t) for t in candidates)
    winners = [t for t in candidates if quality(t) >= best - 1e-9]
    return winners[len(winners) // 2]


def run(questions: list[Question], answer: Callable[[Question], Outcome]) -> list[Outcome]:
    return [answer(q) for q in questions]
