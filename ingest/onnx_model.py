"""The packaged MiniLM run by onnxruntime: same vectors as sentence-transformers, but it
imports and loads in well under a second instead of ~8 s (torch and transformers stay unloaded).

The ONNX graph is exported once per machine from the packaged weights (needs torch and onnx,
which the install brings) and cached under the data folder.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Encoding

# onnxruntime reads ORT_DISABLE_TELEMETRY once, when it is imported: every entry point sets it
# first, in ingest.edge.prepare_process (library code does not change the environment).

MAX_TOKENS = 256  # the model's max_seq_length


def export(model_dir: Path, target: Path, attention: str = "sdpa") -> Path:
    """Write the transformer as ONNX (dynamic batch and length); atomic, safe to race.

    `attention="eager"` exports attention as plain MatMul / Add / Softmax, the pattern
    onnxruntime's transformer optimizer fuses into its Attention operator (the default
    "sdpa" export adds per-layer Where / IsNaN masking that the optimizer does not recognise).
    """
    import torch
    from transformers import AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(str(model_dir), attn_implementation=attention).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    sample = tokenizer(["an example", "a second example text"], return_tensors="pt", padding=True)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]}
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    # The tracer warns about shape-dependent Python branches it freezes; they are expected.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Encoder(),
            tuple(sample[name] for name in names),
            str(tmp),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    os.replace(tmp, target)
    return target


def quantize(model_dir: Path, target: Path) -> Path:
    """An int8 graph of the packaged model, built from its weights. Atomic, safe to race.

    Exported with eager attention, fused by onnxruntime's transformer optimizer (one
    Attention, SkipLayerNormalization and BiasGelu operator per layer, the embeddings in one
    EmbedLayerNormalization), then the weights of the MatMul and Attention nodes quantized
    per output channel, activations dynamically: about 0.5x the fp32 graph's CPU time with
    vectors at cosine ~0.994 to fp32's. Unfused, int8 gains less (about 0.62x): the masking
    (Where, IsNaN) and softmax around each attention stay in fp32 and take about as long as
    the quantized MatMuls. Quantizing every node type costs more quality (cosine ~0.94).
    """
    import tempfile

    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        eager = export(model_dir, Path(work) / "eager.onnx", attention="eager")
        fused = optimize_model(
            str(eager),
            model_type="bert",
            num_heads=config["num_attention_heads"],
            hidden_size=config["hidden_size"],
            opt_level=0,  # the optimizer's own fusions; the session applies the rest at load
        )
        fused.save_model_to_file(str(Path(work) / "fused.onnx"))
        quantize_dynamic(
            str(Path(work) / "fused.onnx"),
            str(tmp),
            per_channel=True,
            op_types_to_quantize=["MatMul", "Attention"],
            weight_type=QuantType.QInt8,
            extra_options={"DefaultTensorType": 1},  # FLOAT, where shape inference cannot tell
        )
    os.replace(tmp, target)
    return target


class OnnxEncoder:
    """Tokenize, run the graph, mean-pool over real tokens, normalise: MiniLM's pipeline."""

    def __init__(self, graph: Path, model_dir: Path, threads: int | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()  # each batch is padded to its own longest text in run()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or 0
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )

    def tokenize(self, texts: Sequence[str]) -> list[Encoding]:
        """Each text's word pieces (truncated, not padded): len() of one is its token count."""
        return self.tokenizer.encode_batch(list(texts))

    def run(self, encodings: Sequence[Encoding]) -> np.ndarray:
        """One batch's vectors, the batch padded to its longest text."""
        ids = np.zeros((len(encodings), max(len(e) for e in encodings)), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding)] = encoding.ids
            mask[row, : len(encoding)] = encoding.attention_mask
            types[row, : len(encoding)] = encoding.type_ids
        hidden = self.session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        )[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.run(self.tokenize(texts))
