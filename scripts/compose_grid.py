"""kb-eval's answer measures for several answer-scorer weights files and compose constants, in
one process: each corpus's index and the model load once, so a setting costs about 15 s on the
three design corpora instead of 2-3 min of `kb-eval` runs. For re-tuning compose's share
constants (SECOND_SHARE, SIBLING_SHARE, UNSURE_LEAD, ...) together with a retrained scorer.

    .venv/bin/python scripts/train_answer_scorer.py && cp app/core/answer_scorer.json /tmp/w1.json
    .venv/bin/python scripts/compose_grid.py --weights /tmp/w1.json,app/core/answer_scorer.json \\
        --set SIBLING_SHARE=0.8,0.9 --set UNSURE_LEAD=0.75,0.95 [--dump DIR]

Every combination of the --set values is measured with every weights file (which must name
today's features). drf-docs is the blind check: it is measured only when named with --corpora.
`--corpora kb:PATH` asks kb/ the questions of another file (the new-user questions, say, as
{"q", "expect": ["README.md"]} lines: only answers and refusals are compared), dumped under the
file's stem. A --set name may be a constant of app/core/scorer.py as well (a feature switch).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.cli import _assistant, dump, evaluate_one  # noqa: E402
from app.core import compose  # noqa: E402
from app.core import scorer as scorer_module  # noqa: E402
from app.core.evaluate import load_questions, metrics  # noqa: E402
from app.core.scorer import WEIGHTS_FILE, Scorer  # noqa: E402
from ingest.edge import prepare_process  # noqa: E402

DESIGN = "kb,pydantic-docs,engineering-playbook"
SHOWN = {
    "key_point_rate": "kp",
    "citation_precision": "cp",
    "answer_lines_cited": "lines",
    "answered_rate": "ans",
    "mean_answer_words": "words",
}


def corpus(name: str) -> tuple[Path | None, Path | None, Path]:
    """(corpus folder, data folder, questions) as kb-eval reads them."""
    if name == "kb":
        return None, None, ROOT / "data/eval/questions.jsonl"
    if name.startswith("kb:"):  # kb/ asked the questions of another file
        return None, None, Path(name[3:])
    folder = ROOT / "data/eval/corpora" / name
    return folder, ROOT / "data/eval/index" / name, folder / "questions.jsonl"


def setting(text: str) -> tuple[str, list[float]]:
    name, _, values = text.partition("=")
    if not hasattr(compose, name) and not hasattr(scorer_module, name):
        raise argparse.ArgumentTypeError(f"app/core/compose.py and scorer.py have no {name}")
    return name, [float(v) for v in values.split(",")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default=str(WEIGHTS_FILE), help="weights files, a,b")
    parser.add_argument("--set", type=setting, action="append", default=[], metavar="NAME=V,W")
    parser.add_argument("--corpora", default=DESIGN)
    parser.add_argument("--dump", type=Path, help="write each run's answers under this folder")
    args = parser.parse_args()
    prepare_process()
    loaded = []
    for name in args.corpora.split(","):
        folder, data, questions = corpus(name)
        loaded.append((name, _assistant(data, folder), load_questions(questions)))
    names = [name for name, _ in args.set]
    for weights in args.weights.split(","):
        scorer = Scorer.load(Path(weights))
        compose.default_scorer = lambda scorer=scorer: scorer  # what choose() falls back to
        for values in itertools.product(*(v for _, v in args.set)):
            for name, value in zip(names, values, strict=True):
                owner = compose if hasattr(compose, name) else scorer_module
                setattr(owner, name, int(value) if name == "GATE_CONTENDERS" else value)
            label = " ".join(f"{n}={v:g}" for n, v in zip(names, values, strict=True))
            cells = []
            for name, assistant, questions in loaded:
                outcomes = [evaluate_one(assistant, q, 5) for q in questions]
                if args.dump:
                    run = args.dump / f"{Path(weights).stem}_{label.replace(' ', '_')}"
                    run.mkdir(parents=True, exist_ok=True)
                    dump(outcomes, run / f"{Path(name).stem}.jsonl")
                m = metrics(outcomes, 5)
                shown = " ".join(
                    f"{short}={m[key]:.3f}" for key, short in SHOWN.items() if key in m
                )
                cells.append(f"{name}: {shown}")
            print(f"{Path(weights).name} {label}\n  " + "\n  ".join(cells), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
