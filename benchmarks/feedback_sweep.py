"""The pseudo-relevance-feedback experiment (branch recall6): kb-eval with the feedback switches
of app/core/retrieve.py taken from R6_ROWS, R6_TERMS, R6_WEIGHT, R6_FROM (dense | fused | agree)
and R6_MODE (replace | third | heading | heading2), for example

    R6_TERMS=5 R6_WEIGHT=0.25 .venv/bin/python benchmarks/feedback_sweep.py \
        --corpus data/eval/corpora/pydantic-docs --dump /tmp/prf.jsonl
"""

import os
import sys

from app.cli import eval_main
from app.core import retrieve

SWITCHES = (
    ("R6_ROWS", "FEEDBACK_ROWS", int),
    ("R6_TERMS", "FEEDBACK_TERMS", int),
    ("R6_WEIGHT", "FEEDBACK_WEIGHT", float),
    ("R6_FROM", "FEEDBACK_FROM", str),
    ("R6_MODE", "FEEDBACK_MODE", str),
    ("R6_GATE", "FEEDBACK_GATE", float),
)

if __name__ == "__main__":
    for variable, constant, cast in SWITCHES:
        if variable in os.environ:
            setattr(retrieve, constant, cast(os.environ[variable]))
    sys.exit(eval_main(sys.argv[1:]))
