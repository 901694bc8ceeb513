"""The keyword side of hybrid retrieval: a tokenizer and a BM25 index per generation."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.stemmer import stem

if TYPE_CHECKING:
    from ingest.bm25 import KeywordIndex
    from ingest.chunk import Chunk

# "before" and "after" are not stopwords: in technical text they name a thing ("before vs
# after validators", before/after hooks and middleware), and a question comparing the two found
# neither word (pydantic-docs MRR 0.908 -> 0.915, answer_lines@5 0.814 -> 0.829; kb/ unchanged).
STOPWORDS = frozenset(
    """a about all also an and any are as at be because been being between both
    but by can could did do does doing done for from had has have having how i if in into is it
    its itself just me more most my no nor not of off on once only or other our out over own
    same she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why
    will with would you your yours should shall may might must i'm it's don't let us use using
    used""".split()
    # What is left of a contraction once the apostrophe splits it ("doesn't" -> doesn, t):
    # function words, never a topic the KB lacks.
    + """doesn isn aren wasn weren shouldn wouldn couldn didn hasn haven hadn won don can
    mustn needn ll ve re t s d m""".split()
    # "e.g." and "i.e." name no topic, and a KB that writes "for example" never uses them ("...,
    # e.g. a round-trip check?" was refused as asking of an unknown "e.g"); "vs" marks a
    # comparison ("strict vs lax mode" matched passages for their "vs"). Not "etc" nor "cf":
    # "/etc/hosts", "cf push".
    + """e.g i.e vs""".split()
)
# SQL's keywords, as a question or a page writes them in capitals (see also refusal.keywords).
SQL_KEYWORDS = frozenset(
    "SELECT INSERT UPDATE DELETE FROM WHERE GROUP ORDER BY HAVING JOIN LEFT RIGHT INNER OUTER FULL"
    " CROSS ON USING AS DISTINCT ALL ANY COUNT SUM AVG MIN MAX LIMIT OFFSET FETCH RETURNING WITH"
    " RECURSIVE UNION EXCEPT INTERSECT CASE WHEN THEN ELSE END INTO VALUES SET DEFAULT CREATE"
    " ALTER DROP TRUNCATE TABLE INDEX VIEW CONCURRENTLY UNIQUE CHECK CONSTRAINT PRIMARY FOREIGN"
    " KEY REFERENCES CASCADE RESTRICT ADD COLUMN BEGIN COMMIT ROLLBACK SAVEPOINT TRANSACTION"
    " ISOLATION LEVEL SERIALIZABLE REPEATABLE READ COMMITTED LIKE ILIKE IN EXISTS BETWEEN IS NULL"
    " NOT AND OR FOR SKIP LOCKED NOWAIT SHARE CONFLICT DO NOTHING MERGE MATCHED PARTITION OVER"
    " WINDOW ROWS LATERAL EXPLAIN ANALYZE VACUUM GRANT REVOKE".split()
)
# Of them, those that join conditions and clauses are stopwords in prose but words to search
# for when written in capitals ("filter rows with OR instead of AND", "IS NULL", "NOT IN"), in a
# question and in a document's SQL alike. Only in a text that speaks of SQL (SQL_CONTEXT, or two
# such keywords) and is not written all in capitals: "Should I use mypy OR pyright?" stresses a
# choice, "WHERE SHOULD I PUT CONFIGURATION?" is shouted.
SQL_WORDS = frozenset("and or not in is where on by as from into all any between exists".split())
SQL_CONTEXT = frozenset(
    """sql query queries where filter filters filtering clause condition conditions select join
    joins row rows column columns table tables""".split()
)
TOKEN = re.compile(r"[a-z0-9]+(?:[_.+#-][a-z0-9]+)*", re.I | re.A)  # ASCII, as before
SEPARATOR = re.compile(r"[_.+#-]")


def tokenize(text: str) -> list[str]:
    """Lower-case word stems; identifiers like select_related also yield their parts."""
    tokens = []
    found = TOKEN.findall(text)
    sql = _speaks_sql(text, found)
    for written in found:
        token = written.lower()
        if token in STOPWORDS:  # "e.g": nor its letters
            if sql and token in SQL_WORDS and written.isupper():
                tokens.append(token)
            continue
        parts = SEPARATOR.split(token)
        for word in ([token] if len(parts) > 1 else []) + parts:
            if word and word not in STOPWORDS:
                tokens.append(stem(word))
    return tokens


def _speaks_sql(text: str, words: list[str]) -> bool:
    """The text speaks of SQL (see SQL_WORDS) and is not written all in capitals."""
    keywords = sum(1 for w in words if w.isupper() and w.lower() in SQL_WORDS)
    if not keywords or text.isupper():
        return False
    return keywords >= 2 or any(w.lower() in SQL_CONTEXT for w in words)


# How a question asks what an abbreviation means: the documents say "ORM means ..." or "ORM
# (Object-Relational Mapper)", never "stand for", so "stand" counted as a word the index lacks
# and "What does ORM stand for?" was refused.
ASKS_MEANING = re.compile(
    r"\b(?:stands?|standing|stood) for\b|(?<!too )(?<!so )\bshort for\b", re.I
)


def question_tokens(question: str) -> list[str]:
    """A question's search words: tokenize() without the wording that only asks what a term
    means (ASKS_MEANING)."""
    return tokenize(ASKS_MEANING.sub(" ", question))


EMPTY = "\x00empty"  # the one token of a chunk with no words, so every row has a length


def term_counts(text: str) -> dict[str, int]:
    """How often each term occurs in a chunk's text (EMPTY once for a text without words)."""
    tally: dict[str, int] = {}
    for token in tokenize(text) or [EMPTY]:
        tally[token] = tally.get(token, 0) + 1
    return tally


VOCAB_FILE = "vocab.json"  # in a generation's bm25/ folder (see ingest/bm25.py)
# A generation's meta records the tokenizer that wrote its keyword index, for the app
# (keyword_index_for); an ingest rewrites such an index through the pipeline fingerprint.
VERSION_KEY = "keyword"


def version() -> str:
    """Changes with the tokenizer or the stemmer: then a stored keyword index holds other stems
    than a question's."""
    digest = hashlib.sha256()
    for path in (Path(__file__), Path(__file__).with_name("stemmer.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def keyword_index_for(
    meta: dict[str, Any], chunks: Sequence[Chunk], stored: Callable[[], KeywordIndex]
) -> KeywordIndex:
    """A generation's keyword index; rebuilt from its chunks when another version of the
    tokenizer wrote it (code upgraded, kb-ingest not yet run): a question stemmed one way
    must not be looked up among stems made another way."""
    if meta.get(VERSION_KEY) == version():
        return stored()
    return build_bm25([c.embed_text for c in chunks])


def build_bm25(texts: list[str]) -> KeywordIndex:
    from ingest.bm25 import KeywordIndex  # numpy and scipy: a no-op ingest needs neither

    return KeywordIndex.build(texts)


def save_bm25(index: KeywordIndex, folder: Path) -> None:
    index.save(folder)


def load_bm25(folder: Path) -> KeywordIndex:
    from ingest.bm25 import KeywordIndex

    return KeywordIndex.load(folder)
