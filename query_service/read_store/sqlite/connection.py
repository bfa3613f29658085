"""Connections to the read-store file: one per thread, autocommit, busy waits.

WAL mode (readers never block the writer) is set once, by ``initialize``, and persists in
the file; switching journal modes from every new connection would contend for a lock.

Transactions are opened explicitly (``BEGIN IMMEDIATE`` for writes) so that a batch of
documents and the consumer checkpoint always commit together.

A database that is locked past the busy wait, or a file that cannot be read or written
(``sqlite3.OperationalError``) raises the port's ``ReadStoreUnavailable``: callers retry
later and know nothing of ``sqlite3``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from query_service.read_store.port import ReadStoreUnavailable


class ConnectionPool:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[sqlite3.Connection] = []

    @property
    def path(self) -> Path:
        return self._path

    def get(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 5000")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA temp_store = MEMORY")  # the search's match set (search.py)
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """An immediate (write-locked) transaction, committed unless the block raises."""
        with _unavailable_when_busy():
            conn = self.get()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query of one request sees the same committed state."""
        with _unavailable_when_busy():
            conn = self.get()
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connections of every thread (call when no thread uses the pool)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()
        self._local = threading.local()


@contextmanager
def _unavailable_when_busy() -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as error:
        raise ReadStoreUnavailable(f"the read store file is unavailable: {error}") from error
