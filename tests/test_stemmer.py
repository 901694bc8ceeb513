"""The stemmer: one keyword for a word's forms, none shared by two words, and an index written
by another version of it is never searched with this one's stems."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.core.engine import Assistant
from ingest import keyword
from ingest.keyword import build_bm25, save_bm25, tokenize
from ingest.store import LocalIndex
from ingest.sync import sync


@pytest.mark.parametrize(
    "forms",
    [
        ("run", "runs", "ran"),
        ("get", "gets", "got", "gotten"),
        ("write", "writes", "writing", "wrote", "written"),
        ("make", "makes", "making", "made"),
        ("hope", "hopes", "hoping", "hoped"),
        ("add", "adds", "added", "adding"),
        ("queue", "queues", "queued"),
        ("model", "models", "modeled", "modeling"),
        ("alias", "aliases", "aliased"),
        ("try", "tries", "tried", "trying"),
        ("agree", "agrees", "agreed"),
        ("create", "creates", "created", "creating"),
        ("mentee", "mentees"),
        ("commit", "commits", "committed", "committing"),
        ("format", "formats", "formatted", "formatting"),
        ("prefer", "prefers", "preferred", "preferring"),
        ("install", "installs", "installed", "installing"),
        ("access", "accesses", "accessed", "accessing"),
    ],
)
def test_the_forms_of_a_word_are_one_keyword(forms: tuple[str, ...]) -> None:
    """Asked "why did my job get queued twice", a KB that says "queue" is found."""
    assert len({tuple(tokenize(form)) for form in forms}) == 1, [tokenize(f) for f in forms]


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("cors", "core"),
        ("mentees", "mention"),
        ("mentees", "mental"),
        ("string", "str"),
        ("none", "non"),
        ("times", "tim"),
        ("mode", "mod"),
        ("state", "stat"),
        ("made", "mad"),
        ("coming", "com"),
        ("huge", "hug"),
        ("site", "sit"),
        ("hoping", "hopping"),
        ("settings", "set"),
        ("sitting", "sit"),
    ],
)
def test_two_words_do_not_share_a_keyword(word: str, other: str) -> None:
    assert tokenize(word) != tokenize(other)


def test_a_question_about_cors_does_not_find_the_core_of_a_service() -> None:
    texts = [
        "The core of the service is a small set of core modules.",
        "Allow the browser's cross-origin requests with CORS headers.",
    ]
    scores = build_bm25(texts).get_scores(tokenize("How do I configure CORS?"))
    assert scores[0] == 0 < scores[1]


def test_an_index_from_another_stemmer_is_searched_with_one_stemmer(
    settings, embedder, monkeypatch
) -> None:
    """After an upgrade that changed the stemmer, before the user re-ingests, the app's keyword
    search ranks as a fresh index would; the next ingest rewrites the index."""
    sync(settings, embedder=embedder)
    index = LocalIndex(settings.index_dir)
    name = index.current_name()
    assert name is not None
    folder = index.root / name
    chunks = index.load(name).chunks
    question = tokenize("Which function builds and configures the Flask app?")
    fresh = build_bm25([c.embed_text for c in chunks]).get_scores(question)
    assert fresh.max() > 0
    # What an older release left: its own stems (here their first three letters), no record
    # of its tokenizer, and the fingerprint of its own pipeline.
    with monkeypatch.context() as old:
        old.setattr(keyword, "stem", lambda word: word[:3])
        save_bm25(build_bm25([c.embed_text for c in chunks]), folder / "bm25")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    del meta[keyword.VERSION_KEY]
    meta["pipeline"] = "an older pipeline"
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")

    with Assistant(settings, embedder).reader.pinned() as generation:
        assert np.allclose(generation.bm25.get_scores(question), fresh)

    sync(settings, embedder=embedder)
    rewritten = index.current_name()
    assert rewritten != name
    assert rewritten is not None and index.load_meta(rewritten)[keyword.VERSION_KEY] == (
        keyword.version()
    )
