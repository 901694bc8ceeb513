"""A question parsed once: its words, weights, intent and parts, passed to every stage.

Retrieval, the refusal decision and answer selection all need the question's tokens; the
answer scorer also needs what kind of answer is wanted ("when" wants a condition, "why" a
reason, "avoid" a pitfall) and the separate parts of a two-part question ("X vs Y",
"what is it and when do I use it"). `Query.parse` works that out once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.answer_type import ABBREVIATION
from app.core.chatter import reply_to, without_chatter
from ingest.keyword import ASKS_MEANING, question_tokens, tokenize
from ingest.refusal import names, proper_names

FOLLOW_UP_START = re.compile(
    r"^(and|or|but|also|what about|how about|same|then|so|ok|okay|what if|in|for|with)\b", re.I
)
FOLLOW_UP_WORDS = 10  # a question this short after another may lean on it
PRONOUN = re.compile(
    r"\b(it|its|this|that|these|those|they|them|their|there|one|ones|equivalent|instead|same"
    r"|else|alternative|afterwards)\b",
    re.I,
)

# What kind of answer a question wants, from its wording. A question may want several.
INTENTS: dict[str, re.Pattern[str]] = {
    "when": re.compile(r"\b(when|which situations?|under what|at what point|ever)\b", re.I),
    "why": re.compile(r"\b(why|reason|purpose|point of|benefit|matter)\b", re.I),
    "how": re.compile(r"\b(how( do| can| should| to)?|steps?|way to|set up|configure)\b", re.I),
    "should": re.compile(r"\b(should|best|recommend\w*|prefer\w*|ought|right way|good)\b", re.I),
    "avoid": re.compile(
        r"\b(avoid|pitfalls?|mistakes?|wrong|bad|never|problems?|risks?|don'?t|anti-?pattern)\b",
        re.I,
    ),
    "compare": re.compile(
        r"\b(vs\.?|versus|difference|differ|compared?|or|between|instead of|rather than)\b", re.I
    ),
    "what": re.compile(r"^(what|which|who)\b|\bwhat (is|are|does)\b|\bmean(s|ing)?\b", re.I),
    "example": re.compile(
        r"\b(example|show|code|write|snippet|sample|syntax|implement|template)\b", re.I
    ),
    "list": re.compile(r"\b(which|what) (\w+ )?(are|things|steps|rules|kinds|types)\b", re.I),
    # the project's history: which version, since when, what was dropped or removed
    "history": re.compile(
        r"\b(versions?|releases?|released|changelog|upgrad\w*|deprecat\w*|dropped|removed"
        r"|discontinued|since|added in)\b",
        re.I,
    ),
}
# What a follow-up without words of its own may ask of the previous question ("Why?", "How?",
# "When?"); not small talk ("No", "What?", "Who are you?"), which has nothing to search for.
ASKED_AGAIN = frozenset({"why", "how", "when", "should", "avoid", "example"})
# A follow-up asking to go on ("Tell me more", "Can you elaborate?", "Go on", "More?"):
# app/core/more.py. Not when it asks something else of the answer ("Why? Explain more", "Can you
# expand on the example?", "Should I do more?": MORE_YIELDS_TO).
ASKS_MORE = re.compile(
    r"\b(?:more|elaborate|further|expand|details?|go on|continue|keep going)\b", re.I
)
MORE_YIELDS_TO = frozenset({"why", "how", "when", "should", "avoid", "compare", "example"})
# ... nor when it declines more ("No more, thanks", "Nothing more", "That's enough").
DECLINES_MORE = re.compile(
    r"\b(?:no|nothing|none)\s+more\b|\bnot\s+(?:any\s+)?more\b|^\W*(?:that(?:'?s|\s+is)\s+)?enough\b",
    re.I,
)
# Words a follow-up asks with that name no subject of their own ("What does that mean?",
# "Example?", "Can you elaborate?", "Tell me more"): after a question, a follow-up made of these
# alone asks of that question (it searched the KB for "meaning"). Not "code" nor "go": "And in
# Go?", "What about VS Code?" name a new subject.
CHAT_WORDS = frozenset(
    question_tokens(
        "mean meaning explain elaborate clarify example examples show tell give say detail"
        " details expand please again"
    )
)
# Three patterns say "code", each for its own use: INTENTS["example"] and CODE_INTENT are read
# by the answer scorer's features (trained on them: change them only with a retrain), ASKS_CODE
# decides whether an answer goes on into an example (app/core/example.py) and is narrower on
# purpose: "code review" asks for no code.
CODE_INTENT = re.compile(r"\b(how|example|show|code|write|implement|snippet|sample|syntax)\b", re.I)
# Asks to see code: "example", "snippet", "code sample", "show me", "code for/to ...", "show
# the model code", or only "Code?", "Code please", "Any snippet?"; not a question about code
# ("code review", "see code coverage reports", "give devs code ownership", "write code that is
# testable", "sample size", "show me the difference", "What about VS Code?").
NOT_SHOWN = r"(?!\s+(?:review|coverage|owner\w*|quality|smells?|base|style|of conduct|freeze))"
ASKS_CODE = re.compile(
    r"\b(?:examples?|snippets?|code samples?|sample (?:code|app|program|project)"
    r"|show (?:me|us)(?!\s+(?:the\s+)?(?:differences?|why|when|where|which)\b)"
    r"|code (?:for|to|showing)|what does (?:the |that |its? )?code look like"
    rf"|(?:show|give|see)\b[^.?!]{{0,30}}\bcode{NOT_SHOWN})\b"
    r"|^\W*(?:(?:any|some|the|a|an|please)\W+)*(?:code|snippets?|samples?)\b"
    r"(?:\W+(?:please|examples?|samples?|snippets?))*\W*$",
    re.I,
)
# ... and its words that name no subject: a follow-up asking to see code with these and
# CHAT_WORDS alone ("Show me code", "Can I see the code?") asks of the previous question (it
# searched the KB for "code" and quoted the code style guide).
CODE_WORDS = frozenset(question_tokens("code codes snippet snippets sample samples see look like"))
# ... and the words that ask to be shown something, with CODE_WORDS (asks_only_code).
SHOWING = frozenset(question_tokens("show give example examples please"))

# Where a two-part question splits: "X vs Y", "what ... and when/why/how/who ...", "; ", "? ".
PART_BREAK = re.compile(
    r"\s+(?:vs\.?|versus)\s+|;\s*|,?\s+and\s+(?=(?:when|why|how|what|which|where|who|should|is|are"
    r"|do|does|can)\b)|\?\s+(?=\S)",
    re.I,
)
# A "?" that stands for a value in SQL is no question mark (placeholder): after an SQL keyword
# written in capitals and a space ("LIMIT ? OFFSET ?", "BETWEEN ? AND ?"; not "AND or OR? Which
# ..."), or after an operator when the SQL goes on ("WHERE tenant_id = ? AND created_at > ?
# ORDER BY ..."; not "is and ==? When ...").
AFTER_SQL_KEYWORD = re.compile(
    r"\b(?:LIMIT|OFFSET|LIKE|BETWEEN|AND|OR|IN|IS|VALUES|SET|THEN|ELSE)(?:\s+|\s*\(\s*)$"
)
AFTER_OPERATOR = re.compile(r"[=<>(,]\s*$")
SQL_GOES_ON = re.compile(
    r"\s*(?:\?|(?:and|or|order|limit|offset|group|having|then|else|end|from|where|join|returning)\b)",
    re.I,
)
# A question asking what something is: it names that thing ("What is a spike?").
WHAT_IS = re.compile(r"^what(?:'s|\s+is|\s+are)\s+\w", re.I)
# A name written in CamelCase ("TestClient", "MissingGreenlet").
CAMEL_CASE = re.compile(r"\b[A-Z]?[a-z]+[A-Z]\w*")
# A question worded as one: "How do I create the schema?", "Any pitfalls?".
QUESTION_WORD = (
    r"(?:how|what|when|why|where|which|who|whose|is|are|am|was|were|do|does|did|can|could"
    r"|should|would|will|shall|may|must|has|have|any)\b"
)
ASKS_WORD = re.compile(rf"^{QUESTION_WORD}", re.I)
# A piece of a question that is itself a question (a "; " or "? " splits only between two).
ASKS = re.compile(ASKS_WORD.pattern + r"|\?$", re.I)
# A question asked of two names at once: "Blue-green or canary: how do they differ ...?", "X and
# Y - when should I use each?". Each name is at most three words.
_WORD = r"(?!(?:or|and|vs\.?|versus)\b)[^\s:;,?]+"  # a word of a name, not "or"
_NAME = rf"{_WORD}(?:\s+{_WORD}){{0,2}}"
CHOICE = re.compile(
    rf"^({_NAME})\s+(?:or|and|vs\.?|versus)\s+({_NAME})\s*(?::|\s-\s)\s*(\S.*)$", re.I | re.S
)
# A part that names its subject before the question asked of it: "tail sampling for traces:
# what's the trade-off", "orchestration - when to pick which".
NAMED_ASK = re.compile(r"^(.+?)\s*(?::|\s-\s)\s*(\S.*)$", re.S)
MIN_PART_WORDS = 3  # "when should I use it" is a part even without search words
LONE_ASK = frozenset({"why", "how", "when", "where"})  # "Which parts ... and why?"


def _chat_only(text: str) -> bool:
    """The words of `text` ask for more of the same, or to see its code, and name nothing
    ("Explain further", "Show me the code")."""
    words = set(question_tokens(ASKS_MORE.sub(" ", text)))
    return words <= CHAT_WORDS or (words <= CHAT_WORDS | CODE_WORDS and asks_code(text))


def asks_code(text: str) -> bool:
    """The question asks to see code (ASKS_CODE)."""
    return bool(ASKS_CODE.search(text))


def asks_only_code(text: str) -> bool:
    """The question asks to see code and nothing else ("Show me the code", "Code please"; not
    "Can you explain that again with an example?")."""
    return asks_code(text) and set(question_tokens(text)) <= CODE_WORDS | SHOWING


def _asks_more(text: str, intents: frozenset[str] | None = None) -> bool:
    """`text` asks to go on, and nothing else (ASKS_MORE, MORE_YIELDS_TO)."""
    text = without_chatter(text)
    if DECLINES_MORE.search(text):
        return False
    if intents is None:
        intents = frozenset(name for name, pattern in INTENTS.items() if pattern.search(text))
    return bool(ASKS_MORE.search(text)) and _chat_only(text) and not intents & MORE_YIELDS_TO


def names_something(question: str) -> bool:
    """The turn names something to search for: not "?", "Why?", "Example?", "thanks!" nor
    "That's great" (small talk the chat replied to)."""
    if reply_to(question) is not None:
        return False
    return not set(question_tokens(without_chatter(question))) <= CHAT_WORDS


# Words asking what is said of a subject, never naming one ("Any drawbacks to it?").
ASKS_ABOUT = frozenset(
    question_tokens(
        "drawback drawbacks downside downsides pitfall pitfalls tradeoff tradeoffs caveat caveats"
        " gotcha gotchas limitation limitations alternative alternatives trade-off trade-offs"
    )
)
# What such a question adds around those words ("Any other pitfalls like that one?").
ASKS_ABOUT_FILLER = frozenset(question_tokens("like one ones other else"))


def asks_only_about(query: Query) -> bool:
    """A follow-up naming no subject, only what it wants said of the last one ("Any pitfalls?",
    "What are the trade-offs?", "Any other gotchas like that?")."""
    return bool(query.tokens) and set(query.tokens) <= ASKS_ABOUT | ASKS_ABOUT_FILLER


def own_subject(query: Query) -> frozenset[str]:
    """What the question names of its own: its words that are not plain English, or that it
    capitalises inside the sentence ("And in Rust?", "Does Black do that?"), other than a word
    asking what is said of a subject ("Any pitfalls?")."""
    proper = proper_names(query.text)
    return frozenset(t for t in query.tokens if names(t, proper) and t not in ASKS_ABOUT)


def is_follow_up(question: str) -> bool:
    """A short question leaning on the previous turn ("and in Django?", "why is that?", "Which
    backend would I use in the test suite?"): searched with the previous question's subject too,
    its own words counting double (a short question on a new topic keeps its answer: 1 of 118
    evaluation questions asked after an unrelated one changed for the worse, 1 for the better;
    of 132 follow-ups written blind, 5 more found their page)."""
    return leans_on_previous(question) or len(question.split()) <= FOLLOW_UP_WORDS


def leans_on_previous(question: str) -> bool:
    """A question that cannot stand alone ("and in Django?", "why is that?")."""
    words = tokenize(question)
    return (
        bool(FOLLOW_UP_START.match(question.strip()))
        or len(words) <= 2
        or (len(words) <= 6 and bool(PRONOUN.search(question)))
    )


def contextual_query(question: str, history: list[str], typed: str = "") -> str:
    """The text to search for: a follow-up borrows the previous question's subject. `typed`:
    the question as typed, when chatter came off it ("Ok, how does that compare ...": its "Ok"
    says it follows on)."""
    if history and (is_follow_up(question) or (typed and is_follow_up(typed))):
        return f"{question} {swapped(question, subject_of(history))}"
    return question


def names_only(question: str) -> frozenset[str]:
    """The new subject a follow-up names when naming it is all the follow-up does and it points
    back ("And in Rust?", "Does Black do that?"); empty for any other question."""
    tokens = set(question_tokens(question))
    proper = proper_names(question)
    named = frozenset(t for t in tokens if names(t, proper) and t not in ASKS_ABOUT)
    return named if named and named == tokens and refers_back(question) else frozenset()


def swapped(question: str, subject: str) -> str:
    """The subject a follow-up borrows, without the names it had of its own when the follow-up
    only names a new one (names_only): "and in Django?" after "How should I structure a Flask
    app with blueprints?" asks how to structure a Django app, and searched with "Flask" it found
    only Flask passages."""
    new = names_only(question)
    if not new:
        return subject
    old = proper_names(subject) - new
    return " ".join(w for w in subject.split() if not (w[:1].isupper() and set(tokenize(w)) & old))


def subject_of(history: list[str]) -> str:
    """What a follow-up borrows: the last question that names something (not "thanks!"), with
    the one before it when that question leans on it in turn ("What about with arq?" after "How
    do I test that?" after "How do I retry failed Celery tasks?" searched for testing alone)."""
    asked = [turn for turn in history if names_something(turn)]
    if not asked:
        return history[-1]
    if len(asked) > 1 and leaned_on(asked[-1]):
        return f"{asked[-1]} {asked[-2]}"
    return asked[-1]


def leaned_on(question: str) -> bool:
    """A turn that could not stand alone when it was asked ("How do I test that?", "How do I
    create the schema?"), not a short one naming a topic of its own ("SBI feedback", "EAFP vs
    LBYL", "What is EAFP?", "What is a spike?"): a follow-up after it borrows that one alone."""
    if not leans_on_previous(question):
        return False
    if refers_back(question):
        return True
    named = proper_names(question) or ABBREVIATION.search(question) or CAMEL_CASE.search(question)
    defines = WHAT_IS.match(question.strip())  # "What is a spike?" names what it asks about
    return bool(ASKS_WORD.match(question.strip())) and not (named or defines)


def refers_back(question: str) -> bool:
    """The question points at what came before: "that", "it", "instead", or opens on "and",
    "what about", ... ("Any drawbacks to it?"); not a search-box query ("Argon2id parameters?")."""
    return bool(FOLLOW_UP_START.match(question.strip()) or PRONOUN.search(question))


def last_asked(history: list[str]) -> int:
    """Where the last question that names something stands in `history` (not "thanks!"); -1."""
    return next((n for n in reversed(range(len(history))) if names_something(history[n])), -1)


def named_ask(part: str) -> str | None:
    """The question a part asks after naming its subject ("canary: how do they differ" asks
    "how do they differ"); None when it names none."""
    match = NAMED_ASK.match(part)
    return match.group(2) if match and ASKS.match(match.group(2)) else None


def names_subject(part: str) -> bool:
    """The part names what it asks about before its question: it does not lean on another part
    for its subject."""
    return named_ask(part) is not None


def _asked_of_each(names: list[str], ask: str) -> tuple[str, ...]:
    """`ask` asked of each name. A one-word name shares the noun after the last one ("Before vs
    after validators", "blue-green and canary deployments"): alone it names nothing."""
    last = names[-1].split()
    noun = " ".join(last[1:])
    named = [f"{name.strip()} {noun}" if noun and " " not in name else name for name in names[:-1]]
    return tuple(f"{name}: {ask}".strip(" ,.?") for name in [*named, names[-1].strip()])


def _placeholder(text: str, at: int) -> bool:
    """The "?" at `at` stands for a value in SQL (AFTER_SQL_KEYWORD, AFTER_OPERATOR)."""
    before = text[:at]
    if AFTER_SQL_KEYWORD.search(before):
        return True
    return bool(AFTER_OPERATOR.search(before)) and bool(SQL_GOES_ON.match(text, at + 1))


def split_parts(question: str) -> tuple[str, ...]:
    """The separate things a question asks; one part for a plain question. A "; " or "? "
    separates parts only when both sides ask something ("Am I micromanaging? I check ..." is one
    question with its context), and a trailing "... and why?" is a part of its own. A question
    asked after two names ("X or Y: how do they differ and which ...?", "X vs Y: what's the
    trade-off?") is asked of each: the parts are "X: how do ..." and "Y: how do ..."."""
    text = question.strip()
    choice = CHOICE.match(text)
    if choice and ASKS.match(choice.group(3)):
        return _asked_of_each([choice.group(1), choice.group(2)], choice.group(3).strip())
    pieces: list[str] = []
    start = 0
    for m in PART_BREAK.finditer(text):
        if m.group(0).startswith("?") and _placeholder(text, m.start()):
            continue
        before, after = text[start : m.start()], text[m.end() :]
        sentence_break = m.group(0).strip()[:1] in ";?"
        if sentence_break and not (ASKS.search(before.strip()) or m.group(0).startswith("?")):
            continue  # "VS Code flags an error; how do I ..." is one question with its context
        if sentence_break and not (ASKS.match(after.strip()) or "?" in after):
            continue
        pieces.append(before)
        start = m.end()
    pieces.append(text[start:])
    last = re.match(r"(.+?),?\s+and\s+(why|how|when|where)\W*$", pieces[-1], re.I | re.S)
    if last:
        pieces[-1:] = [last.group(1), last.group(2)]
    pieces = [p.strip(" ,.?") for p in pieces]  # a lone "why" is lower-case after an "and"
    named = NAMED_ASK.match(pieces[-1])
    if (
        len(pieces) > 1
        and named
        and names_subject(pieces[-1])
        and not any(names_subject(p) for p in pieces[:-1])
    ):  # "X vs Y: what's the trade-off": the question is asked of X too
        pieces = [*pieces[:-1], named.group(1)]
        pieces = list(_asked_of_each(pieces, named.group(2).strip(" ,.?")))
    pieces = [p for p in pieces if len(p.split()) >= MIN_PART_WORDS or tokenize(p) or p in LONE_ASK]
    if len(pieces) < 2:
        return (question,)
    return tuple(pieces)


@dataclass(frozen=True)
class Query:
    """A question as every stage needs it, worked out once."""

    text: str  # the question, whitespace collapsed
    search_text: str  # what retrieval searches for: follow-ups borrow the previous question
    tokens: tuple[str, ...]  # the question's own search words (stems, no stopwords)
    context_tokens: tuple[str, ...]  # words borrowed from the previous question, if any
    intents: frozenset[str]
    parts: tuple[str, ...]
    part_tokens: tuple[frozenset[str], ...] = field(default=())

    # A follow-up with no words of its own that asks this of the previous question ("Why?",
    # "Why is that?", "How?", "What does it stand for?"): it searches for that question as it
    # was searched, and is judged for relevance as it was (`asked_of`: that question's
    # relevance text).
    asks_again: bool = False
    asked_of: str = ""
    # How many "Tell me more" turns came right before this one (each went on further), and
    # where in the history the question asked of again stands.
    more_before: int = 0
    asked_at: int = -1

    @classmethod
    def parse(cls, question: str, history: list[str] | None = None) -> Query:
        typed = " ".join(question.split())
        text = without_chatter(typed)
        tokens = tuple(question_tokens(text))
        intents = frozenset(name for name, pattern in INTENTS.items() if pattern.search(text))
        history = list(history or [])
        chat = (
            bool(history)
            and bool(tokens or ASKS_MORE.search(text))
            and _chat_only(text)
            and not DECLINES_MORE.search(text)
        )
        if chat:
            tokens = ()
        at = -1  # the last earlier question with words, for a follow-up with none of its own
        if not tokens and (chat or intents & ASKED_AGAIN or ASKS_MEANING.search(text)):
            at = last_asked(history)
            if at >= 0 and not (chat or intents & ASKED_AGAIN or ABBREVIATION.search(history[at])):
                at = -1  # "What does it stand for?" of a question naming no abbreviation
        asks_again = at >= 0
        asked_of = ""
        if asks_again:  # that question, as it was parsed in its turn
            previous = cls.parse(history[at], history[:at])
            search_text, asked_of = previous.search_text, previous.relevance_text
            # its own words counting double, as they did then (app/core/retrieve.py)
            context_tokens = (*previous.tokens, *previous.tokens, *previous.context_tokens)
        else:
            search_text = contextual_query(text, history, typed)
            context_tokens = tuple(question_tokens(search_text[len(text) :]))
        parts = split_parts(text)
        return cls(
            text,
            search_text,
            tokens,
            context_tokens,
            intents,
            parts,
            tuple(frozenset(question_tokens(p)) for p in parts),
            asks_again,
            asked_of,
            sum(1 for turn in history[at + 1 :] if _asks_more(turn)) if asks_again else 0,
            at,
        )

    def sub_queries(self) -> list[Query]:
        """One query per part of a multi-part question. A part without words of its own ("and
        when should I use it?") keeps its own intent and borrows the whole question's words."""
        if len(self.parts) < 2:
            return []
        out = []
        for part, tokens in zip(self.parts, self.part_tokens, strict=True):
            intents = frozenset(n for n, pattern in INTENTS.items() if pattern.search(part))
            out.append(
                Query(
                    part,
                    part,
                    tuple(tokens) or self.tokens,
                    (),
                    intents or self.intents,
                    (part,),
                    (frozenset(tokens) or frozenset(self.tokens),),
                )
            )
        return out

    @property
    def words(self) -> frozenset[str]:
        """Every search word, the borrowed context included."""
        return frozenset(self.tokens) | frozenset(self.context_tokens)

    @property
    def relevance_text(self) -> str:
        """What relevance scores: the question, or the previous question a follow-up without
        words of its own asks about again ("Why?"), scored as it was when it was asked."""
        return self.asked_of if self.asks_again else self.text

    @property
    def llm_text(self) -> str:
        """The question as an LLM reads it: "Why?" alone says nothing of what it asks about."""
        if not self.asks_again:
            return self.text
        # the question asked of, as typed when it stands alone (not the older topic it borrowed)
        alone = self.asked_of and not leans_on_previous(self.asked_of)
        return f"{self.asked_of if alone else self.search_text} {self.text}"

    @property
    def asks_more(self) -> bool:
        """A follow-up asking to go on from the previous answer ("Tell me more")."""
        return self.asks_again and _asks_more(self.text, self.intents)

    @property
    def is_follow_up(self) -> bool:
        return self.search_text != self.text

    @property
    def wants_code(self) -> bool:
        return bool(CODE_INTENT.search(self.text))
