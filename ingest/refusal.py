"""When to refuse, derived from each index generation at ingest (not tuned on one corpus).

An ingest scores two sets of questions against the generation it is about to publish, with
the same relevance the app computes for a user's question:
- off-topic questions packaged with the code (`data/off_topic.txt`: other domains, other
  programming topics, chit-chat), which the KB should refuse;
- synthetic in-domain questions, one from each of a bounded, deterministic sample of
  sections (its heading, as a reader would ask for it), which it should answer.
The refusal threshold is placed just above the off-topic distribution (its upper tail plus
a margin of its spread), never above what most synthetic questions reach, and is stored in
the generation's meta (`meta["refusal"]`) so every reader uses the numbers of the index it
reads. Question vectors are cached by text under the index folder, so an edit embeds only
the questions of the sections it changed.

The same pass measures each document's "reach": the share of OTHER documents whose synthetic
questions bring one of its passages among the 3 best of either retriever. Changelogs,
glossaries and index pages mention every topic and reach far more documents than a page about
one topic does; documents that stand out that way are recorded in `meta["refusal"]["hubs"]`
and demoted by the retriever. Only their plain-English words count for relevance
(silent_rows): the threshold is set, and a user's question scored, as if a hub named nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ingest.chunk import PATH_SEP
from ingest.keyword import SQL_KEYWORDS, tokenize
from ingest.stemmer import stem

TOP = 5  # best passages per retriever (dense, keyword) whose word coverage counts
WORD_WEIGHT = 0.5  # how much the share of the question's rare words counts next to cosine
UNKNOWN_WEIGHT = 1.0  # how much the share of words the whole index never uses counts against
# ... in full for a question of up to this many distinct words, less for a longer one: a short
# question naming what the KB lacks (msgspec, Terraform) is a near-miss, while a long question
# told in the user's own words ("OOM-killed", "gunicorn") is usually covered all the same.
UNKNOWN_WORDS = 6
# A question of more than this many distinct words tells its situation in words no one passage
# holds ("Traces show up fine on my laptop, but in production under gunicorn with several workers
# the spans never arrive"): its word coverage counts as if it had only this many, so the story
# around the topic does not dilute what its best passage holds (see long_coverage).
COVERED_WORDS = 10
# An unknown word that is plain English (data/common_words.txt: "thumb", "nobody") is more
# likely the user's wording than a name of something the KB lacks, and counts this much of one.
COMMON_WEIGHT = 0.5
COMMON_WORDS_FILE = Path(__file__).with_name("data") / "common_words.txt"
# A question naming something the KB never mentions ("How do I declare a PostgreSQL JSONB column
# on a SQLModel table model?") pays this much besides its share of never-used words: such near
# misses scored 0.004-0.07 over the threshold on sqlmodel-docs, covered questions with an unknown
# word 0.09 or more (0.05: four of those near misses refused, one covered question lost on kb/).
NAMED_PENALTY = 0.05
# A capitalised word inside a sentence names something ("an Oracle database", "with Poetry")
# even when it is an English word too: never-used, it pays NAMED_PENALTY like "JSONB" does. Not
# the first word of a sentence (after ".", "?", "...", a closing quote or bracket), nor any word
# of a question in Title Case.
CAPITALISED = re.compile(r"^\(?([A-Z][a-z]+)\b")
# What ends a sentence or a list item's number ("1)"), a closing quote or bracket after it.
SENTENCE_END = re.compile(r"(?:[.!?:…]|^\(?\d+[.)])[\"'”’)\]]*$")
# A quotation inside a question (an error message, a title): its capitals start its own text.
QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|(?<!\w)'[^']*'(?!\w)")
VERSION_TOKEN = re.compile(r"^v?\d+(?:\.(?:\d+|x))*(?:(?:a|b|rc|alpha|beta)\d*)?$")
OFF_TOPIC_QUANTILE = 0.98  # the threshold sits above this share of off-topic scores ...
SYNTHETIC_CEILING = 0.10  # ... and never above the score of the weakest tenth of synthetic ones
# An off-topic question scoring within this of that ceiling is one the KB nearly covers: it is left
# out of the quantile too. kb/'s threshold sat among its five highest off-topic scores, and each
# new section that touched one lifted it: hiring interviews put "How do I prepare for a job
# interview at a bank?" at 0.79 and the threshold rose 0.703 -> 0.769 (labelled answered .991 ->
# .913). With the margin it is 0.674 and one such question moves it by at most 0.011 (0.067
# without); the outside corpora keep theirs but pydantic-docs (0.596 -> 0.574: refused 1.0 -> .923)
# and sqlmodel-docs (0.457 -> 0.450, the same refusals).
COVERED_MARGIN = 0.1
# Nor below this: a best passage with cosine under 0.3 and no shared words is no answer. It
# binds only on tiny KBs, whose small vocabulary makes every off-topic question score low.
FLOOR = 0.3
REACH = 3  # a document reaches a question when it is among the 3 best of either retriever
HUB_FACTOR = 4.0  # a hub reaches the questions of this many times more documents than typical
MIN_HUB_REACH = 0.35  # ... and of at least this share of the other documents
# A changelog is a hub by its shape as well: a long page (CHANGELOG_ROWS passages or more) nearly
# every passage of which sits under a heading naming a version or a date. Reach alone misses it
# when the sampled headings are generic ("What about create Rows?" never lands on a release note).
# Many different ones (CHANGELOG_VERSIONS): "## OAuth 2.0" over a page of sections is one
# version, not a history. Not an IP address ("10.0.1.0").
VERSION_OR_DATE = re.compile(
    r"(?<![\d.])v?\d+\.\d+(?:\.\d+)?(?:[a-z]+\d*)?(?![\d.]*\.\d)\b|\b\d{4}-\d{2}-\d{2}\b"
)
# A word written in capitals, two letters or more ("COUNT", "GROUP", "JSONB", "FTS5",
# "CONN_MAX_AGE"; not "S3", "V2"). Used as a keyword (before a parenthesis, "COUNT(*)"; in
# backticks; or in a run of SQL keywords, "GROUP BY", "SELECT ... FOR UPDATE") that the index
# never writes in capitals, it names what the KB lacks ("SELECT COUNT(*)" asked of docs whose
# only "count" is prose): its token is replaced by one no index uses (SHADOW), so relevance
# counts it as a name the KB never mentions. Other words in capitals are emphasis or a shouted
# name as often ("a test that MUST run first", "run FAST AND RELIABLY", "connect to POSTGRES")
# and are left alone.
CAPITAL = re.compile(r"\b(?=[A-Z0-9_]*[A-Z][A-Z0-9_]*[A-Z])[A-Z][A-Z0-9_]+\b")
BACKTICKED = re.compile(r"`[^`]*`")
SHADOW = "\u2020"  # appended to such a token: no index holds a word with it
# Capitals that are the writer's tone or everyday shorthand of the trade, not a keyword: docs on
# building a REST API with a database may never write "REST", "CRUD", "DB" or "SQLITE" in
# capitals, and a question using them is no less covered ("How do I build a CRUD REST API?").
SHORTHAND = frozenset(
    "OK ASAP FYI IMO IMHO TLDR TODO PS NB API APIS REST CRUD HTTP HTTPS URL URLS URI ID IDS UUID"
    " JSON SQL SQLITE DB DBS ORM UI UX CLI OS CPU RAM IO IDE CI CD PR PRS QA OOP SDK".split()
)
CHANGELOG_ROWS = 10
CHANGELOG_SHARE = 0.8
CHANGELOG_VERSIONS = 5


@dataclass(frozen=True)
class Terms:
    """Inverse document frequency of the index's words; words it never uses weigh most.
    `silent`: rows of which only plain-English words count (silent_rows), in the frequencies
    too."""

    idf: dict[str, float]
    unknown: float
    silent: frozenset[int] = frozenset()
    capitals: frozenset[str] | None = None  # the words the index writes in capitals (shadowed)

    @classmethod
    def of(
        cls,
        document_frequencies: dict[str, int],
        chunks: int,
        silent: Collection[int] = (),
        capitals: Collection[str] | None = None,
    ) -> Terms:
        n = chunks or 1
        idf = {term: math.log(1 + n / count) for term, count in document_frequencies.items()}
        written = None if capitals is None else frozenset(capitals)
        return cls(idf, math.log(1 + 2 * n), frozenset(silent), written)

    def __call__(self, token: str) -> float:
        return self.idf.get(token, self.unknown)

    def words(self, row: int, words_of: Callable[[int], frozenset[str]]) -> frozenset[str]:
        """The words of a row that count: of a silent row, only the plain-English ones."""
        return frozenset(filter(plain, words_of(row))) if row in self.silent else words_of(row)


def plain(term: str) -> bool:
    """A word a hub's passage still counts with: plain English, or a version number ("0.0.13":
    a changelog is where a question about one release is answered)."""
    return term in common_words() or bool(VERSION_TOKEN.match(term))


@cache
def common_words() -> frozenset[str]:
    """Stems of plain English words (data/common_words.txt)."""
    return frozenset(stem(word) for word in english_words())


@cache
def english_words() -> frozenset[str]:
    """Plain English words (data/common_words.txt), as written."""
    lines = COMMON_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def question_words(tokens: Collection[str], known: Callable[[str], bool]) -> set[str]:
    """The question's distinct words that decide relevance, each in the form the index uses
    (index_form): a hyphenated word the index never uses ("OOM-killed", "non-blocking") is
    left to its parts, which count on their own."""
    words = (index_form(t, known) for t in tokens)
    return {word for word in words if known(word) or "-" not in word}


def index_form(token: str, known: Callable[[str], bool]) -> str:
    """The token, or the derived form of the same word that the index uses: the light stemmer
    (ingest/keyword.py) keeps "micromanaging"/"micromanagement" and "friendlier"/"friendly"
    apart, and a question asked with one form is not about something the index lacks."""
    if known(token):
        return token
    return next((form for form in derived_forms(token) if known(form)), token)


PREFIXES = ("de", "dis", "mis", "non", "re", "un")
# Words in -ly that are no adverb of the word before it (likely is not like, weekly not week).
NOT_ADVERBS = frozenset(
    """likely unlikely only early daily weekly monthly yearly hourly nightly costly friendly
    lovely family supply assembly anomaly italy july""".split()
)
# Words in -est that are no superlative of the word before it (everest is not ever, earnest not
# earn).
NOT_SUPERLATIVES = frozenset(
    """everest earnest interest harvest request conquest contest protest manifest suggest tempest
    forest honest modest digest arrest invest divest molest attest detest infest unrest behest
    vitest""".split()
)
PREFIXED_REST = 5  # what a prefix leaves: "retool" is no "tool", "unreal" no "real"


def derived_forms(token: str) -> list[str]:
    """Other forms of a stemmed word: with or without -ment (manag, management), an adjective
    for its -ier / -iest comparison (friendlier, friendly) or its -ly adverb (securely, secure;
    easily, easy; automatically, automatic), an adjective for its -est superlative (kindest,
    kind; simplest, simple; biggest, big), and without a prefix that turns a
    word into its opposite or its repeat (PREFIXES: "demotivating" is about what "motivated" is
    about), and an identifier written with hyphens instead of underscores. Only these: -er also
    ends unrelated words (player/play); an -est word leaves at least three letters, and
    NOT_SUPERLATIVES lists those that are words of their own ("everest" is no "ever")."""
    forms = [token + "ment", token + "ement"]
    if "_" in token:  # "max_requests", the setting, is the "--max-requests" flag a page names
        forms.append(token.replace("_", "-"))
    for suffix in ("ement", "ment"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            forms.append(stem(token[: -len(suffix)]))  # enforcement: enforc
    for suffix in ("ier", "iest"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            forms.append(stem(token[: -len(suffix)] + "y"))
    if token.endswith("est") and not token.endswith("iest") and token not in NOT_SUPERLATIVES:
        rest = token[:-3]  # kindest, simplest, biggest
        if len(rest) >= 4:  # kindest: kind
            forms.append(stem(rest))
        if len(rest) >= 3:  # simplest: simple, safest: safe, oldest: old (stemmed)
            forms.append(stem(rest + "e"))
        if len(rest) >= 4 and rest[-1] == rest[-2] and rest[-1] not in "aeiou":
            forms.append(rest[:-1])  # biggest: big, hottest: hot
    if token.endswith("ly") and len(token) - 2 >= 4 and token not in NOT_ADVERBS:
        rest = token[:-2]  # securely: secure
        if rest.endswith("i"):  # easily: easy
            forms.append(stem(rest[:-1] + "y"))
        elif rest.endswith(("ab", "ib")):  # reliably, possibly: reliable, possible
            forms.append(stem(token[:-1] + "e"))
        else:
            forms.append(stem(rest))
        if rest.endswith("al") and len(rest) - 2 >= 5:  # automatically: automatic
            forms.append(stem(rest[:-2]))
    for prefix in PREFIXES:  # demotivating: motivated; unreadable: readable; not retool: tool
        if token.startswith(prefix) and len(token) - len(prefix) >= PREFIXED_REST:
            forms.append(token[len(prefix) :])
    return forms


def missing_weight(token: str, unknown: float) -> float:
    """What a word the index never uses weighs against a question (see COMMON_WEIGHT)."""
    return unknown * (COMMON_WEIGHT if token in common_words() else 1.0)


def coverage(query: set[str], words: set[str] | frozenset[str], terms: Terms) -> float:
    """Share of the question's (idf-weighted) words present in a passage, out of at least the
    weight of one word the index never uses: a question of one or two common words ("write",
    "today") matches almost any KB and must not count as fully covered."""
    total = max(sum(terms(t) for t in query), terms.unknown)
    return sum(terms(t) for t in query & words) / total if query else 0.0


def candidates(dense: dict[int, float], keyword: dict[int, float]) -> list[int]:
    """The rows whose word coverage counts: the TOP best of each retriever."""
    best_dense = sorted(dense, key=lambda i: -dense[i])[:TOP]
    best_keyword = sorted(keyword, key=lambda i: -keyword[i])[:TOP]
    return list(dict.fromkeys(best_dense + best_keyword))


def relevance(
    dense: dict[int, float],
    keyword: dict[int, float],
    tokens: Collection[str],
    words_of: Callable[[int], frozenset[str]],
    terms: Terms,
    proper: Collection[str] = (),
) -> float:
    """How well the index matches a question: the best cosine similarity, plus WORD_WEIGHT
    times the best share of the question's (idf-weighted) words that one of the best passages
    holds, minus UNKNOWN_WEIGHT times the share that no passage of the index uses at all (a
    near-miss question names what the KB does not cover: msgspec, Terraform, an IBAN), a
    penalty that shrinks for questions longer than UNKNOWN_WORDS words.
    `dense`/`keyword`: row -> score of each retriever's best rows; `tokens`: the question's;
    `proper`: the words it capitalises inside a sentence (proper_names)."""
    if not dense and not keyword:
        return 0.0
    query = question_words(tokens, lambda t: t in terms.idf)
    rows = candidates(dense, keyword)
    words = max((coverage(query, terms.words(i, words_of), terms) for i in rows), default=0.0)
    return combined(
        max(dense.values(), default=0.0),
        words,
        len(query),
        unknown_share(query, terms),
        names_unknown(query, terms, proper),
    )


def combined(cosine: float, share: float, words: int, unknown: float, names: bool) -> float:
    """A question's relevance from its parts: the best cosine, the best passage's share of its
    `words` distinct words, the share of them the index never uses, and whether one of those
    `names` something (the one formula refusal.relevance and question_scores share)."""
    penalty = unknown_penalty(unknown, words, names)
    return cosine + WORD_WEIGHT * long_coverage(share, words) - penalty


def long_coverage(share: float, words: int) -> float:
    """The word coverage of a question of `words` distinct words: past COVERED_WORDS, a share
    of its words counts as the same share of COVERED_WORDS words (12 of 20 words held count as
    6 of 10), so adding context to a question stops lowering it. Long off-topic questions still
    score far below the threshold (their best passage holds few of their words)."""
    return min(1.0, share * max(1.0, words / COVERED_WORDS))


def unknown_penalty(share: float, words: int, names: bool = False) -> float:
    """What the share of never-used words costs a question of `words` distinct words, and
    NAMED_PENALTY more when one of them names something (`names`: not plain English, not a
    number)."""
    cost = UNKNOWN_WEIGHT * share * min(1.0, UNKNOWN_WORDS / max(words, 1))
    return cost + (NAMED_PENALTY if names else 0.0)


def names_unknown(query: set[str], terms: Terms, proper: Collection[str] = ()) -> bool:
    """Whether the question names something the index never mentions ("JSONB", "Celery",
    "upsert", "Oracle"): a word it never uses that `names` something."""
    return any(t not in terms.idf and names(t, proper) for t in query)


def names(term: str, proper: Collection[str] = ()) -> bool:
    """A word that names something: neither plain English nor a version number, or capitalised
    by the question inside a sentence (`proper`, see proper_names)."""
    return term in proper or not plain(term)


def proper_names(question: str) -> frozenset[str]:
    """The stems of the words a question capitalises inside a sentence (CAPITALISED), outside
    the quotations it holds. A question in Title Case says nothing by its capitals: more than half
    of its words written in lower case or capitalised (not "SQLModel", "FastAPI", "I") are
    capitalised."""
    # A quotation ending a sentence ('... "commit first." Afterwards, ...') still ends it.
    unquoted = QUOTED.sub(lambda m: " . " if re.search(r"[.!?]\W*$", m.group(0)) else " ", question)
    words = unquoted.split()
    bare = [w.strip("()[],.?!:;") for w in words[1:]]
    plain_case = [w for w in bare if len(w) > 1 and w[1:].islower()]
    if 2 * sum(w[:1].isupper() for w in plain_case) > len(plain_case):
        return frozenset()
    found = (
        CAPITALISED.match(word)
        for previous, word in zip(words, words[1:], strict=False)
        if not SENTENCE_END.search(previous)
    )
    return frozenset(t for match in found if match for t in tokenize(match.group(1)))


def capitals(text: str) -> set[str]:
    """The words a text writes in capitals (CAPITAL)."""
    return set(CAPITAL.findall(text))


def shadowed(question: str, tokens: list[str], written: Collection[str] | None) -> list[str]:
    """The question's tokens, with those of the keywords it writes in capitals (keywords) that
    the index never writes so (`written`: the index's capitals; None for an index from before
    they were recorded) made unknown to the index (SHADOW), the same word in lower case too
    ("count rows with SELECT COUNT(*)"); a keyword the tokenizer drops as too common ("FOR" of
    "FOR UPDATE", "BY") is added as one."""
    if written is None:
        return tokens
    missing = [w for w in keywords(question) if w not in written]
    shadow = {t for w in missing for t in tokenize(w)}
    dropped = [w.lower() + SHADOW for w in dict.fromkeys(missing) if not tokenize(w)]
    return [t + SHADOW if t in shadow else t for t in tokens] + dropped


def keywords(question: str) -> list[str]:
    """The words a question writes in capitals as keywords (CAPITAL, not SHORTHAND): before
    "(", in backticks, or in a run of SQL keywords. None in a question without a lower-case
    letter, whose capitals are its tone ("HOW DO I FILTER ROWS BY ID?")."""
    if not re.search(r"[a-z]", question):
        return []
    quoted = [m.span() for m in BACKTICKED.finditer(question)]
    found = [m for m in CAPITAL.finditer(question) if m.group(0) not in SHORTHAND]
    kept = []
    for n, match in enumerate(found):
        start, end = match.span()
        called = question[end : end + 1] == "("
        in_code = any(a < start and end < b for a, b in quoted)
        if called or in_code or _in_sql_run(question, found, n):
            kept.append(match.group(0))
    return kept


def _in_sql_run(question: str, found: list[re.Match[str]], n: int) -> bool:
    """Whether the n-th word in capitals is an SQL keyword next to another one ("GROUP BY")."""

    def sql(k: int) -> bool:
        return 0 <= k < len(found) and found[k].group(0) in SQL_KEYWORDS

    def beside(a: int, b: int) -> bool:
        return not question[found[a].end() : found[b].start()].strip()

    return sql(n) and ((sql(n - 1) and beside(n - 1, n)) or (sql(n + 1) and beside(n, n + 1)))


def written_capitals(by_source: Any) -> frozenset[str] | None:
    """Every word an index writes in capitals, from its files' (meta["refusal"]["capitals"];
    None before they were recorded, and nothing is shadowed)."""
    if not isinstance(by_source, dict):
        return None
    return frozenset(word for words in by_source.values() for word in words)


def unknown_share(query: set[str], terms: Terms) -> float:
    """Weight of the question's words that the index never uses, out of all its words'."""
    total = sum(terms(t) for t in query)
    missing = sum(missing_weight(t, terms.unknown) for t in query if t not in terms.idf)
    return missing / total if total else 0.0


def covers(statistics: dict[str, Any] | None, score: float, default: float) -> bool:
    """Whether a question with this relevance is answered, by the generation's threshold."""
    threshold = (statistics or {}).get("threshold")
    return score >= (float(threshold) if isinstance(threshold, int | float) else default)


# ---- scoring a generation ----


def threshold(off_topic: Sequence[float], synthetic: Sequence[float]) -> float:
    """Above nearly all off-topic scores; below nearly all synthetic ones. A packaged off-topic
    question that scores as well as the weakest tenth of the index's own synthetic questions, or
    within COVERED_MARGIN of it, is one this KB (nearly) covers ("two-factor authentication for my
    email" once kb/ explained TOTP login), so it says nothing of what off-topic looks like here and
    is left out: counted, it pushed the quantile, which sits among the few highest off-topic
    scores, up to where covered questions such as "outbox pattern" were refused."""
    import numpy as np

    off = np.asarray(off_topic, dtype=np.float64)
    if not len(synthetic):
        return round(max(float(np.quantile(off, OFF_TOPIC_QUANTILE)), FLOOR), 4)
    ceiling = float(np.quantile(np.asarray(synthetic), SYNTHETIC_CEILING))
    below = off[off < ceiling - COVERED_MARGIN]  # the rest: questions this KB (nearly) covers
    above = float(np.quantile(below, OFF_TOPIC_QUANTILE)) if below.size else ceiling
    return round(max(above, FLOOR), 4)


def silent_rows(sources: Sequence[str], hubs: Collection[str]) -> list[int]:
    """The rows of hub documents. A changelog names every topic, so a name that only a hub uses
    ("env_prefix" in a release note) is no sign the KB covers it: relevance counts such a word as
    one the index never uses, unless it is plain English (common_words), and a hub's passage
    covers only the plain-English words of a question."""
    return [row for row, source in enumerate(sources) if source in hubs]


def below_title(heading_path: str, title: str) -> list[str]:
    """A heading path's parts below its page's title (all of them on a page without one)."""
    parts = heading_path.split(PATH_SEP)
    return parts[1:] if parts[0] == title and len(parts) > 1 else parts


def changelogs(passages: Iterable[tuple[str, str, str]]) -> list[str]:
    """The documents shaped like a changelog, from each passage's (source, page title, heading
    path): versions and dates in the headings below the page's title ("Release Notes › 0.0.35
    (2026-02-20) › Fixes", "v2.14.0a1 (2026-05-22) › What's Changed"), many different ones. An
    announcement of one release names its version only in its title."""
    dated: dict[str, list[bool]] = {}
    named: dict[str, set[str]] = {}
    for source, title, heading_path in passages:
        below = " ".join(below_title(heading_path, title))
        found = {m.group(0) for m in VERSION_OR_DATE.finditer(below)}
        dated.setdefault(source, []).append(bool(found))
        named.setdefault(source, set()).update(found)
    return sorted(
        source
        for source, flags in dated.items()
        if len(flags) >= CHANGELOG_ROWS
        and sum(flags) >= CHANGELOG_SHARE * len(flags)
        and len(named[source]) >= CHANGELOG_VERSIONS
    )


def hubs(
    synthetic: Sequence[Sequence[str]],
    reached: Sequence[Sequence[int]],
    sources: Sequence[str],
    changelog: Collection[str] = (),
) -> dict[str, float]:
    """Documents whose passages turn up among the best for the questions of far more other
    documents than a typical one's do (a glossary or index page mentions every topic), and the
    `changelog` documents: source -> the share of the other documents whose questions it
    reaches."""
    import numpy as np

    asked = {source for source, _ in synthetic}
    present = set(sources)
    if len(asked) < 4:
        return {source: 0.0 for source in sorted(changelog) if source in present}
    reach: dict[str, set[str]] = {source: set() for source in set(sources)}
    for (asked_of, _), rows in zip(synthetic, reached, strict=True):
        for source in {sources[i] for i in rows} - {asked_of}:
            reach[source].add(asked_of)
    share = {
        source: len(others) / (len(asked) - (source in asked)) for source, others in reach.items()
    }
    typical = float(np.median(list(share.values())))
    return {
        source: round(value, 4)
        for source, value in sorted(share.items())
        if value >= max(MIN_HUB_REACH, HUB_FACTOR * typical) or source in changelog
    }
