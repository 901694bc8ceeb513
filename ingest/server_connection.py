"""A ServerIndex's ways to its Chroma server, and their error messages.

Reads (the pointer, meta records, rows, queries) and the lease go over plain HTTP
(chroma_http.py); chromadb's HttpClient, ~0.6 s to import, is made only for writes.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ingest.chroma_http import ChromaHTTP, Collection, NotFound, Unreachable
from ingest.errors import StoreUnavailable
from ingest.store import chroma_settings

META_COLLECTION = "kb_meta"


class ServerConnection:
    """Plain HTTP for reads, a chromadb HttpClient made on first write, and kb_meta."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.http = ChromaHTTP(host, port)
        self._client: Any = None
        self._meta: Any = None
        self._meta_http: Collection | None = None
        self._connecting = threading.Lock()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = self._meta = None

    def _connect(self) -> Any:
        """The chromadb client of this index, made on first use (writes and tests need it)."""
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

    def _meta_records(self, ids: list[str], include: list[str]) -> dict[str, Any]:
        """kb_meta's records by id, over plain HTTP (none when kb_meta does not exist), asked
        once more if kb_meta was recreated since we looked it up."""
        for _ in range(2):
            if self._meta_http is None:
                try:
                    self._meta_http = self.http.get_collection(META_COLLECTION)
                except NotFound:
                    break
            try:
                return self._meta_http.get(ids=ids, include=include)
            except NotFound:
                self._meta_http = None
        return {"ids": [], "metadatas": [], "documents": []}

    @contextmanager
    def _calls(self) -> Iterator[None]:
        """Turn a lost or refused connection into StoreUnavailable."""
        try:
            yield
        except Unreachable as exc:
            raise self._unavailable(exc) from None
        except Exception as exc:
            # chromadb's transport errors are httpx's; httpx is loaded only if chromadb is.
            httpx = sys.modules.get("httpx")
            if httpx is not None and isinstance(exc, httpx.TransportError):
                raise self._unavailable(exc) from None
            raise

    def _unavailable(self, exc: BaseException) -> StoreUnavailable:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return StoreUnavailable(
            f"cannot reach the Chroma server at {self.address} (KB_CHROMA_HOST/KB_CHROMA_PORT): "
            f"{reason}; start it with `chroma run --path DIR --port {self.port}` "
            "or unset KB_CHROMA_HOST to use the local index"
        )
