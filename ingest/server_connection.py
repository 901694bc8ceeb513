"""The one HTTP connection of a ServerIndex to its Chroma server, and its error messages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ingest.errors import StoreUnavailable
from ingest.store import chroma_settings

META_COLLECTION = "kb_meta"


class ServerConnection:
    """A chromadb HttpClient made on first use (so constructing is free), and kb_meta."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._client: Any = None
        self._meta: Any = None
        self._connecting = threading.Lock()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = self._meta = None

    def _connect(self) -> Any:
        """The one HTTP client of this index, made on first use (so constructing is free)."""
        with self._connecting:
            if self._client is None:
                import chromadb
                import httpx

                try:
                    self._client = chromadb.HttpClient(
                        host=self.host, port=self.port, settings=chroma_settings()
                    )
                except (ValueError, httpx.TransportError) as exc:
                    # chromadb reports a refused connection as ValueError("Could not connect…")
                    raise self._unavailable(exc) from None
            return self._client

    def _meta_collection(self, create: bool) -> Any:
        """kb_meta; None when it does not exist yet and `create` is false (readers never create)."""
        if self._meta is None:
            from chromadb.errors import NotFoundError

            client = self._connect()
            if create:
                self._meta = client.get_or_create_collection(
                    META_COLLECTION, embedding_function=None
                )
            else:
                try:
                    self._meta = client.get_collection(META_COLLECTION, embedding_function=None)
                except NotFoundError:
                    return None
        return self._meta

    def _retrying_meta(self, request):
        """Run `request(kb_meta)`, once more if kb_meta was recreated since we cached it."""
        from chromadb.errors import NotFoundError

        try:
            return request(self._meta_collection(create=False))
        except NotFoundError:
            self._meta = None
            meta = self._meta_collection(create=False)
            if meta is None:
                return {"ids": [], "metadatas": []}
            return request(meta)

    @contextmanager
    def _calls(self) -> Iterator[None]:
        """Turn a lost or refused connection into StoreUnavailable."""
        import httpx

        try:
            yield
        except httpx.TransportError as exc:
            raise self._unavailable(exc) from None

    def _unavailable(self, exc: BaseException) -> StoreUnavailable:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return StoreUnavailable(
            f"cannot reach the Chroma server at {self.address} (KB_CHROMA_HOST/KB_CHROMA_PORT): "
            f"{reason}; start it with `chroma run --path DIR --port {self.port}` "
            "or unset KB_CHROMA_HOST to use the local index"
        )
