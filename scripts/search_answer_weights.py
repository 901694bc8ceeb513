"""Coordinate ascent over the answer scorer's ranking weights, scored by kb-eval's answer
measures instead of the trainer's precision@1 of labelled lines.

Starts from the shipped weights (app/core/answer_scorer.json). Each feature's weight in turn
(features are standardised, so a step is in standard units) moves by +step and -step; a move
is kept when the objective (mean key point + mean citation precision over the --objective
corpora) rises and no objective corpus has lost more than one key point or gained more than one
wrong citation against the shipped weights (also when --start continues an earlier run). The
--held-out corpus is never in the objective:
it is measured at the start and after every kept move, and reported. drf-docs (the blind
check) is not measured here; run kb-eval on it with the chosen weights.

    .venv/bin/python scripts/search_answer_weights.py --out /tmp/searched.json \\
        [--objective kb,pydantic-docs] [--held-out engineering-playbook] [--step 0.2]

The result records the search (commit, objective, corpora, kept moves, and the feature means
that `train_answer_scorer.py --check` compares with) under "trained_on"."searched"; copy it to
app/core/answer_scorer.json to ship it, after kb-eval on all four corpora.

First runs (42467f9, step 0.2): a move changes one to three answers, so the objective follows
single questions, and every held-out corpus lost what the objective gained (kb + pydantic-docs:
1.595 -> 1.609, playbook key point .738 -> .713; pydantic-docs + playbook: 1.581 -> 1.604, `kb/`
key point .742 -> .716). The shipped weights were kept.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compose_grid import corpus  # noqa: E402
from train_answer_scorer import means, rows  # noqa: E402

from app.cli import _assistant, evaluate_one  # noqa: E402
from app.core import compose  # noqa: E402
from app.core.evaluate import has_key_point, load_questions  # noqa: E402
from app.core.scorer import FEATURES, WEIGHTS_FILE, Scorer  # noqa: E402
from ingest.edge import prepare_process  # noqa: E402


@dataclass(frozen=True)
class Counts:
    keyed: int
    key_points: int
    cited: int
    wrong_cites: int

    @property
    def key_point_rate(self) -> float:
        return self.key_points / self.keyed if self.keyed else 1.0

    @property
    def citation_precision(self) -> float:
        return 1 - self.wrong_cites / self.cited if self.cited else 1.0

    def __str__(self) -> str:
        return f"kp={self.key_point_rate:.3f} cp={self.citation_precision:.3f}"


def measure(scorer: Scorer, assistant, questions) -> Counts:
    """Key points and wrong citations of one corpus's answers, as kb-eval counts them."""
    compose.default_scorer = lambda: scorer  # what compose.choose() falls back to
    keyed = key_points = cited = wrong = 0
    for question in questions:
        if not question.expect:
            continue
        outcome = evaluate_one(assistant, question, 5)
        if question.key:
            keyed += 1
            key_points += not outcome.refused and has_key_point(question, outcome.answer_text)
        if not outcome.refused:
            cited += len(outcome.cited_sources)
            wrong += sum(s not in question.expect for s in outcome.cited_sources)
    return Counts(keyed, key_points, cited, wrong)


def objective(counts: dict[str, Counts]) -> float:
    return sum(c.key_point_rate + c.citation_precision for c in counts.values()) / len(counts)


def holds(counts: dict[str, Counts], start: dict[str, Counts]) -> bool:
    """No corpus lost more than one key point or gained more than one wrong citation."""
    return all(
        c.key_points >= start[n].key_points - 1 and c.wrong_cites <= start[n].wrong_cites + 1
        for n, c in counts.items()
    )


def moved(scorer: Scorer, index: int, step: float) -> Scorer:
    weights = list(scorer.weights)
    weights[index] = round(weights[index] + step, 6)
    return replace(scorer, weights=tuple(weights))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objective", default="kb,pydantic-docs")
    parser.add_argument("--held-out", default="engineering-playbook")
    parser.add_argument("--step", type=float, default=0.2)
    parser.add_argument("--rounds", type=int, default=1, help="passes over the features")
    parser.add_argument("--minutes", type=float, default=60.0, help="stop starting moves after")
    parser.add_argument("--start", type=Path, help="continue from this file's weights")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    began = time.monotonic()
    prepare_process()
    loaded = {}
    for name in [*args.objective.split(","), *filter(None, [args.held_out])]:
        folder, data, questions = corpus(name)
        loaded[name] = (_assistant(data, folder), load_questions(questions))
    design = args.objective.split(",")

    def run(scorer: Scorer, names: list[str]) -> dict[str, Counts]:
        return {n: measure(scorer, *loaded[n]) for n in names}

    shipped = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    best = Scorer.load(WEIGHTS_FILE)
    start = run(best, design)
    print(f"shipped {objective(start):.4f} " + " ".join(f"{n}: {c}" for n, c in start.items()))
    previous = json.loads(args.start.read_text(encoding="utf-8")) if args.start else shipped
    best = replace(best, weights=tuple(previous["weights"]))
    best_value = objective(run(best, design))
    held = run(best, [args.held_out]) if args.held_out else {}
    print(f"start {best_value:.4f}, held out " + " ".join(f"{n}: {c}" for n, c in held.items()))
    # A feature constant over the training units (scale 1, mean 0) cannot move the ranking.
    order = [
        i
        for i, name in enumerate(FEATURES)
        if name != "bias" and not (shipped["scale"][i] == 1.0 and shipped["mean"][i] == 0.0)
    ]
    order.sort(key=lambda i: -abs(best.weights[i]))
    kept = list(previous["trained_on"].get("searched", {}).get("kept_moves", []))
    for round_ in range(args.rounds):
        for i in order:
            for step in (args.step, -args.step):
                if time.monotonic() - began > args.minutes * 60:
                    break
                trial = moved(best, i, step)
                counts = run(trial, design)
                value = objective(counts)
                ok = value > best_value + 1e-9 and holds(counts, start)
                print(
                    f"{FEATURES[i]:>20} {step:+.2f} -> {trial.weights[i]:+.3f}: {value:.4f} "
                    + " ".join(f"{n}: {c}" for n, c in counts.items())
                    + (" KEPT" if ok else ""),
                    flush=True,
                )
                if ok:
                    best, best_value = trial, value
                    held = run(best, [args.held_out]) if args.held_out else {}
                    kept.append(
                        {
                            "round": round_,
                            "feature": FEATURES[i],
                            "step": step,
                            "objective": round(value, 4),
                            **{
                                f"{n} {k}": v
                                for n, c in counts.items()
                                for k, v in (
                                    ("kp", round(c.key_point_rate, 4)),
                                    ("cp", round(c.citation_precision, 4)),
                                )
                            },
                            **{f"held out {n}": str(c) for n, c in held.items()},
                        }
                    )
                    print(f"  held out {held}", flush=True)
                    break
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    record = dict(previous)
    record["weights"] = list(best.weights)
    record["trained_on"] = {
        **shipped["trained_on"],  # what the starting weights were trained on
        "searched": {
            "commit": commit,
            "method": "scripts/search_answer_weights.py: coordinate ascent from the weights "
            "above (trained at trained_on.commit)",
            "objective": f"mean key point + mean citation precision over {args.objective}; a "
            "move kept only if no corpus lost more than one key point or gained more than one "
            "wrong citation against the start",
            "held_out": args.held_out,
            "step": args.step,
            "shipped": {n: str(c) for n, c in start.items()},
            "kept_moves": kept,
            # what `train_answer_scorer.py --check` compares today's features with
            "feature_means": means(
                {n: rows(n) for n in shipped["trained_on"]["corpora"]},
                list(shipped["trained_on"]["corpora"]),
            ),
        },
    }
    args.out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"objective {objective(start):.4f} -> {best_value:.4f}, {len(kept)} moves; {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
