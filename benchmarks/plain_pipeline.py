"""The baseline: a plain llama-index pipeline over the same KB, as a tutorial would build it.

SimpleDirectoryReader → default SentenceSplitter → HuggingFaceEmbedding → VectorStoreIndex on a
ChromaVectorStore (PersistentClient). No incremental sync, no keyword search, no LLM: only the
retriever is used, because synthesising a response would need `Settings.llm` (OpenAI).

Run as a script so the benchmark can time it in a fresh process, like `kb-ingest`:
  python benchmarks/plain_pipeline.py build --kb kb --persist /tmp/plain
  python benchmarks/plain_pipeline.py query --persist /tmp/plain "How do I test FastAPI?"
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

COLLECTION = "plain"
TOP_K = 5


def embed_model():
    """The same packaged all-MiniLM-L6-v2 weights our pipeline uses, on the CPU."""
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from ingest.embed import packaged_model_path

    return HuggingFaceEmbedding(model_name=str(packaged_model_path()), device="cpu")


DEFAULT_CHUNK_TOKENS = 1024  # SentenceSplitter's default; the model reads only the first 256
SMALL_CHUNK_TOKENS = 256  # the configuration that fits all-MiniLM-L6-v2's input


def load_nodes(kb: Path, chunk_size: int = DEFAULT_CHUNK_TOKENS):
    """The documents and SentenceSplitter nodes, exactly as `build` makes them."""
    from llama_index.core import SimpleDirectoryReader
    from llama_index.core.node_parser import SentenceSplitter

    documents = SimpleDirectoryReader(
        str(kb.resolve()), recursive=True, required_exts=[".md"]
    ).load_data()
    return SentenceSplitter(chunk_size=chunk_size).get_nodes_from_documents(documents)


def node_embed_text(node) -> str:
    """What VectorStoreIndex sends to the embedding model for a node."""
    from llama_index.core.schema import MetadataMode

    return node.get_content(metadata_mode=MetadataMode.EMBED)


def _vector_store(persist: Path):
    import chromadb
    from llama_index.vector_stores.chroma import ChromaVectorStore

    client = chromadb.PersistentClient(path=str(persist))
    return ChromaVectorStore(chroma_collection=client.get_or_create_collection(COLLECTION))


def build(kb: Path, persist: Path, chunk_size: int = DEFAULT_CHUNK_TOKENS, model=None):
    """Index the KB from scratch: the only way this pipeline can take a change in."""
    from llama_index.core import StorageContext, VectorStoreIndex

    storage = StorageContext.from_defaults(vector_store=_vector_store(persist))
    return VectorStoreIndex(
        load_nodes(kb, chunk_size), storage_context=storage, embed_model=model or embed_model()
    )


def open_retriever(persist: Path, model=None):
    """A top-5 retriever over a built index; pass `model` to share one loaded embedder."""
    from llama_index.core import VectorStoreIndex

    index = VectorStoreIndex.from_vector_store(
        _vector_store(persist), embed_model=model or embed_model()
    )
    return index.as_retriever(similarity_top_k=TOP_K)


def source_of(metadata: dict, kb: Path) -> str:
    """A node's source file relative to the KB folder, as our chunks name it."""
    return Path(metadata["file_path"]).resolve().relative_to(kb.resolve()).as_posix()


def main(argv: list[str] | None = None) -> int:
    from ingest.edge import prepare_process

    prepare_process()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build_cmd = sub.add_parser("build", help="index a KB folder from scratch")
    build_cmd.add_argument("--kb", type=Path, required=True)
    build_cmd.add_argument("--persist", type=Path, required=True)
    build_cmd.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_TOKENS)
    query_cmd = sub.add_parser("query", help="load the model and index, retrieve for a question")
    query_cmd.add_argument("--persist", type=Path, required=True)
    query_cmd.add_argument("question")
    args = parser.parse_args(argv)
    if args.command == "build":
        build(args.kb, args.persist, args.chunk_size)
        return 0
    for rank, hit in enumerate(open_retriever(args.persist).retrieve(args.question), 1):
        print(f"{rank}. {hit.score:.3f} {hit.node.metadata.get('file_path')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
