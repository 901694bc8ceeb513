"""The evaluation set as a regression gate: retrieval, refusal and citation quality on kb/."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, below_floors, cli_env, index_settings

from app.cli import evaluate_one
from app.core.engine import Assistant
from app.core.evaluate import (
    THRESHOLDS,
    failures,
    junk_markup,
    load_floors,
    load_questions,
    metrics,
)
from ingest.errors import KBError
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


PLAYBOOK = ROOT / "data" / "eval" / "corpora" / "engineering-playbook"


def test_an_outside_corpus_stays_above_its_own_floors(embedder, tmp_path: Path) -> None:
    """A public corpus we did not write (plain GitHub markdown), gated like kb/ but under its
    own measured quality (its floors.json)."""
    settings = index_settings(PLAYBOOK, tmp_path / "data")
    sync(settings, embedder=embedder)
    failed, values = below_floors(Assistant(settings, embedder), PLAYBOOK)
    assert failed == [], values


def test_a_bad_floors_file_is_a_one_line_error(tmp_path: Path) -> None:
    floors = tmp_path / "floors.json"
    floors.write_text('{"hit@5": 0.9, "recall": 0.5}')
    with pytest.raises(KBError, match="floors.json: unknown measure 'recall'"):
        load_floors(floors)
    floors.write_text("[0.9]")
    with pytest.raises(KBError, match="not a JSON object"):
        load_floors(floors)


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


def _corpus(kb: Path, questions: list[dict]) -> Path:
    (kb / "questions.jsonl").write_text("\n".join(json.dumps(q) for q in questions) + "\n")
    return kb


def test_kb_eval_reports_answer_measures_on_any_corpus(kb: Path, tmp_path: Path) -> None:
    mock = {"q": "What should I mock in tests?", "expect": ["practice/testing.md"]}
    uncovered = {"q": "How long should sourdough bread proof?", "expect": []}
    kb_eval = Path(sys.executable).parent / "kb-eval"

    def evaluate(key: str) -> tuple[subprocess.CompletedProcess, list[dict]]:
        labelled = {**mock, "key": [key], "answer_lines": [["practice/testing.md", 11, 14]]}
        corpus = _corpus(kb, [labelled, uncovered])
        dump = tmp_path / "answers.jsonl"
        result = subprocess.run(
            [
                str(kb_eval),
                "--corpus",
                str(corpus),
                "--data",
                str(tmp_path / "d"),
                "--dump",
                str(dump),
            ],
            env=cli_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        return result, [json.loads(line) for line in dump.read_text().splitlines()]

    result, answers = evaluate("boundaries")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"key_point_rate\s+1\.000", result.stdout)
    assert re.search(r"answer_lines_cited\s+1\.000", result.stdout)
    assert re.search(r"answer_lines@1\s+1\.000", result.stdout)  # the top passage holds them
    assert re.search(r"junk_answers\s+0", result.stdout)
    assert [a["q"] for a in answers] == [mock["q"], uncovered["q"]]
    assert "boundaries" in answers[0]["answer"] and answers[1]["refused"]
    # Each answer's relevance, to read a refusal against the threshold.
    assert answers[1]["relevance"] < answers[0]["relevance"]

    result, _ = evaluate("a term the fixture never uses")
    assert result.returncode == 1
    assert re.search(r"key_point_rate\s+0\.000", result.stdout)
    assert "key_point_rate" in result.stderr


@pytest.mark.parametrize(
    ("answer", "problems"),
    [
        ("Use a fixture. [1]", []),
        ("Render it:\n\n```html\n<div>{* x *}</div>\n```", []),
        ("Use `<b>` tags sparingly. [1]", []),
        ('!!! warning "Careful"\n    Do not do this. [1]', ["directive"]),
        ("The model is defined here: {* ../docs_src/app.py hl[3] *} [1]", ["snippet include"]),
        ("See <a href='x'>the guide</a>. [1]", ["html"]),
        ("Read [the guide](../guide/intro.md) first. [1]", ["relative link"]),
        ("You can write: [1]", ["dangling colon"]),
        ("You can write: [1]\n\n- one\n- two", []),
        ("Catch it:\n\n```python\ntry:\n\n    run()\nexcept Error:\n    pass\n```\n[1]", []),
        ("Add it to your config file:\n\n`mypy.ini`\n```ini\n[mypy]\n```\n[1]", []),
        ("As the principle says:\n\n> Systems behave differently. [1]", []),
        ("There are two ways to fix this:\n\nRestart the worker. [1]", ["dangling colon"]),
        ("There's a shortcut for it:\n\n(code: ./docs_src/one/tutorial008.py) [1]", []),
        ("See {ref}`caching-guide` for background. [1]", ["role"]),
        ("Use the `{ref}` role to link a label. [1]", []),
        ("Format with `{name}` then `{value}` placeholders. [1]", []),
        (":::{warning}\nDelete the key after the commit. [1]", ["directive"]),
        (":::tip Choosing a TTL\nPick it from staleness. [1]", ["directive"]),
        ("(caching-guide)=\n\nCache entries expire. [1]", ["myst line"]),
        ("Mind the split:\n\n- 50% of reads hit the cache [1]", []),
        ('{% hint style="warning" %}\nNever deploy on Fridays. [1]', ["template tag"]),
        ('See {{< ref "rollbacks.md" >}} first. [1]', ["template tag"]),
        ("Render `{% csrf_token %}` in the form. [1]", []),
        ("Related: [[Connection pooling]]. [1]", ["wikilink"]),
        ("> [!tip] Rule of thumb [1]", ["wikilink"]),
        ("Index rows with `[[0, 1]]` arrays. [1]", []),
        ("It has the structure [1]\n\n**[Ascending number]. [1]", ["open bold"]),
        ("**[Ascending number]. [Title of decision]** [1]\n\nUse `a**b` here. [1]", []),
        ("Back off:\n\n```python\ndelay = base * 2**attempt\n``` [1]", []),
        ("It computes the delay: ```python\ndelay = base * 2\n``` [1]", ["fence mid-line"]),
        ("Nest it:\n\n````markdown\n```python\nx = 1\n```\n````\n[1]", []),
        ("*&mdash; An HTTP 403 response will be returned.* [1]", ["entity"]),
        (":white_check_mark: Good [1]", ["emoji code"]),
        ("Set `:x:` or :maxdepth: 2, at 10:30:45. [1]", []),
        ("Write `&mdash;` or `&lt;` in HTML, and AT&T; here &lt;b&gt; is escaped. [1]", []),
    ],
)
def test_junk_markup_names_what_a_reader_would_trip_over(answer: str, problems: list) -> None:
    assert junk_markup(answer) == problems


# Every labelled question file with the folder its documents live in: kb/ and each corpus.
EACH_QUESTION_SET = pytest.mark.parametrize(
    ("questions", "root"),
    [(QUESTIONS, ROOT / "kb")]
    + [(p, p.parent) for p in sorted((ROOT / "data/eval/corpora").glob("*/questions.jsonl"))],
    ids=lambda v: v.parent.name if isinstance(v, Path) and v.name == "questions.jsonl" else "",
)


@EACH_QUESTION_SET
def test_labelled_answer_lines_still_hold_their_quotes(questions: Path, root: Path) -> None:
    """After editing a document, run scripts/relocate_answer_lines.py to move the labels."""
    stale = []
    for question in load_questions(questions):
        for source, first, last in question.answer_lines:
            lines = (root / source).read_text(encoding="utf-8").splitlines()
            assert 1 <= first <= last <= len(lines), (question.q, source, first, last)
    for line in questions.read_text().splitlines():
        item = json.loads(line)
        if item.get("answer_quote") and item.get("answer_lines"):
            source, first, _ = item["answer_lines"][0]
            text = (root / source).read_text(encoding="utf-8").splitlines()[first - 1]
            if item["answer_quote"] not in text:
                stale.append(item["q"])
    assert not stale, f"answer lines moved; run scripts/relocate_answer_lines.py: {stale}"


@EACH_QUESTION_SET
def test_key_terms_are_still_in_the_expected_documents(questions: Path, root: Path) -> None:
    """A rewording that drops a labelled key term ("scans the child table") makes a correct
    answer count as missing its key point; relabel the question from the new wording."""
    gone = []
    for question in load_questions(questions):
        if not question.expect:
            continue
        text = " ".join(
            " ".join((root / source).read_text(encoding="utf-8").lower().split())
            for source in question.expect
        )
        gone += [(question.q, t) for t in question.key if " ".join(t.lower().split()) not in text]
    assert not gone, gone
