"""The core every interface shares: index reader, retrieval, answers, LLM, history."""
