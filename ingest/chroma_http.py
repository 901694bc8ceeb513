"""Chroma's HTTP API (v2) over the standard library, for the calls of a no-op ingest, the
ingest lease and a reader: importing chromadb alone takes ~0.6 s, twice a no-op's budget.

Reads of collections and rows, queries, and the lease's create / modify / delete of its one
small collection. Rows are written through chromadb (server_store.py), imported only when an
ingest has something to write. One connection per request: no state shared between threads.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

DATABASE = "/api/v2/tenants/default_tenant/databases/default_database"
TIMEOUT = 300.0  # seconds without a byte from the server: then it counts as unreachable


class ServerError(Exception):
    """The Chroma server answered a request with an error."""


class NotFound(ServerError):
    """The collection (or the record's collection) does not exist."""


class AlreadyExists(ServerError):
    """A collection of that name exists already."""


class Unreachable(Exception):
    """No answer from the server: refused, reset, timed out, name not resolved."""


class ChromaHTTP:
    """A Chroma server's default database, spoken to in JSON."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        try:
            connection.request(
                method,
                quote(path, safe="/"),
                body=None if body is None else json.dumps(body).encode(),
                headers={"Content-Type": "application/json"},
            )
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise Unreachable(str(exc) or type(exc).__name__) from None
        finally:
            connection.close()
        if response.status >= 400:
            raise _error(response.status, data)
        return json.loads(data)

    def heartbeat(self) -> int:
        """The server's clock, in nanoseconds."""
        return int(self.request("GET", "/api/v2/heartbeat")["nanosecond heartbeat"])

    def create_collection(self, name: str, metadata: dict[str, Any]) -> Collection:
        """Atomic on the server: AlreadyExists when the name is taken."""
        body = {"name": name, "metadata": metadata, "configuration": None, "get_or_create": False}
        return self._collection(self.request("POST", f"{DATABASE}/collections", body))

    def get_collection(self, name: str) -> Collection:
        return self._collection(self.request("GET", f"{DATABASE}/collections/{name}"))

    def delete_collection(self, name: str) -> None:
        self.request("DELETE", f"{DATABASE}/collections/{name}")

    def _collection(self, fields: dict[str, Any]) -> Collection:
        return Collection(self, str(fields["id"]), str(fields["name"]), fields.get("metadata"))


class Collection:
    """The part of chromadb's Collection that readers use (same arguments, same results)."""

    def __init__(
        self, http: ChromaHTTP, id: str, name: str, metadata: dict[str, Any] | None
    ) -> None:
        self.http = http
        self.id = id
        self.name = name
        self.metadata = metadata
        self._path = f"{DATABASE}/collections/{id}"

    def get(
        self,
        ids: Sequence[str] | None = None,
        where: dict[str, Any] | None = None,
        include: Sequence[str] = ("metadatas", "documents"),
    ) -> dict[str, Any]:
        body = {"ids": None if ids is None else list(ids), "where": where, "include": [*include]}
        return dict(self.http.request("POST", f"{self._path}/get", body))

    def query(
        self,
        query_embeddings: Sequence[Any],
        n_results: int,
        where: dict[str, Any] | None = None,
        include: Sequence[str] = ("metadatas", "documents", "distances"),
    ) -> dict[str, Any]:
        body = {
            "query_embeddings": [[float(x) for x in vector] for vector in query_embeddings],
            "n_results": n_results,
            "where": where,
            "include": [*include],
        }
        return dict(self.http.request("POST", f"{self._path}/query", body))

    def count(self) -> int:
        return int(self.http.request("GET", f"{self._path}/count"))

    def modify(self, metadata: dict[str, Any]) -> None:
        """Replace the collection's metadata (addressed by id, so never another collection's)."""
        self.http.request("PUT", self._path, {"new_metadata": metadata, "new_name": None})


def _error(status: int, data: bytes) -> ServerError:
    try:
        body = json.loads(data)
        kind, message = str(body.get("error", "")), str(body.get("message", ""))
    except (ValueError, AttributeError):
        kind, message = "", data.decode(errors="replace")
    text = f"{kind}: {message}" if kind else message or f"HTTP {status}"
    if status == 404 or kind == "NotFoundError":
        return NotFound(text)
    # The server reports a duplicate name as a plain ChromaError ("… already exists"), 409.
    if status == 409 or kind == "UniqueConstraintError" or "already exists" in message:
        return AlreadyExists(text)
    return ServerError(text)
