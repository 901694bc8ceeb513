"""Train the answer scorer (app/core/scorer.py) on labelled answer lines; validate it on a
held-out corpus.

For every covered question with `answer_lines`, the top passages are retrieved exactly as an
answer would retrieve them, every unit of them becomes a row of features, labelled 1 when its
lines overlap the labelled answer lines. A logistic regression (numpy, L2) is fitted on the
training corpora; precision@1 (the top-scored unit is a labelled answer unit) is reported on
the corpus it never saw, both ways round. The final weights, fitted on the training corpora
named by --train, go to app/core/answer_scorer.json with what they were trained on: the commit,
each corpus's question file (sha256), the number of questions and units, the hyperparameters
and (as "mean", which standardises the features) each feature's mean over the training units.
The fit draws no random numbers: the same code and index give the same weights. --check
recomputes the rows with today's code and says what moved since the shipped weights.

    .venv/bin/python scripts/train_answer_scorer.py                 # report both ways, write
    .venv/bin/python scripts/train_answer_scorer.py --no-write      # report only
    .venv/bin/python scripts/train_answer_scorer.py --train kb,pydantic-docs  # hold one out
    .venv/bin/python scripts/train_answer_scorer.py --check         # features drifted since?
    .venv/bin/python scripts/train_answer_scorer.py --no-write --l2 0.3 --drop chunk_rank_inv
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval_corpora import CORPORA, retrieved  # noqa: E402

from app.core.compose import feature_rows  # noqa: E402
from app.core.scorer import FEATURES, WEIGHTS_FILE  # noqa: E402
from ingest.edge import prepare_process  # noqa: E402

L2 = 1.0
STEPS = 400
LISTWISE_STEPS, LISTWISE_RATE, LISTWISE_L2 = 3000, 0.05, 1e-3
GATE_PRECISION = 0.2
MEAN_TOLERANCE = 1e-4  # dense scores differ in their last digits from one CPU to another


def rows(name: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per question: (features of each candidate unit, 1/0 labels)."""
    out = []
    for q, query, hits, idf, _ in retrieved(
        name, lambda q: bool(q.expect and q.answer_lines), True
    ):
        if not hits:
            continue
        table = feature_rows(query, hits, idf)
        cands = [c for c, _ in table]
        x = np.array([values for _, values in table])
        y = np.array(
            [
                float(
                    any(
                        c.hit.chunk.source == s and c.unit.start_line <= b and a <= c.unit.end_line
                        for s, a, b in q.answer_lines
                    )
                )
                for c in cands
            ]
        )
        out.append((x, y))
    return out


def fit(groups: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.vstack([g[0] for g in groups])
    y = np.concatenate([g[1] for g in groups])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    mean[0], scale[0] = 0.0, 1.0  # the bias column stays 1
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    # Each question weighs the same, whatever its number of candidates; positives are rare.
    w_row = np.concatenate([np.full(len(g[1]), 1.0 / len(g[1])) for g in groups])
    pos = y.sum() or 1.0
    w_row = w_row * np.where(y > 0, (len(y) - pos) / pos, 1.0)
    w_row = w_row / w_row.mean()
    beta = np.zeros(z.shape[1])
    for _ in range(STEPS):  # Newton steps on the weighted, L2-penalised log loss
        p = 1 / (1 + np.exp(-np.clip(z @ beta, -30, 30)))
        grad = z.T @ (w_row * (p - y)) + L2 * np.r_[0.0, beta[1:]]
        hess = (z * (w_row * p * (1 - p))[:, None]).T @ z + L2 * np.diag(
            np.r_[0.0, np.ones(len(beta) - 1)]
        )
        step = np.linalg.solve(hess + 1e-6 * np.eye(len(beta)), grad)
        beta -= step
        if np.abs(step).max() < 1e-7:
            break
    return beta, mean, scale


def fit_listwise(
    groups,
    steps: int = LISTWISE_STEPS,
    rate: float = LISTWISE_RATE,
    l2: float = LISTWISE_L2,
):
    """Softmax over each question's candidates: maximise the chance of a labelled unit on top.
    Starts from the logistic fit, whose bias and scale keep the scores usable as probabilities."""
    beta, mean, scale = fit(groups)
    usable = [((x - mean) / scale, y) for x, y in groups if y.sum() > 0]
    # All questions' units in one array; each question's softmax over its own slice.
    z, y = np.vstack([z for z, _ in usable]), np.concatenate([y for _, y in usable])
    sizes = [len(labels) for _, labels in usable]
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    owner = np.repeat(np.arange(len(usable)), sizes)
    m, v = np.zeros_like(beta), np.zeros_like(beta)
    bias = beta[0]
    for step in range(1, steps + 1):
        s = z @ beta
        e = np.exp(s - np.maximum.reduceat(s, starts)[owner])
        p = e / np.add.reduceat(e, starts)[owner]
        q = p * y / np.add.reduceat(p * y, starts)[owner]  # the labelled units' share
        grad = l2 * np.r_[0.0, beta[1:]] + z.T @ (p - q) / len(usable)
        grad[0] = 0.0  # the softmax cannot see the bias: keep the logistic one
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        beta -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    beta[0] = bias
    return beta, mean, scale


def without(groups, columns: list[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The rows with some features held at 0: standardised, they stay 0, so their weight does."""
    out = []
    for x, y in groups:
        x = x.copy()
        x[:, columns] = 0.0
        out.append((x, y))
    return out


def probabilities(model, x: np.ndarray) -> np.ndarray:
    beta, mean, scale = model
    return 1 / (1 + np.exp(-np.clip(((x - mean) / scale) @ beta, -30, 30)))


def precision_at_1(model, groups) -> tuple[float, float, list[float], list[bool]]:
    """Share of questions whose top unit is labelled, over all and over those with a label."""
    tops, hits = [], []
    for x, y in groups:
        p = probabilities(model, x)
        best = int(np.argmax(p))
        tops.append(float(p[best]))
        hits.append(bool(y[best] > 0))
    reachable = [h for h, (_, y) in zip(hits, groups, strict=True) if y.sum() > 0]
    return sum(hits) / len(hits), sum(reachable) / max(len(reachable), 1), tops, hits


def baseline_p1(groups) -> float:
    """The first unit of the top passage (what the top passage shown unchanged leads with)."""
    return sum(bool(y[0] > 0) for _, y in groups) / len(groups)


METHOD = {
    "logistic": "weighted L2 logistic",
    "listwise": "listwise (softmax over each question's units, from the logistic fit)",
}


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def provenance(
    data: dict, train_names: list[str], objective: str, l2: float, dropped: list[str]
) -> dict:
    """What the weights were trained on, so that the next run can reproduce or compare them."""
    corpora = {}
    for name in train_names:
        questions = CORPORA[name][1]
        groups = data[name]
        corpora[name] = {
            "questions_file": str(questions.relative_to(ROOT)),
            "questions_sha256": hashlib.sha256(questions.read_bytes()).hexdigest(),
            "questions": len(groups),
            "units": int(sum(len(y) for _, y in groups)),
            "answer_units": int(sum(y.sum() for _, y in groups)),
        }
    changed = git("status", "--porcelain", "--", "app", "ingest", "scripts", "data/eval")
    return {
        "commit": git("rev-parse", "HEAD"),
        "uncommitted_changes": bool(changed),
        "numpy": np.__version__,
        "corpora": corpora,
        "objective": objective,
        "hyperparameters": {
            "logistic_l2": L2,
            "logistic_steps": STEPS,
            "listwise_steps": LISTWISE_STEPS,
            "listwise_rate": LISTWISE_RATE,
            "listwise_l2": l2,
            "gate_precision": GATE_PRECISION,
        },
        "dropped_features": dropped,
    }


def drifted(shipped: dict, data: dict) -> list[str]:
    """What changed since the shipped weights were trained: the number of questions or units
    of a corpus it records, or the features whose mean over the training units moved (the
    weights file keeps that mean to standardise the features)."""
    record = shipped.get("trained_on")
    names = list(record["corpora"]) if isinstance(record, dict) else list(record or [])
    changes = []
    for name in names:
        then = record["corpora"][name] if isinstance(record, dict) else {}
        groups = data[name]
        units = sum(len(y) for _, y in groups)
        if "units" in then and (len(groups), units) != (then["questions"], then["units"]):
            changes.append(
                f"{name}: {len(groups)} questions, {units} units "
                f"(trained on {then['questions']}, {then['units']})"
            )
    # Weights searched against kb-eval's measures (scripts/search_answer_weights.py) keep the
    # trained standardisation but record the feature means at the search's commit.
    searched = record.get("searched", {}) if isinstance(record, dict) else {}
    then_means = searched.get("feature_means", shipped["mean"])
    for feature, old, new in zip(shipped["features"], then_means, means(data, names), strict=True):
        if feature != "bias" and abs(new - old) > MEAN_TOLERANCE:
            changes.append(f"mean {feature} {old:.4f} -> {new:.4f}")
    return changes


def means(data: dict, names: list[str]) -> list[float]:
    """Each feature's mean over the labelled questions' candidate units of these corpora."""
    x = np.vstack([x for name in names for x, _ in data[name]])
    return [round(float(v), 6) for v in x.mean(axis=0)]


def check(data: dict) -> int:
    """Do today's features match the ones the shipped weights were trained on?"""
    shipped = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    changes = drifted(shipped, data)
    for change in changes:
        print(f"  {change}")
    searched = shipped.get("trained_on", {}).get("searched")
    if searched:
        print(
            f"ranking weights searched at {searched['commit'][:10]} against kb-eval's measures "
            "(scripts/search_answer_weights.py); means compared with that commit's"
        )
    if changes:
        print(
            "features changed since the weights were trained: retrain, and ship the new "
            "weights only if kb-eval holds on every corpus"
        )
        return 1
    if searched:
        print("features unchanged since the weights were searched")
    else:
        print("features unchanged since the weights were trained: the trainer reproduces them")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", default="kb,pydantic-docs,engineering-playbook")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--objective", choices=("logistic", "listwise"), default="listwise")
    parser.add_argument("--check", action="store_true", help="compare features, do not train")
    parser.add_argument("--l2", type=float, default=LISTWISE_L2, help="the listwise L2 penalty")
    parser.add_argument("--drop", default="", help="features to leave out (weight 0), a,b")
    args = parser.parse_args()
    dropped = [f for f in args.drop.split(",") if f]
    unknown = [f for f in dropped if f not in FEATURES or f == "bias"]
    if unknown:
        parser.error(f"no such feature: {', '.join(unknown)}")
    prepare_process()
    train_names = args.train.split(",")
    data = {name: rows(name) for name in CORPORA}
    if args.check:
        return check(data)
    columns = [FEATURES.index(f) for f in dropped]
    data = {name: without(groups, columns) for name, groups in data.items()}
    fitter = partial(fit_listwise, l2=args.l2) if args.objective == "listwise" else fit
    # Corpora left out of training are scored as they are; two of the trained ones are also
    # held out in turn (trained on the others, scored on it).
    held_out = [n for n in CORPORA if n not in train_names] + [
        n for n in ("pydantic-docs", "engineering-playbook") if n in train_names
    ]
    for held in held_out:  # trained without this corpus, scored on it
        train = [g for name in train_names if name != held for g in data[name]]
        model = fitter(train)
        p_all, p_reach, _, _ = precision_at_1(model, data[held])
        print(
            f"held out {held}: unit precision@1 {p_all:.3f} (questions whose candidates hold a "
            f"labelled unit: {p_reach:.3f}); first unit of top passage "
            f"{baseline_p1(data[held]):.3f}; n={len(data[held])}"
        )
    train = [g for name in train_names for g in data[name]]
    model = fitter(train)
    p_all, _, _, _ = precision_at_1(model, train)
    print(
        f"trained on {args.train}: training precision@1 {p_all:.3f}; first unit of top "
        f"passage {baseline_p1(train):.3f}; questions with a labelled candidate "
        f"{sum(y.sum() > 0 for _, y in train) / len(train):.3f}"
    )
    # The "no clear answer" gate: a logistic fit (calibrated, unlike the ranking weights) of
    # "this unit is an answer"; its threshold is where, below it, the top-ranked unit was a
    # labelled answer under a quarter of the time on the training questions.
    gate = fit(train)
    tops, hits = [], []
    for x, y in train:
        best = int(np.argmax(probabilities(model, x)))
        tops.append(float(probabilities(gate, x[best : best + 1])[0]))
        hits.append(bool(y[best] > 0))
    order = sorted(zip(tops, hits, strict=True))
    threshold = 0.0
    for i in range(10, len(order)):
        below = [h for _, h in order[:i]]
        if sum(below) / len(below) < GATE_PRECISION:
            threshold = order[i][0]
    print(
        f"gate threshold {threshold:.3f}: {sum(t < threshold for t in tops)} of {len(tops)} below"
    )
    for name, weight in sorted(zip(FEATURES, model[0], strict=True), key=lambda p: -abs(p[1])):
        print(f"  {name:>22} {weight:+.3f}")
    if not args.no_write:
        record = {
            "features": list(FEATURES),
            "weights": [round(float(v), 6) for v in model[0]],
            "mean": [round(float(v), 6) for v in model[1]],
            "scale": [round(float(v), 6) for v in model[2]],
            "gate_weights": [round(float(v), 6) for v in gate[0]],
            "threshold": round(threshold, 4),
            "trained_on": provenance(data, train_names, args.objective, args.l2, dropped),
            "method": f"scripts/train_answer_scorer.py: {METHOD[args.objective]} ranking "
            "weights and a weighted L2 logistic gate",
        }
        WEIGHTS_FILE.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
