"""Retrieval and answer quality on a labelled question set."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.characters import emoji, entities
from ingest.errors import KBError
from ingest.markdown import leaves_role

# The regression gate of `kb-eval`: a run below any of these exits non-zero. They are floors
# under the measured quality on kb/ (252 questions, 2026-12-02, with the index-derived
# refusal and the answer layer of app/core/compose.py; key point 0.627 and no junk answer
# since announced subsections are listed and cut paragraphs finished), not the targets of
# the answers issue (refusal and key point >= 0.9 / 0.8), which the extractive answers do not
# meet yet. Floors only ever go up.
THRESHOLDS = {
    "hit@5": 0.95,
    "mrr": 0.85,
    "refusal_accuracy": 0.88,
    "answered_rate": 0.95,
    "citation_precision": 0.88,
}
# Answer-level measures gate only where a question file labels them.
ANSWER_THRESHOLDS = {"key_point_rate": 0.67}
MAX_JUNK_ANSWERS = 1


Span = tuple[str, int, int]  # source, first line, last line (1-based, inclusive)


@dataclass(frozen=True)
class Question:
    q: str
    expect: tuple[str, ...]
    history: tuple[str, ...] = ()
    key: tuple[str, ...] = ()  # terms a correct answer contains
    answer_lines: tuple[Span, ...] = ()  # where the answering sentences stand


@dataclass(frozen=True)
class Outcome:
    question: Question
    ranked_sources: list[str]  # the source of each retrieved chunk, best first
    refused: bool
    cited_sources: list[str]
    relevance: float
    answer_text: str = ""
    cited_spans: list[Span] = field(default_factory=list)
    top_passage: str = ""  # the best retrieved passage as it stands, for comparison
    ranked_spans: list[Span] = field(default_factory=list)  # each retrieved chunk, best first


# Markup a reader should never see in an answer (outside code): MkDocs/PyMdown directives
# (admonition, block, tab and mkdocstrings markers, wherever sentences were joined), snippet
# includes, attribute lists (explicit heading ids, `{ .annotate }`), HTML, raw relative links,
# reference links and their definitions, footnote markers, front matter fences, a blockquote's
# marker inside a sentence.
JUNK_PATTERNS = {
    "directive": re.compile(
        r"(?:^|\s)(?:!!!|\?\?\?\+?|/{3,})(?:[ \t]+[\w-]+|$)|(?:^|\s):::[ \t]+[\w.]+|"
        r"(?:^|\s)===\+?[ \t]+\"|^[ \t]*:{3,}[ \t]*\{?[a-z][\w-]*",
        re.M,
    ),
    # Obsidian's wikilinks and callout markers: "[[Connection pooling]]", "> [!tip]".
    "wikilink": re.compile(r"\[\[[^\[\]]+\]\]|\[![A-Za-z]+\]"),
    # GitBook, Hugo and Jekyll template tags: "{% hint style="info" %}", "{{< note >}}".
    "template tag": re.compile(r"\{%-?\s*[\w-]+[^{}]*?%\}|\{\{[<%][^{}]*?[>%]\}\}"),
    # MyST's comment and cross-reference target lines: "% ...", "(caching-guide)=".
    "myst line": re.compile(r"^[ \t]*(?:%[ \t]|\([\w.:-]+\)=[ \t]*$)", re.M),
    "snippet include": re.compile(r"-{1,2}8<-{1,2}|\{\*.*?\*\}|\{!>?\s*\S+?\s*!\}"),
    "heading id": re.compile(r"\{\s*:?\s*#[\w:-]+[^{}]*\}"),
    "attribute list": re.compile(r"\{\s*:?\s*(?:\.[\w-]+|data-[\w-]+)[^{}]*\}"),
    "html": re.compile(r"<!--|</?[a-zA-Z][\w-]*(?:\s[^<>]*)?/?>"),
    "relative link": re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#)[^)\s]*\)", re.I),
    "reference link": re.compile(r"\]\[[^\]]*\]|^\s*\[[^\]^]+\]:\s+\S", re.M),
    "footnote": re.compile(r"\[\^[^\]]+\]"),
    "front matter": re.compile(r"^---[ \t]*\n[\w-]+:", re.M),
    # A blockquote's "> " after the end of a sentence on the same line: its lines were joined
    # into prose (a quotation opens its paragraph; "is > 5 %" is a comparison).
    "quote marker": re.compile(r"[.!?:][\"')\]*_]*[ \t]+>(?:[ \t]|$)", re.M),
}
CODE = re.compile(r"^(```|~~~).*?^\1\s*$|`[^`\n]+`", re.S | re.M)
# A code fence opened with attributes a docs site reads: ```py title="app.py" or {test="skip"}.
FENCE_ATTRIBUTES = re.compile(r"^\s*(?:```|~~~)[^\n`]*[{=]", re.M)
FENCED = re.compile(r"^(```|~~~).*?^\1\s*$", re.S | re.M)
# A code block opened after prose on the same line ("... for each attempt: ```python"): a reader
# sees the fence and the code run into the sentence.
FENCE_MID_LINE = re.compile(r"(?<![`~])[^\s`~][ \t]*(?:```|~~~)[\w+-]*[ \t]*\n", re.M)
LOOSE_FENCED = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)  # closing fence and a marker: "``` [1]"
# What may follow a "...:" lead-in: a list, code, a table, a quotation, a tab's label over its
# code, or the "(code: path)" an include of a file the knowledge base lacks is shown as.
INTRODUCED = re.compile(r"([-*+]|\d+[.)]|```|~~~|\||>|[^\n]{1,40}\n```|\(code: )")
MARKERS = re.compile(r"(?:\s*\[\d+\])+\s*$")


def junk_markup(answer: str) -> list[str]:
    """What is wrong with an answer's text: leftover markup, bold left open, or a lead-in ending
    on a colon with nothing after it. Code blocks and code spans may hold anything."""
    prose = CODE.sub(" ", answer)
    found = [name for name, pattern in JUNK_PATTERNS.items() if pattern.search(prose)]
    if entities(prose) != prose:
        found.append("entity")  # "&mdash;" where the docs site shows a dash
    if emoji(prose) != prose:
        found.append("emoji code")  # ":x: Bad" where the docs site draws ❌
    if leaves_role(FENCED.sub(" ", answer)):
        found.append("role")  # MyST's {ref}`target`: the reader sees the braces and backticks
    if FENCE_ATTRIBUTES.search(answer):
        found.append("fence attributes")
    if FENCE_MID_LINE.search(answer):
        found.append("fence mid-line")
    blocks = FENCED.sub("```code```", answer)  # a colon inside code is not a lead-in
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", blocks) if p.strip()]
    if any(
        p.count("**") % 2
        for p in re.split(r"\n\s*\n", CODE.sub(" ", LOOSE_FENCED.sub(" ", answer)))
    ):
        found.append("open bold")  # "**[Ascending number]. [2]": a sentence cut inside bold
    for number, paragraph in enumerate(paragraphs):
        following = paragraphs[number + 1] if number + 1 < len(paragraphs) else ""
        introduces = INTRODUCED.match(following)
        if MARKERS.sub("", paragraph).endswith(":") and not introduces:
            found.append("dangling colon")
            break
    return found


def answer_words(answer: str) -> int:
    """Words a reader reads: prose and code lines, without the [n] markers."""
    return len(re.sub(r"\[\d+\]", " ", answer).split())


def has_key_point(question: Question, answer: str) -> bool:
    """Every key term appears in the answer (case and spacing ignored)."""
    text = " ".join(answer.lower().split())
    return all(" ".join(term.lower().split()) in text for term in question.key)


def overlaps(spans: Iterable[Span], labelled: Iterable[Span]) -> bool:
    labelled = list(labelled)
    return any(
        s == source and start <= last and first <= end
        for s, start, end in spans
        for source, first, last in labelled
    )


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
                Question(
                    item["q"],
                    tuple(item["expect"]),
                    tuple(item.get("history", ())),
                    tuple(item.get("key", ())),
                    tuple((str(s), int(a), int(b)) for s, a, b in item.get("answer_lines", ())),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
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

    keyed = [o for o in covered if o.question.key]
    answered = [o for o in covered if not o.refused]
    located = [o for o in covered if o.question.answer_lines]
    answer_values = {
        "key_point_rate": share(
            [not o.refused and has_key_point(o.question, o.answer_text) for o in keyed]
        ),
        "answer_lines_cited": share(
            [not o.refused and overlaps(o.cited_spans, o.question.answer_lines) for o in located]
        ),
        # Retrieval's part choice, before the answer layer: does the best passage (any of the
        # k best) hold the labelled answer lines, not just the right file's intro?
        "answer_lines@1": share(
            [overlaps(o.ranked_spans[:1], o.question.answer_lines) for o in located]
        ),
        f"answer_lines@{k}": share(
            [overlaps(o.ranked_spans[:k], o.question.answer_lines) for o in located]
        ),
        "junk_answers": sum(1 for o in outcomes if not o.refused and junk_markup(o.answer_text)),
        # Key point is a substring test, so a longer answer wins it more easily: watch length.
        "mean_answer_words": round(
            sum(answer_words(o.answer_text) for o in answered) / len(answered), 1
        )
        if answered
        else 0.0,
    }
    return {
        "questions": len(outcomes),
        "hit@1": share([r == 1 for r in ranks]),
        f"hit@{k}": share([r is not None and r <= k for r in ranks]),
        "mrr": sum(1 / r for r in ranks if r is not None) / len(ranks) if ranks else 1.0,
        "refusal_accuracy": share([o.refused for o in uncovered]),
        "answered_rate": share([not o.refused for o in covered]),
        "citation_precision": good_cites / len(cited) if cited else 1.0,
        **(answer_values if keyed or located else {"junk_answers": answer_values["junk_answers"]}),
    }


def load_floors(path: Path) -> dict[str, float]:
    """A corpus's own floors (`floors.json` beside its questions), replacing the kb/ ones it
    names: an outside corpus is gated under its own measured quality, not ours."""
    if not path.is_file():
        return {}
    try:
        floors = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(floors, dict):
            raise ValueError("not a JSON object")
        known = {**THRESHOLDS, **ANSWER_THRESHOLDS, "junk_answers": MAX_JUNK_ANSWERS}
        unknown = sorted(set(floors) - set(known))
        if unknown:
            raise ValueError(f"unknown measure {unknown[0]!r}")
        return {name: float(value) for name, value in floors.items()}
    except (OSError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise KBError(f"{path}: {' '.join(str(exc).split())}") from exc


def failures(values: dict[str, float], floors: dict[str, float] | None = None) -> list[str]:
    """Every gated measure below its threshold, and junk markup in any answer."""
    floors = floors or {}
    limits = {**THRESHOLDS, **ANSWER_THRESHOLDS, **floors}
    limits.pop("junk_answers", None)
    problems = [
        f"{name} {values[name]:.3f} < {limit}"
        for name, limit in limits.items()
        if name in values and values[name] < limit
    ]
    most_junk = floors.get("junk_answers", MAX_JUNK_ANSWERS)
    if values.get("junk_answers", 0) > most_junk:
        problems.append(f"junk_answers {values['junk_answers']} > {most_junk:g}")
    return problems


def run(questions: list[Question], answer: Callable[[Question], Outcome]) -> list[Outcome]:
    return [answer(q) for q in questions]
