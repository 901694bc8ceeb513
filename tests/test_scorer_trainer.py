"""scripts/train_answer_scorer.py: the same rows give the same weights, and its --check names
what changed since the shipped weights were trained (without a full retrain in the suite)."""

from __future__ import annotations

import importlib
import sys

import numpy as np
from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
trainer = importlib.import_module("train_answer_scorer")

FEATURES = ("bias", "coverage", "position")


def groups(seed: int, questions: int = 6) -> list[tuple[np.ndarray, np.ndarray]]:
    """Questions of 4-8 candidate units each; the unit with the best coverage is the answer."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(questions):
        n = int(rng.integers(4, 9))
        x = np.column_stack([np.ones(n), rng.random(n), rng.random(n)])
        y = (x[:, 1] == x[:, 1].max()).astype(float)
        out.append((x, y))
    return out


def shipped(data: dict) -> dict:
    """A weights file as the trainer writes it, for the rows in `data`."""
    model = trainer.fit(data["kb"] + data["docs"])
    return {
        "features": list(FEATURES),
        "mean": [float(v) for v in model[1]],
        "trained_on": {
            "corpora": {
                name: {"questions": len(g), "units": sum(len(y) for _, y in g)}
                for name, g in data.items()
            }
        },
    }


def test_the_same_rows_give_the_same_weights_and_they_rank_the_answer_first() -> None:
    first = trainer.fit_listwise(groups(1), steps=200)
    second = trainer.fit_listwise(groups(1), steps=200)
    for a, b in zip(first, second, strict=True):
        assert np.array_equal(a, b)
    precision, _, _, _ = trainer.precision_at_1(first, groups(2))
    assert precision == 1.0


def test_check_passes_on_the_rows_the_weights_were_trained_on() -> None:
    data = {"kb": groups(3), "docs": groups(4)}
    assert trainer.drifted(shipped(data), data) == []


def test_check_names_the_feature_whose_computation_changed() -> None:
    data = {"kb": groups(3), "docs": groups(4)}
    record = shipped(data)
    x, y = data["docs"][0]
    changed = x.copy()
    changed[:, 2] = changed[:, 2] + 0.2  # say, a new splitter moved units in their sections
    data["docs"][0] = (changed, y)
    changes = trainer.drifted(record, data)
    assert len(changes) == 1 and changes[0].startswith("mean position "), changes


def test_check_names_a_corpus_whose_units_changed() -> None:
    data = {"kb": groups(3), "docs": groups(4)}
    record = shipped(data)
    data["kb"] = data["kb"][:-1]
    changes = trainer.drifted(record, data)
    assert any(line.startswith("kb: 5 questions") for line in changes), changes


def one_question_at_a_time(groups, steps: int, l2: float) -> np.ndarray:
    """The listwise gradient summed question by question, as the trainer computed it before it
    put every question's units in one array."""
    beta, mean, scale = trainer.fit(groups)
    usable = [((x - mean) / scale, y) for x, y in groups if y.sum() > 0]
    m, v = np.zeros_like(beta), np.zeros_like(beta)
    for step in range(1, steps + 1):
        grad = l2 * np.r_[0.0, beta[1:]]
        for z, y in usable:
            s = z @ beta
            p = np.exp(s - s.max())
            p /= p.sum()
            q = p * y / (p * y).sum()
            grad += z.T @ (p - q) / len(usable)
        grad[0] = 0.0
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        beta -= 0.05 * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return beta


def test_listwise_fit_over_all_questions_at_once_is_the_per_question_fit() -> None:
    data = groups(5, questions=12)
    data.append((data[0][0], np.zeros(len(data[0][1]))))  # a question without a labelled unit
    expected = one_question_at_a_time(data, steps=100, l2=0.1)
    beta, _, _ = trainer.fit_listwise(data, steps=100, l2=0.1)
    assert np.allclose(beta, expected, atol=1e-9)


def test_a_dropped_feature_gets_no_weight_as_if_it_were_not_there() -> None:
    plain = groups(6, questions=10)
    with_order = [(np.column_stack([x, np.arange(len(y))]), y) for x, y in plain]  # a 4th
    dropped = trainer.fit_listwise(trainer.without(with_order, [3]), steps=200)
    kept = trainer.fit_listwise(with_order, steps=200)
    assert dropped[0][3] == 0.0 and kept[0][3] != 0.0
    assert np.allclose(dropped[0][:3], trainer.fit_listwise(plain, steps=200)[0])


def test_check_of_searched_weights_compares_with_the_means_at_the_search() -> None:
    data = {"kb": groups(3), "docs": groups(4)}
    record = shipped(data)
    x, y = data["docs"][0]
    changed = x.copy()
    changed[:, 2] = changed[:, 2] + 0.2  # the features moved after training ...
    data["docs"][0] = (changed, y)
    assert trainer.drifted(record, data)
    names = list(record["trained_on"]["corpora"])
    # ... and the weights were then searched on today's features: nothing moved since.
    record["trained_on"]["searched"] = {"feature_means": trainer.means(data, names)}
    assert trainer.drifted(record, data) == []
    data["kb"][0] = (data["kb"][0][0] * 1.5, data["kb"][0][1])
    assert any(c.startswith("mean coverage ") for c in trainer.drifted(record, data))
