"""Does this unit answer this question? A small logistic model over corpus-independent features.

Embedding similarity says what a passage is *about*; the answer to "when should I ..." is the
sentence that states a condition, under a heading like "When to ...", not the definition that
opens the section. The features below describe a unit (sentence, list item or code block) against
the question's intent and words, its place in its section and its passage's retrieval scores.
The weights are learnt by `scripts/train_answer_scorer.py` from labelled answer lines and
shipped in `answer_scorer.json`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app.core.passages import Unit
from app.core.query import Query
from app.core.retrieve import Hit
from ingest.keyword import tokenize

WEIGHTS_FILE = Path(__file__).with_name("answer_scorer.json")

# What a unit's wording says it is.
CONDITION = re.compile(
    r"\b(when|whenever|if|unless|once|before|after|until|only|as soon as)\b", re.I
)
REASON = re.compile(
    r"\b(because|so that|otherwise|since|which means|this means|reason|to avoid|prevents?"
    r"|ensures?|so the|so you|so it|that way)\b",
    re.I,
)
ADVICE = re.compile(
    r"\b(should|must|prefer|avoid|never|always|don'?t|do not|recommend\w*|instead|rule|best)\b",
    re.I,
)
PITFALL = re.compile(
    r"\b(avoid|don'?t|do not|never|pitfall|mistake|wrong|bug|problem|breaks?|fails?|trap"
    r"|anti-?pattern|careful|beware|instead)\b",
    re.I,
)
CONTRAST = re.compile(
    r"\b(whereas|while|unlike|instead|rather than|differs?|difference|than|but|vs\.?|versus"
    r"|compared)\b",
    re.I,
)
DEFINITION = re.compile(r"^[\w`*\"' -]{1,60}\b(is|are|means|refers to|describes)\b", re.I)
IMPERATIVE = re.compile(
    r"^(use|avoid|prefer|keep|make|set|add|put|write|run|call|pass|return|define|create|check"
    r"|don'?t|do|never|always|give|let|start|split|move|test|mock|raise|catch|log|read|store"
    r"|choose|pick|treat|wrap|name|document|review|ask|limit|measure|declare|configure|enable"
    r"|install|import|include|apply|follow|remember|note|consider)\b",
    re.I,
)
META = re.compile(
    r"^(this|the) (document|page|guide|section|article|chapter|tutorial)\b|\b(this|the "
    r"following) (document|page|guide|section) (explains|describes|covers|shows)\b"
    # A tutorial narrating its own walk-through: "Let's say that we want ...", "Now let's
    # delete with SQLModel.", "Imagine ...", "If we run it, ...". It sets up or announces
    # the step; the sentences after it answer.
    r"|^((so|now|and|but|then|ok|okay)\b,? )*"
    r"(let[’']?s(?! encrypt)|let us|imagine|suppose|if (we|you) run|now,? we (need|have) to)\b",
    re.I,
)
MARKUP = re.compile(r"^\s*(?::::|!!!|\?\?\?|///|===|\{\*|--8<--|<[a-zA-Z!/])|\{\s*#[\w-]+\s*\}")
POINTER = re.compile(
    r"\]\([^)]*\.md\b|\b(see|read|is in|are in|described in|covered in)\b.*\]\(", re.I
)
# The same on a quote, where ingestion reduced relative and reference links to their words ("See
# Discriminated Unions for more details.", "Read more here on ..."): the wording alone.
POINTS_ON = re.compile(
    r"^(?:see|read more|refer to|learn more|check out|for more (?:details|information))\b"
    r"|\b(?:read|learn) more (?:here|about|on|in)\b|\bcan be found (?:here|in)\b"
    r"|\bfor (?:more|further) (?:details|information)\W*$",
    re.I,
)
LINK_WORDS = re.compile(r"\[([^\]\[]+)\](?!:)")  # a link's words in the file: "[here](x.md)"
ANAPHORIC = re.compile(r"^(this|these|that|those|it|they|here|such|both)\b", re.I)
# A recap of what the page said ("Summary", "Checklist", "Key takeaways") or where to read on;
# not a "TL;DR", which puts the answer first ("We recommend our modern APIs for new code:").
SUMMARY_HEADING = re.compile(
    r"\b(summary|checklist|overview|introduction|intro|contents|key takeaways|see also"
    r"|related|references|resources|further reading)\b",
    re.I,
)
HEADING_INTENT: dict[str, re.Pattern[str]] = {
    "when": re.compile(r"\b(when|whether|choos\w*|deciding)\b", re.I),
    "why": re.compile(r"\b(why|benefits?|rationale|motivation)\b", re.I),
    "how": re.compile(r"\b(how|steps?|setting up|using|usage)\b", re.I),
    "avoid": re.compile(
        r"\b(avoid\w*|pitfalls?|mistakes?|anti-?patterns?|gotchas?|don'?t)\b", re.I
    ),
    "compare": re.compile(r"\b(vs\.?|versus|differences?|compar\w*)\b", re.I),
    "what": re.compile(r"^(what|definition)\b", re.I),
}

FEATURES = (
    "bias",
    "chunk_rank_inv",
    "chunk_dense_rel",
    "chunk_keyword_rel",
    "chunk_fused_rel",
    "unit_coverage",
    "unit_overlap_count",
    "heading_coverage",
    "part_coverage_min",
    "position",
    "lead",
    "kind_item",
    "kind_code",
    "introduces",
    "ends_colon",
    "log_words",
    "short",
    "meta",
    "anaphoric",
    "summary_heading",
    "definition",
    "imperative",
    "advice",
    "when_x_condition",
    "why_x_reason",
    "how_x_procedure",
    "should_x_advice",
    "avoid_x_pitfall",
    "compare_x_contrast",
    "what_x_definition",
    "example_x_code",
    "heading_intent_match",
    "code_unwanted",
    "pointer",
    "markup",
)


@dataclass(frozen=True)
class Candidate:
    hit: Hit
    unit: Unit
    units: tuple[Unit, ...]  # every unit of its chunk, in order (for context)


def coverage(query: frozenset[str] | set[str], tokens: frozenset[str] | set[str], idf) -> float:
    """Share of the question's (idf-weighted) words present in `tokens`."""
    total = sum(idf(t) for t in query)
    return sum(idf(t) for t in query & tokens) / total if total else 0.0


@lru_cache(maxsize=4096)
def _unit_tokens(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def _introduces(unit: Unit, units: tuple[Unit, ...]) -> bool:
    """The unit ends on a colon and a list or code block follows it."""
    if not unit.quote.rstrip().endswith(":"):
        return False
    following = [u for u in units if u.order == unit.order + 1]
    return bool(following) and following[0].kind in ("item", "code")


def file_text(cand: Candidate) -> str:
    """The unit's lines as the file has them (links whole), joined into one line."""
    unit, chunk = cand.unit, cand.hit.chunk
    lines = chunk.text.splitlines()[
        unit.start_line - chunk.start_line : unit.end_line - chunk.start_line + 1
    ]
    return " ".join(lines)


def points_elsewhere(cand: Candidate) -> bool:
    """The unit sends the reader to another page: a link to one in its text, or wording like
    "See X for more details" whose X was a link in the file (ingestion leaves only the link's
    words). Wording alone does not say so ("Check out the release branch first", "The logs can
    be found in /var/log"), nor does a link alone: an answering sentence often links the page
    it builds on."""
    unit = cand.unit
    if unit.kind == "code":
        return False
    if POINTER.search(unit.text):
        return True
    if not POINTS_ON.search(unit.quote):
        return False
    linked = (text.strip() for text in LINK_WORDS.findall(file_text(cand)))
    return any(text and text in unit.quote for text in linked)


def _dense(hit: Hit) -> float:
    """The dense score a passage's units are judged by: the section's overlapping piece's, when
    retrieval left that piece out and it matched better (see retrieve.shared_dense)."""
    return hit.dense if hit.section_dense is None else hit.section_dense


def dense_scale(hits: list[Hit]) -> float:
    """What a passage's dense score is measured against: the top passage's, or, when only the
    keyword search found the top passage (no dense score: 0), the best of the others'. Divided
    by 0 the others' scores ran to 600,000 and their units outranked every unit of the top
    passage ("... what guidelines should I follow?" quoted a release note over the guide)."""
    top = _dense(hits[0])
    return top if top > 0 else max((_dense(h) for h in hits), default=0.0)


def features(
    query: Query, cand: Candidate, top: Hit, best_dense: float, best_keyword: float, idf
) -> list[float]:
    unit, hit = cand.unit, cand.hit
    text = unit.plain  # a table row's cells read as prose
    tokens = _unit_tokens(text)
    heading = hit.chunk.heading_path.split(" › ")[-1]
    heading_tokens = _unit_tokens(hit.chunk.heading_path)
    question = frozenset(query.tokens) or query.words
    prose = unit.kind != "code"
    words = len(text.split())
    intents = query.intents
    sentence = text if prose else ""
    introduces = _introduces(unit, cand.units)
    definition = bool(DEFINITION.match(sentence))
    imperative = bool(IMPERATIVE.match(sentence))
    advice = bool(ADVICE.search(sentence))
    parts = [p for p in query.part_tokens if p] if len(query.part_tokens) > 1 else []
    part_min = min(coverage(p, tokens | heading_tokens, idf) for p in parts) if parts else 0.0
    heading_match = any(
        name in intents and pattern.search(heading) for name, pattern in HEADING_INTENT.items()
    )
    n_units = max(len(cand.units), 1)
    return [
        1.0,
        1.0 / hit.rank,
        max(0.0, _dense(hit)) / max(best_dense, 1e-6),
        hit.keyword / best_keyword if best_keyword > 0 else 0.0,
        hit.fused / max(top.fused, 1e-9),
        coverage(question, tokens, idf),
        math.log1p(len(question & tokens)),
        coverage(question, heading_tokens, idf),
        part_min,
        unit.order / n_units,
        float(unit.lead),
        float(unit.kind == "item"),
        float(unit.kind == "code"),
        float(introduces),
        float(prose and text.rstrip().endswith(":") and not introduces),
        math.log1p(words) if prose else 0.0,
        float(prose and words < 6),
        float(bool(META.search(sentence))),
        float(bool(ANAPHORIC.match(sentence))),
        float(bool(SUMMARY_HEADING.search(heading))),
        float(definition),
        float(imperative),
        float(advice),
        float("when" in intents and bool(CONDITION.search(sentence))),
        float("why" in intents and bool(REASON.search(sentence))),
        float("how" in intents and (imperative or introduces or unit.kind == "code")),
        float("should" in intents and (advice or imperative)),
        float("avoid" in intents and bool(PITFALL.search(sentence))),
        float("compare" in intents and bool(CONTRAST.search(sentence))),
        float("what" in intents and definition),
        float("example" in intents and (unit.kind == "code" or introduces)),
        float(heading_match),
        float(unit.kind == "code" and not query.wants_code),
        float(bool(POINTER.search(sentence))),
        float(bool(MARKUP.search(text))),
    ]


@dataclass(frozen=True)
class Scorer:
    weights: tuple[float, ...]  # ranking: which unit of the candidates answers best
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    gate_weights: tuple[float, ...]  # calibrated: how likely the best unit is an answer at all
    threshold: float  # below this gate probability no unit clearly answers

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> Scorer:
        data = json.loads(path.read_text(encoding="utf-8"))
        names = data["features"]
        if tuple(names) != FEATURES:
            raise ValueError(f"{path} was trained on other features; rerun the trainer")
        return cls(
            tuple(data["weights"]),
            tuple(data["mean"]),
            tuple(data["scale"]),
            tuple(data["gate_weights"]),
            float(data["threshold"]),
        )

    def probability(self, values: list[float]) -> float:
        """The ranking score, as a probability (compare it among one question's units)."""
        return self._logistic(self.weights, values)

    def answers(self, values: list[float]) -> float:
        """How likely this unit answers the question at all (compare with `threshold`)."""
        return self._logistic(self.gate_weights, values)

    def _logistic(self, weights: tuple[float, ...], values: list[float]) -> float:
        z = sum(
            w * ((v - m) / s)
            for w, v, m, s in zip(weights, values, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=1)
def default_scorer() -> Scorer:
    return Scorer.load()
