"""kb-ask and kb-eval: the knowledge base from the terminal."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from ingest.edge import load_settings, run_cli
from ingest.errors import KBError

ASK_DESCRIPTION = """Answer a question from the knowledge base, citing the passages used.

examples:
  kb-ask "How do I share a database session between FastAPI endpoints?"
  kb-ask --json --k 8 "When should I denormalise a schema?"
  kb-ask --batch questions.jsonl --json    # one {"q": ...} per line in, one answer per line out
  kb-ask --mode extractive "..."           # quotes only, even when KB_LLM names a model

The answer mode follows KB_LLM (none: extractive quotes; ollama or openai: a written answer
whose citations are checked); --mode overrides it.
"""

EVAL_DESCRIPTION = """Measure retrieval and answers on a labelled question set.

Each line of the file is {"q": "...", "expect": ["section/file.md", ...]}; an empty
"expect" means the right answer is a refusal. Optional per question: "key" (terms a correct
answer contains) and "answer_lines" ([[file, first, last], ...], where the answer stands).
Reports hit@k, MRR, refusal and answered rates, citation precision, key-point rate, how often
the answer cites the labelled lines, and answers with junk markup. Exits 1 when a measure is
under its threshold.

examples:
  kb-eval
  kb-eval --questions data/eval/questions.jsonl --k 5
  kb-eval --corpus data/eval/corpora/pydantic    # index that folder, ask its questions.jsonl
                                                 # (gated by its floors.json when it has one)
  kb-eval --mode llm      # the same measures for the LLM configured with KB_LLM
  kb-eval --dump answers.jsonl                   # every question and answer, for grading
"""


MODES = ("extractive", "llm")


def _assistant(data: Path | None, kb: Path | None = None):
    from app.core.engine import Assistant

    settings = load_settings()
    # Another data folder still shares the exported model with the default one.
    settings = replace(settings, model_dir=settings.models_dir)
    if data:
        settings = replace(settings, data_dir=data)
    if kb:
        from ingest.sync import sync

        settings = replace(settings, kb_dir=kb)
        sync(settings)
    return Assistant(settings)


def ask_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kb-ask", description=ASK_DESCRIPTION, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("question", nargs="?", help="the question (omit with --batch)")
    parser.add_argument("--data", type=Path, help="data folder (default: KB_DATA_DIR or data)")
    parser.add_argument("--k", type=int, help="passages to retrieve (default: KB_TOP_K or 5)")
    parser.add_argument("--section", help="only search one KB section, e.g. frameworks-libraries")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--batch", type=Path, help='JSON lines file with a "q" per line')
    parser.add_argument(
        "--mode",
        choices=MODES,
        help="extractive quotes, or the LLM set with KB_LLM (default: llm when KB_LLM is set)",
    )
    args = parser.parse_args(argv)
    if (args.question is None) == (args.batch is None):
        parser.error("give either a QUESTION or --batch FILE")
    if args.k is not None and not 1 <= args.k <= 50:
        parser.error("--k must be between 1 and 50")

    def run() -> int:
        assistant = _assistant(args.data)
        mode = args.mode or ("extractive" if assistant.settings.llm == "none" else "llm")
        if mode == "llm" and assistant.settings.llm == "none":
            raise KBError("--mode llm needs an LLM backend: set KB_LLM=ollama or KB_LLM=openai")

        def answer(question: str):
            return answer_in_mode(assistant, mode, question, args.k, args.section)

        if args.batch:
            for number, line in enumerate(_read_lines(args.batch), 1):
                try:
                    question = json.loads(line)["q"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    raise KBError(
                        f'{args.batch}:{number}: expected a JSON object with "q"'
                    ) from None
                print(json.dumps(answer(str(question)).to_json(), ensure_ascii=False), flush=True)
            return 0
        result = answer(args.question)
        print(
            json.dumps(result.to_json(), ensure_ascii=False, indent=2)
            if args.json
            else result.render()
        )
        return 0

    return run_cli("kb-ask", run)


def answer_in_mode(assistant, mode: str, question: str, k: int | None, section: str | None):
    """The extractive answer, or the LLM's once it has finished (verified, within its limits)."""
    if mode == "extractive":
        return assistant.ask(question, k, section)
    final = None
    for item in assistant.ask_stream(question, k, section):
        if not isinstance(item, str):
            final = item
    return final


def _read_lines(path: Path) -> list[str]:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KBError(f"cannot read batch file {path}: {exc}") from exc
    return [line for line in text.splitlines() if line.strip()]


def eval_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kb-eval", description=EVAL_DESCRIPTION, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--questions", type=Path, help="default: data/eval/questions.jsonl")
    parser.add_argument("--data", type=Path, help="data folder (default: KB_DATA_DIR or data)")
    parser.add_argument(
        "--corpus",
        type=Path,
        help="a markdown folder with its own questions.jsonl: indexed (incrementally) into "
        "data/eval/index/<name> unless --data is given, then evaluated",
    )
    parser.add_argument(
        "--mode",
        choices=("extractive", "llm"),
        help="answer mode (default: llm when KB_LLM is set, else extractive)",
    )
    parser.add_argument("--dump", type=Path, help="write each question's answer as JSON lines")
    parser.add_argument("--k", type=int, default=5, help="cut-off for hit@k and MRR (default 5)")
    parser.add_argument("--misses", action="store_true", help="list the questions that failed")
    args = parser.parse_args(argv)

    def run() -> int:
        from app.core.evaluate import failures, load_floors, load_questions, metrics

        corpus, data = args.corpus, args.data
        if corpus is not None:
            if not corpus.is_dir():
                raise KBError(f"corpus folder {corpus} does not exist")
            data = data or Path("data/eval/index") / corpus.resolve().name
        questions_file = args.questions or (
            corpus / "questions.jsonl" if corpus else Path("data/eval/questions.jsonl")
        )
        questions = load_questions(questions_file)
        assistant = _assistant(data, corpus)
        mode = args.mode or ("extractive" if assistant.settings.llm == "none" else "llm")
        outcomes = [evaluate_one(assistant, q, args.k, mode) for q in questions]
        if args.dump:
            dump(outcomes, args.dump)
        print(f"{'corpus':>20}  {corpus or assistant.settings.kb_dir} ({mode} answers)")
        values = metrics(outcomes, args.k)
        for name, value in values.items():
            print(
                f"{name:>20}  {value:.3f}" if isinstance(value, float) else f"{name:>20}  {value}"
            )
        if args.misses:
            print_misses(outcomes, args.k)
        problems = failures(values, load_floors(corpus / "floors.json") if corpus else None)
        if problems:
            print("below threshold: " + "; ".join(problems), file=sys.stderr)
            return 1
        return 0

    return run_cli("kb-eval", run)


def evaluate_one(assistant, question, k: int, mode: str = "extractive"):
    from app.core.answer import Answer
    from app.core.evaluate import Outcome

    if mode == "llm":
        final = list(assistant.ask_stream(question.q, k, history=list(question.history)))[-1]
        assert isinstance(final, Answer)
        answer = final
    else:
        answer = assistant.ask(question.q, k, history=list(question.history))
    return Outcome(
        question,
        [h.chunk.source for h in answer.hits],
        answer.refused,
        [c.chunk.source for c in answer.citations],
        answer.extra.get("relevance", 0.0),
        answer.text,
        [(c.chunk.source, c.start_line, c.end_line) for c in answer.citations],
        f"{answer.hits[0].chunk.heading_path}\n\n{answer.hits[0].chunk.text}"
        if answer.hits
        else "",
        [(h.chunk.source, h.chunk.start_line, h.chunk.end_line) for h in answer.hits],
    )


def dump(outcomes, path: Path) -> None:
    """One JSON line per question: what was asked, expected, answered and cited."""
    from app.core.evaluate import junk_markup

    with path.open("w", encoding="utf-8") as out:
        for o in outcomes:
            record = {
                "q": o.question.q,
                "expect": list(o.question.expect),
                "key": list(o.question.key),
                "answer": o.answer_text,
                "refused": o.refused,
                "relevance": o.relevance,
                "cited": [list(span) for span in o.cited_spans],
                "sources": o.ranked_sources,
                "junk": junk_markup(o.answer_text),
                "top_passage": o.top_passage,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def print_misses(outcomes, k: int) -> None:
    from app.core.evaluate import first_hit_rank

    for o in outcomes:
        rank = first_hit_rank(o)
        wrong_refusal = o.refused == bool(o.question.expect)
        if wrong_refusal or (o.question.expect and (rank is None or rank > 1)):
            print(
                f"- rank {rank} refused={o.refused} rel={o.relevance:.3f} {o.question.q!r} "
                f"expect {list(o.question.expect)} got {o.ranked_sources[:3]}"
            )


if __name__ == "__main__":
    sys.exit(ask_main())
