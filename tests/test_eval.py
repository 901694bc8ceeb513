"""The evaluation set as a regression gate: retrieval, refusal and citation quality on kb/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, cli_env

from app.cli import evaluate_one
from app.engine import Assistant
from app.evaluate import THRESHOLDS, failures, load_questions, metrics
from ingest.sync import sync

QUESTIONS = ROOT / "data" / "eval" / "questions.jsonl"


def test_question_set_is_big_and_labelled() -> None:
    questions = load_questions(QUESTIONS)
    covered = [q for q in questions if q.expect]
    assert len(covered) >= 100 and len(questions) - len(covered) >= 20
    for q in covered:
        for source in q.expect:
            assert (ROOT / "kb" / source).is_file(), source


def test_quality_stays_above_the_thresholds(real_kb, embedder) -> None:
    assistant = Assistant(real_kb, embedder)
    outcomes = [evaluate_one(assistant, q, 5) for q in load_questions(QUESTIONS)]
    values = metrics(outcomes, 5)
    assert failures(values) == [], values
    assert set(THRESHOLDS) <= set(values)


def test_kb_eval_exits_non_zero_under_the_thresholds(settings, embedder, tmp_path: Path) -> None:
    sync(settings, embedder=embedder)
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text(json.dumps({"q": "What should I mock?", "expect": ["web/flask-basics.md"]}))
    kb_eval = Path(sys.executable).parent / "kb-eval"
    result = subprocess.run(
        [str(kb_eval), "--questions", str(wrong)],
        env=cli_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert "hit@5" in result.stdout and "below threshold" in result.stderr
