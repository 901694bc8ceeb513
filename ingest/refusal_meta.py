"""The questions an ingest scores to derive its refusal statistics (see refusal.py), their
cached vectors, and the `meta["refusal"]` record written with every generation."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.chunk import PATH_SEP, Chunk
from ingest.keyword import tokenize
from ingest.question_scores import rank_questions, score_ranked
from ingest.refusal import (
    COMMON_WORDS_FILE,
    capitals,
    changelogs,
    hubs,
    silent_rows,
    threshold,
    written_capitals,
)

if TYPE_CHECKING:
    import numpy as np

    from ingest.bm25 import KeywordIndex

OFF_TOPIC_FILE = Path(__file__).with_name("data") / "off_topic.txt"
MAX_SYNTHETIC = 240  # synthetic questions per generation, at most
PER_DOCUMENT = 3  # synthetic questions per document, at most
CACHE_FILE = "refusal-question-vectors.npz"
CACHE_SIZE = 5000  # questions kept: this KB's first, then others' (KBs may share the folder)
MARKUP = re.compile(r"[`*_\[\]{}#<>|]|\(.*?\)")


def version() -> str:
    """Changes with the rule (refusal.py, the batch scorer applying it, this module) or the
    packaged word lists: then a generation's statistics are stale. A change to the tokenizer or
    stemmer changes the pipeline's fingerprint (manifest._PIPELINE_FILES), which rewrites the
    generation and its statistics anyway."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    rule = (here / "refusal.py", here / "question_scores.py", Path(__file__))
    for path in (*rule, OFF_TOPIC_FILE, COMMON_WORDS_FILE):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def current(meta: dict[str, Any]) -> bool:
    """Whether a generation's meta holds statistics from this version of the rule."""
    record = meta.get("refusal")
    return isinstance(record, dict) and record.get("version") == version()


def off_topic_questions() -> list[str]:
    lines = OFF_TOPIC_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def synthetic_questions(chunks: Sequence[Chunk]) -> list[list[str]]:
    """[source, question] pairs: a section's heading asked as a question, PER_DOCUMENT per
    document, chosen by chunk id so that an edit changes only its own file's questions."""
    by_source: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_source.setdefault(chunk.source, []).append(chunk)
    picked = []
    for source in sorted(by_source):
        seen: set[str] = set()
        for chunk in sorted(by_source[source], key=lambda c: _digest(c.id)):
            question = _question(chunk)
            if question and question.lower() not in seen:
                seen.add(question.lower())
                picked.append([source, question])
            if len(seen) == PER_DOCUMENT:
                break
    return picked


def changelogs_of(chunks: Sequence[Chunk]) -> list[str]:
    """The documents of `chunks` shaped like a changelog (refusal.changelogs)."""
    return changelogs((c.source, c.title, c.heading_path) for c in chunks)


def capitals_of(chunks: Sequence[Chunk]) -> dict[str, list[str]]:
    """source -> the words its chunks write in capitals (refusal.capitals), in the text the
    index holds (snippet includes resolved, comments left out)."""
    found: dict[str, set[str]] = {}
    for chunk in chunks:
        found.setdefault(chunk.source, set()).update(capitals(chunk.embed_text))
    return {source: sorted(words) for source, words in sorted(found.items())}


def sample(pairs: list[list[str]]) -> list[list[str]]:
    """At most MAX_SYNTHETIC of them, by a hash of each: stable under edits elsewhere."""
    return sorted(sorted(pairs, key=lambda pair: _digest("\n".join(pair)))[:MAX_SYNTHETIC])


def updated_sample(
    previous: list[list[str]], touched: set[str], chunks: Sequence[Chunk]
) -> list[list[str]]:
    """The previous sample without the touched files' questions, plus the changed files'."""
    kept = [pair for pair in previous if pair[0] not in touched]
    return sample(kept + synthetic_questions(chunks))


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _question(chunk: Chunk) -> str | None:
    parts = chunk.heading_path.split(PATH_SEP)
    heading = " ".join(MARKUP.sub(" ", parts[-1]).split())
    if len(tokenize(heading)) < 2 and len(parts) > 1:  # "Usage": say of what
        heading = " ".join(MARKUP.sub(" ", f"{parts[-2]} {parts[-1]}").split())
    if len(tokenize(heading)) < 2:
        return None
    return f"What about {heading[0].lower() + heading[1:]}?"


def statistics(
    vectors: np.ndarray,
    keyword: KeywordIndex,
    sources: Sequence[str],
    synthetic: list[list[str]],
    embed: Callable[[list[str]], np.ndarray],
    changelogs: Sequence[str],
    capitals: dict[str, list[str]],
) -> dict[str, Any]:
    """A generation's refusal record (meta["refusal"]): threshold, hubs and what they came
    from. `sources[i]` is the file of row i of `vectors` and of `keyword`; `changelogs` are
    hubs by their shape (refusal.changelogs); `capitals`: source -> the words it writes in
    capitals (capitals_of)."""
    off = off_topic_questions()
    asked = off + [question for _, question in synthetic]
    ranked = rank_questions(vectors, keyword, embed(asked), asked, written_capitals(capitals))
    found = hubs(synthetic, ranked.tops()[len(off) :], sources, changelogs)
    # Scored as the app scores a question on this generation: only hubs' plain words count.
    scores = score_ranked(ranked, keyword, silent_rows(sources, found))
    off_scores, synthetic_scores = scores[: len(off)], scores[len(off) :]
    return {
        "version": version(),
        "threshold": threshold(off_scores, synthetic_scores),
        "hubs": found,
        "changelogs": sorted(changelogs),
        "off_topic": _summary(off_scores),
        "synthetic": _summary(synthetic_scores),
        "synthetic_questions": synthetic,
        "capitals": capitals,
    }


def _summary(scores: Sequence[float]) -> dict[str, float]:
    import numpy as np

    if not len(scores):
        return {}
    values = np.asarray(scores, dtype=np.float64)
    return {
        "questions": len(scores),
        "mean": round(float(values.mean()), 4),
        "std": round(float(values.std()), 4),
        "p05": round(float(np.quantile(values, 0.05)), 4),
        "p50": round(float(np.quantile(values, 0.5)), 4),
        "p95": round(float(np.quantile(values, 0.95)), 4),
    }


class VectorCache:
    """Question vectors by (model, text) in the model cache folder (local even in server mode):
    an edit re-embeds only the questions it changed. A damaged or unwritable cache costs time,
    never an error."""

    def __init__(self, folder: Path, model: str) -> None:
        self.path = folder / CACHE_FILE
        self.model = model

    def _key(self, text: str) -> str:
        return _digest(f"{self.model}\n{text}")

    def embedder(self, embed: Callable[[list[str]], np.ndarray]) -> Callable[[list[str]], Any]:
        """`embed` with the cache in front: only texts it has not seen reach the model."""

        def cached(texts: list[str]) -> np.ndarray:
            import numpy as np

            known = self._read()
            keys = [self._key(t) for t in texts]
            missing = list(
                dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in known)
            )
            if missing:
                fresh = embed(missing)
                known.update({self._key(t): fresh[i] for i, t in enumerate(missing)})
            used = {k: known[k] for k in keys}
            if missing:
                others = [k for k in known if k not in used][: max(0, CACHE_SIZE - len(used))]
                self._write({**used, **{k: known[k] for k in others}})
            return np.vstack([used[k] for k in keys]).astype(np.float32)

        return cached

    def _read(self) -> dict[str, Any]:
        import numpy as np

        try:
            with np.load(self.path) as arrays:
                keys = json.loads(str(arrays["keys"]))
                return dict(zip(keys, arrays["vectors"], strict=True))
        except (OSError, ValueError, KeyError, TypeError):
            return {}

    def _write(self, vectors: dict[str, Any]) -> None:
        import numpy as np

        temporary = self.path.with_name(f".{CACHE_FILE}.{os.getpid()}.tmp.npz")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(
                temporary,
                keys=np.array(json.dumps(list(vectors))),
                vectors=np.vstack(list(vectors.values())),
            )
            os.replace(temporary, self.path)
        except OSError:
            temporary.unlink(missing_ok=True)


def record(
    settings: Any,
    vectors: np.ndarray,
    keyword: KeywordIndex,
    sources: Sequence[str],
    synthetic: list[list[str]],
    embedder: Any,
    changelogs: Sequence[str],
    capitals: dict[str, list[str]],
) -> dict[str, Any]:
    """meta["refusal"] for a generation about to be written; loads the model only when a
    question's vector is not cached yet."""
    from ingest.embed import embedder_for, model_label

    holder: list[Any] = [embedder]

    def embed(texts: list[str]) -> np.ndarray:
        if holder[0] is None:
            holder[0] = embedder_for(settings)
        return holder[0].embed(texts)

    label = model_label(settings.embed_model, settings.embed_quantized)
    cache = VectorCache(settings.models_dir, label)
    return statistics(
        vectors, keyword, sources, synthetic, cache.embedder(embed), changelogs, capitals
    )
