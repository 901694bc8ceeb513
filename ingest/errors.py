"""The project's error hierarchy: library code raises these, the edges print them."""

from __future__ import annotations


class KBError(Exception):
    """Base class for every error this project reports to a user."""


class ConfigError(KBError):
    """A KB_* setting is missing or malformed."""


class KBFolderError(KBError):
    """The knowledge-base folder is missing, not a folder, or holds no markdown."""


class IngestLocked(KBError):
    """Another ingest holds the lock on the index."""


class BadRequest(KBError):
    """A request names something the KB does not hold (a source, section, anchor or line range)."""


class IndexNotBuilt(KBError):
    """No complete index generation exists yet."""


class IndexCorrupt(KBError):
    """The current index generation is damaged or incomplete."""


class GenerationGone(KBError):
    """The generation a question was pinned to was deleted under it (by another process)."""


class IndexUnreadable(KBError):
    """The index exists but cannot be read now (permissions, I/O errors): not damage."""


class EmbeddingModelError(KBError):
    """The embedding model could not be loaded."""


class StoreUnavailable(KBError):
    """The Chroma server could not be reached."""


class LLMError(KBError):
    """The configured LLM backend failed or is misconfigured."""
