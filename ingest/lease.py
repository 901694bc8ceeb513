"""The ingest lease in a Chroma server: one writer at a time across every machine.

Creating a collection is atomic in Chroma (a second create of the same name fails), so
"create kb_ingest_lease" is a real test-and-set: of two ingests starting together exactly
one wins. Expiry uses the server's clock (heartbeat()), so machines' clocks never matter.
The lease is renewed by a background thread and removed on exit; a crashed ingest's lease
simply expires. Taking over an expired lease is delete-then-create, and Chroma has no
delete-if-unchanged: two ingests that see the same expired lease in the same few
milliseconds can both "win". The writer re-checks (check()) that the lease is still ours
before writing and publishing, so the loser stops with IngestLocked unless the takeover lands
between that check and the pointer upsert; even then each published generation is complete
and the pointer simply ends at the last one. A lease whose holder ran on this machine (same
hostname) and whose pid is gone is taken over at once, as the kernel drops a local flock: a
killed ingest does not block the next one for the rest of its lease. (Containers sharing a
hostname but not a pid namespace would defeat that check; the re-check above still applies.)
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from ingest.chroma_http import (
    AlreadyExists,
    ChromaHTTP,
    Collection,
    NotFound,
    ServerError,
    Unreachable,
)
from ingest.errors import IngestLocked

LEASE_COLLECTION = "kb_ingest_lease"  # exists only while an ingest runs; metadata: holder, expiry
LEASE_SECONDS = 120.0  # renewed every quarter of this while the ingest runs


@dataclass(frozen=True)
class _Held:
    holder: str
    collection: Collection  # our own lease collection; modify() on it addresses it by id


class ServerLease:
    """Take, renew, re-check and release the lease through the server's HTTP API.

    `calls()` turns a lost connection into StoreUnavailable; `address` names the server in
    messages. Plain HTTP (chroma_http.py): a no-op ingest takes the lease without importing
    chromadb.
    """

    def __init__(
        self,
        http: ChromaHTTP,
        calls: Callable[[], AbstractContextManager[None]],
        address: str,
        seconds: float = LEASE_SECONDS,
    ) -> None:
        self._http = http
        self._calls = calls
        self.address = address
        self.seconds = seconds
        self._held: _Held | None = None

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Held for the whole ingest: a second writer anywhere fails fast with IngestLocked."""
        held = self._acquire()
        stop = threading.Event()
        keeper = threading.Thread(
            target=self._keep_alive, args=(held, stop), name="kb-ingest-lease", daemon=True
        )
        keeper.start()
        try:
            yield
        finally:
            stop.set()
            keeper.join(timeout=10)
            self._release(held)

    def check(self) -> None:
        """Before writing or publishing: still ours? (Only when this writer holds the lease.)"""
        if self._held is None:
            return
        try:
            ours = self._http.get_collection(LEASE_COLLECTION).id == self._held.collection.id
        except NotFound:
            ours = False
        if not ours:
            raise IngestLocked(
                f"this kb-ingest lost its lease on the Chroma server at {self.address} to another "
                "ingest (it was stalled past the lease); nothing was published"
            )

    def _acquire(self) -> _Held:
        holder = f"{socket.gethostname()} pid {os.getpid()}"
        with self._calls():
            for _ in range(3):
                now = self._http.heartbeat()
                try:
                    mine = self._http.create_collection(LEASE_COLLECTION, self._fields(holder, now))
                    self._held = _Held(holder, mine)
                    return self._held
                except AlreadyExists:
                    pass
                try:
                    theirs = self._http.get_collection(LEASE_COLLECTION)
                except NotFound:
                    continue  # released between our two requests: try again
                fields = theirs.metadata or {}
                left = (int(fields.get("expires_ns", 0)) - now) / 1e9
                if left > 0 and not holder_died(fields):
                    raise IngestLocked(
                        f"another kb-ingest ({fields.get('holder', 'unknown')}) is running "
                        f"against the Chroma server at {self.address} (its lease runs "
                        f"{left:.0f} s more unless renewed); try again when it ends"
                    )
                try:  # its holder died without releasing it
                    self._http.delete_collection(LEASE_COLLECTION)
                except NotFound:
                    pass
        raise IngestLocked(
            f"another kb-ingest took the lease on the Chroma server at {self.address} "
            "at the same moment; try again when it ends"
        )

    def _fields(self, holder: str, now: int) -> dict[str, Any]:
        return {
            "holder": holder,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "expires_ns": now + int(self.seconds * 1e9),
        }

    def _keep_alive(self, held: _Held, stop: threading.Event) -> None:
        while not stop.wait(self.seconds / 4):
            try:
                # modify() addresses our collection by id: it cannot touch another holder's lease.
                now = self._http.heartbeat()
                held.collection.modify(self._fields(held.holder, now))
            except (ServerError, Unreachable):
                continue  # the ingest itself sees a lost server; write/publish see a lost lease

    def _release(self, held: _Held) -> None:
        self._held = None
        try:
            if self._http.get_collection(LEASE_COLLECTION).id == held.collection.id:
                self._http.delete_collection(LEASE_COLLECTION)
        except (ServerError, Unreachable):
            pass  # already gone, or the server is: an unreleased lease expires by itself


def holder_died(fields: dict[str, Any]) -> bool:
    """A lease taken on this machine by a process that no longer exists (killed, crashed)."""
    if fields.get("host") != socket.gethostname() or not isinstance(fields.get("pid"), int):
        return False
    try:
        os.kill(fields["pid"], 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    return False
