"""The assistant: one object holding the model and index, answering questions."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Generic, NamedTuple, TypeVar

from app.core.answer import Answer, TermWeights, answer_of, extractive_answer
from app.core.aspects import AspectHit, search_aspects
from app.core.chatter import reply_to
from app.core.compose import answer_first
from app.core.documents import (
    MAX_SECTION_LINES,
    DocumentInfo,
    Section,
    SectionText,
    check_section,
    documents,
    read_lines,
)
from app.core.index import IndexReader, OpenGeneration
from app.core.more import NO_MORE, more_of, shown_of
from app.core.parts import retrieve_parts
from app.core.query import (
    Query,
    asks_only_about,
    last_asked,
    leans_on_previous,
    own_subject,
    refers_back,
)
from app.core.retrieve import Hit, Retriever, Scored, changelog_sources, hub_sources
from app.core.spelling import Speller
from ingest import refusal
from ingest.chunk import PATH_SEP
from ingest.config import Settings
from ingest.embed import Embedder, embedder_for
from ingest.errors import GenerationGone
from ingest.keyword import question_tokens, tokenize
from ingest.question_scores import relevance_frequencies
from ingest.refusal import Terms

logger = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 2000
# A query of at most this many words is typed as into a search box: named_by_heading().
SHORT_QUERY_WORDS = 2
MAX_REQUEST_CHARS = 8000  # a whole task; each of its aspects is cut to MAX_QUESTION_CHARS
QUERY_THREADS = 1  # see Embedder: fastest for single questions, robust under load
# A follow-up lent the last answer's heading names no subject of its own: at most this many
# search words, none of them a name ("and in Django?" is about Django, not the Flask answer's
# "Blueprints"; "how should I report the latency numbers afterwards?" not about Locust).
LENT_WORDS = 2
LENT_DEPTH = 2  # the previous answers worked out again, at most
HISTORY_TURNS = 50  # the earlier turns a question may lean on, at most (each cut as a question)
RETRIES = 1  # a question whose generation a Chroma server deleted meanwhile runs once more
T = TypeVar("T")


# Only for a generation written before ingests derived refusal statistics (meta["refusal"]);
# the next kb-ingest adds them.
DEFAULT_THRESHOLD = 0.65


def recent(history: list[str] | None) -> list[str]:
    """The chat's last HISTORY_TURNS turns, each cut to MAX_QUESTION_CHARS: a follow-up reads
    the turns before it again (a thousand "Show me the code" turns overflowed the recursion)."""
    return [turn[:MAX_QUESTION_CHARS] for turn in (history or [])[-HISTORY_TURNS:]]


def threshold_of(generation: OpenGeneration) -> float:
    """The refusal threshold the generation's ingest derived from the index itself."""
    record = generation.meta.get("refusal")
    value = record.get("threshold") if isinstance(record, dict) else None
    return float(value) if isinstance(value, int | float) else DEFAULT_THRESHOLD


class Judged(NamedTuple):
    """A question's search and whether the knowledge base covers it."""

    scored: Scored
    relevance: float
    covered: bool


class _RowTerms(dict):
    """Chunk id -> its distinct terms, read from the keyword index when first asked for."""

    def __init__(self, generation: OpenGeneration) -> None:
        super().__init__()
        self.generation = generation

    def get(self, key, default=None):  # type: ignore[override]
        if key not in self:
            row = self.generation.position.get(key)
            if row is None:
                return default
            self[key] = self.generation.bm25.row_terms(row)
        return self[key]


def term_weights(generation: OpenGeneration) -> TermWeights:
    """TermWeights.of(generation.chunks) without tokenizing every chunk again: the keyword
    index already holds each chunk's terms (seconds saved per 10,000 chunks at start-up)."""
    n = len(generation.chunks) or 1
    df = generation.bm25.document_frequencies()
    idf = {term: math.log(1 + n / count) for term, count in df.items()}
    return TermWeights(idf, math.log(1 + 2 * n), _RowTerms(generation))


def relevance(scored: Scored, question: str, generation: OpenGeneration, terms: Terms) -> float:
    """How well the KB matches (ingest/refusal.py): the best cosine similarity plus the best
    share of the question's rare words one of the best passages holds, exactly as the ingest
    scored its off-topic and synthetic questions to set the threshold."""
    return refusal.relevance(
        scored.dense,
        scored.keyword,
        refusal.shadowed(question, question_tokens(question), terms.capitals),
        generation.bm25.row_terms,
        terms,
        refusal.proper_names(question),
    )


def speller(generation: OpenGeneration) -> Speller:
    """Typing slips read as the words of the generation's index (app/core/spelling.py)."""
    return Speller(generation.bm25.document_frequencies())


def named_by_heading(scored: Scored, question: str, generation: OpenGeneration) -> bool:
    """A query of one or two words, typed as into a search box ("fixtures", "cursor
    pagination"), that the heading of one of the best passages names whole: the topic of a
    section. Relevance counts a one-word question as at most half covered (a lone word matches
    almost any KB somewhere), and "fixtures" or "retries" was refused on kb/."""
    words = set(question_tokens(question))
    if not words or len(question.split()) > SHORT_QUERY_WORDS:  # not "How do I write a will?"
        return False
    rows = refusal.candidates(scored.dense, scored.keyword)
    headings = (generation.chunks[i].heading_path.rpartition(PATH_SEP)[2] for i in rows)
    return any(words <= set(tokenize(heading)) for heading in headings)


def covers(score: float, scored: Scored, question: str, generation: OpenGeneration) -> bool:
    """Whether the KB covers a question of relevance `score` (else it is refused)."""
    return score >= threshold_of(generation) or named_by_heading(scored, question, generation)


def relevance_terms(generation: OpenGeneration) -> Terms:
    """The index's words as relevance counts them: of a hub's rows, only plain English."""
    sources = [chunk.source for chunk in generation.chunks]
    silent = refusal.silent_rows(sources, hub_sources(generation))
    df = relevance_frequencies(generation.bm25, silent)
    record = generation.meta.get("refusal")
    written = refusal.written_capitals(record.get("capitals") if isinstance(record, dict) else None)
    return Terms.of(df, len(generation.chunks), silent, written)


class PerGeneration(Generic[T]):
    """A value worked out once for the generation asked about (the last one asked for)."""

    def __init__(self, make: Callable[[OpenGeneration], T]) -> None:
        self._make = make
        self._cached: tuple[str, T] | None = None

    def __call__(self, generation: OpenGeneration) -> T:
        cached = self._cached  # one read: another thread may replace it meanwhile
        if cached is None or cached[0] != generation.name:
            cached = (generation.name, self._make(generation))
            self._cached = cached
        return cached[1]


class Assistant:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or embedder_for(settings, threads=QUERY_THREADS)
        self.reader = IndexReader(settings)
        self.retriever = Retriever(self.reader, self.embedder)
        self._weights_of = PerGeneration(term_weights)
        self._terms_of = PerGeneration(relevance_terms)
        self._speller_of = PerGeneration(speller)

    def _respelled(
        self, generation: OpenGeneration, question: str, history: list[str] | None
    ) -> Query | None:
        """The question parsed with its typing slips (and its history's) read as the index's
        words; None when it has none. Asked only of a question refused as typed: a word the KB
        uses as written ("redact") is never read as another ("react")."""
        spelled = self._speller_of(generation).corrected
        cut = MAX_QUESTION_CHARS
        read = spelled(question[:cut])
        before = [h[:cut] for h in history or []]
        after = [spelled(h) for h in before]
        if read == question[:cut] and after == before:
            return None
        return Query.parse(read, after)

    def _judged(self, generation: OpenGeneration, query: Query, k, section) -> Judged:
        """The question's search, its relevance and whether the KB covers it (else refused)."""
        scored = self._scored(generation, query, k, section, None)
        return Judged(scored, *self._relevance(generation, scored, query, k, section))

    def _relevance(
        self, generation: OpenGeneration, scored: Scored, query: Query, k, section
    ) -> tuple[float, bool]:
        """The question's relevance and whether the KB covers it. A question counted as a
        follow-up only for being short is judged on its own search: with the previous
        question's, "How do I deploy to AWS Lambda?" after a FastAPI question was answered from
        the FastAPI page; and "Why?" asked of it, as that was judged (it was answered). "Any
        pitfalls?" names no subject of its own: judged with the subject it borrowed."""
        text = query.search_text if asks_only_about(query) else query.relevance_text
        # Searched again only when the search differs: a first "Why?" searched that text already.
        alone = text != query.search_text and not leans_on_previous(text)
        if query.is_follow_up and text and alone:
            scored = self._scored(generation, Query.parse(text), k, section, None)
        score = relevance(scored, text, generation, self._terms_of(generation))
        return score, covers(score, scored, text, generation)

    def _pinned(self, work: Callable[[OpenGeneration], T]) -> T:
        """Run `work` on one generation; once more on the newest if it was deleted meanwhile."""
        for attempt in range(RETRIES + 1):
            with self.reader.pinned() as generation:
                try:
                    return work(generation)
                except GenerationGone:
                    if attempt == RETRIES:
                        raise
        raise AssertionError("not reached")

    def retrieve(
        self,
        question: str,
        k: int | None = None,
        section: str | None = None,
        history: list[str] | None = None,
    ) -> list[Hit]:
        history = recent(history)
        return self._pinned(
            lambda generation: self._retrieve(generation, question, k, section, history)
        )

    def _retrieve(self, generation, question, k, section, history) -> list[Hit]:
        return self._scored(generation, question, k, section, history).hits

    def _scored(self, generation, question, k, section, history) -> Scored:
        if not isinstance(question, Query):
            question = Query.parse(question[:MAX_QUESTION_CHARS], history)
        return self.retriever.scored(question, k or self.settings.top_k, section, None, generation)

    def ask(
        self,
        question: str,
        k: int | None = None,
        section: str | None = None,
        history: list[str] | None = None,
    ) -> Answer:
        """Retrieve, decide whether the KB covers the question, answer with citations."""
        question = " ".join(question.split())
        history = recent(history)
        if not question:
            return Answer(question, "Please type a question.", True, [], [])
        reply = reply_to(question)
        if reply is not None:  # "thanks!", "hi", "No more, thanks"
            return Answer(question, reply, True, [], [], extra={"small_talk": True})
        query = Query.parse(question, history)
        answer = self._pinned(
            lambda g: self._answer(
                g, self._lent(g, query, k, section, history), k, section, history
            )
        )
        answer.question = question  # as typed: `kb-ask --json` echoes its input as "q"
        return answer

    def _lent(
        self, generation, query: Query, k, section, history, depth: int = LENT_DEPTH
    ) -> Query:
        """A follow-up pointing back ("Why does that ordering matter?"), searched with the heading
        the previous answer quoted first as well as with that question: "that" is what the
        answer was about, which the questions may not name. The previous answer is worked out
        again as it was shown (lent in turn, up to `depth` turns back). Of 132 follow-ups written
        blind, 3 more found their page and 2 more their key point; the 12 follow-ups of the
        evaluation set kept their answers (lent to any follow-up pointing back, the heading
        moved 6 of them off their subject)."""
        if (
            not history
            or not query.is_follow_up
            or query.asks_again
            or not refers_back(query.text)
            or len(query.tokens) > LENT_WORDS
            or own_subject(query)
        ):
            return query
        at = last_asked(history)
        if at < 0:
            return query
        asked = Query.parse(history[at], history[:at])
        if depth > 1:
            asked = self._lent(generation, asked, k, section, history[:at], depth - 1)
        previous = self._answer(generation, asked, k, section, history[:at])
        if previous.refused or not previous.citations:
            return query
        heading = previous.citations[0].chunk.heading_path.split(PATH_SEP)[-1]
        return replace(
            query,
            search_text=f"{query.search_text} {heading}",
            context_tokens=(*query.context_tokens, *question_tokens(heading)),
        )

    def _answer(self, generation, query: Query, k, section, history) -> Answer:
        """The answer to the question as typed or, when that is refused, as read with its
        typing slips corrected (extra["read_as"]) if the KB covers that. "Tell me more" after
        an answer goes on where that answer stopped (app/core/more.py)."""
        if query.asks_more and history:
            at = query.asked_at  # the answer shown then, as it was worked out
            asked = Query.parse(history[at], history[:at])
            return self._more(
                generation, query, self._answer(generation, asked, k, section, history[:at])
            )
        answer = self._ask(
            generation, query, k, section, self._judged(generation, query, k, section)
        )
        if not answer.refused or not query.tokens:
            return answer
        read = self._respelled(generation, query.text, history)
        if read is None:
            return answer
        second = self._ask(generation, read, k, section, self._judged(generation, read, k, section))
        if second.refused:
            return answer
        second.extra["read_as"] = read.text
        return second

    def _more(self, generation: OpenGeneration, query: Query, previous: Answer) -> Answer:
        """What the section of `previous` (the answer to the question asked of again) says
        past it and past what each earlier "Tell me more" showed; or that it says no more."""
        if previous.refused or not previous.citations:
            return previous
        lead = previous.citations[0].chunk
        shown = {(c.chunk.source, quote) for c in previous.citations for quote in c.quotes}
        for _ in range(query.more_before + 1):
            more = more_of(lead, shown, generation.document)
            shown |= shown_of(more)
        if more:
            answer = answer_of(query.text, more, previous.hits)
        else:
            text = f"{NO_MORE} “{lead.heading_path}”."
            answer = Answer(query.text, text, False, [], previous.hits)
        answer.extra.update(previous.extra)
        return answer

    def _ask(self, generation, query: Query, k, section, judged: Judged) -> Answer:
        """The whole answer from one generation, given the question's search and relevance."""
        hits = judged.scored.hits
        if not query.tokens and not query.asks_again:
            answer = Answer(
                query.text,
                "I could not find any words to search for in that question.",
                True,
                [],
                hits,
            )
        else:
            weights = self._weights_of(generation)
            score, covered = judged.relevance, judged.covered
            threshold = threshold_of(generation)
            part_hits = (
                retrieve_parts(
                    query,
                    lambda part: self.retriever.search(
                        part, k or self.settings.top_k, section, None, generation
                    ),
                )
                if covered
                else None
            )
            answer = extractive_answer(
                query,
                hits,
                weights,
                covered,
                part_hits=part_hits,
                document=generation.document,
                hubs=hub_sources(generation),
                changelogs=changelog_sources(generation),
            )
            answer.extra["relevance"] = round(score, 4)
            answer.extra["threshold"] = threshold
        answer.extra["generation"] = generation.name
        return answer

    def ask_stream(
        self,
        question: str,
        k: int | None = None,
        section: str | None = None,
        history: list[str] | None = None,
    ) -> Iterator[str | Answer]:
        """Text pieces as an LLM writes them, then the final verified Answer."""
        from app.core.llm import llm_answer

        question = " ".join(question.split())
        history = recent(history)
        if not question or reply_to(question) is not None:
            yield self.ask(question, k, section, history)
            return

        typed = Query.parse(question, history)
        if typed.asks_more:  # "Tell me more": the section's next passages, quoted as they stand
            yield self.ask(question, k, section, history)
            return
        read: list[Query] = [typed]  # the question as the KB covers it (_answer)

        def retrieve(generation: OpenGeneration) -> tuple[list[Hit], Answer | None]:
            lent = self._lent(generation, typed, k, section, history)
            respelled = self._respelled(generation, typed.text, history)
            first = self._judged(generation, lent, k, section)
            for query in (lent,) if respelled is None else (lent, respelled):
                verdict = first if query is lent else self._judged(generation, query, k, section)
                if verdict.covered:
                    # The passage holding the best answering unit goes first in the prompt.
                    read[:] = [query]
                    hits = verdict.scored.hits
                    return answer_first(query, hits, self._weights_of(generation)), None
            # refused: said from the search and relevance worked out above, not worked out again
            return first.scored.hits, self._ask(generation, lent, k, section, first)

        hits, refusal = self._pinned(retrieve)
        if refusal is not None:
            refusal.question = question
            yield refusal
            return
        # `yield from`: a Stop thrown in by the reader reaches llm_answer, which keeps the
        # partial answer.
        yield from llm_answer(self.settings, read[0].llm_text, hits, asked=question)

    def search(
        self, request: str, k: int | None = None, section: str | None = None
    ) -> tuple[str, list[str], list[AspectHit]]:
        """Passages for a question or a whole task: (generation, aspects, passages), at least
        one passage per aspect of the request, all from one index generation."""
        with self.reader.pinned() as generation:
            section = check_section(generation.chunks, section)
            aspects, hits = search_aspects(
                request[:MAX_REQUEST_CHARS],
                k or self.settings.top_k,
                lambda text, n: self.retrieve(text, n, section),
            )
            return generation.name, aspects, hits

    def documents(self, section: str | None = None) -> list[DocumentInfo]:
        return documents(self.reader.current().chunks, section)

    def read_section(
        self,
        source: str,
        anchor: str | None = None,
        start_line: int | None = None,
        end_line: int | None = None,
        max_lines: int | None = MAX_SECTION_LINES,
    ) -> tuple[Section, SectionText]:
        """The exact lines of a heading's section, a line range, or a whole document."""
        generation = self.reader.current()
        return read_lines(
            self.settings.kb_dir,
            generation.chunks,
            generation.meta.get("files", {}).get(source),
            source,
            anchor,
            start_line,
            end_line,
            self.settings.max_file_bytes,
            max_lines,
        )
