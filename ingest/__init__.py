"""Markdown knowledge base → chunks → embeddings → a local Chroma index."""
