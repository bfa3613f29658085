"""Tail the command database's outbox: the event transport of the embedded deployment.

The published contract is two columns of the ``outbox`` table: ``position`` (strictly
increasing, committed in order because writers are serialized) and ``envelope`` (the
CloudEvents JSON). The tail opens the file read-only and never writes to it.

Latency without busy work: while idle it polls ``PRAGMA data_version`` (a counter that
changes when another connection commits; no table read) every few milliseconds, and reads
again only when it moved. With a backlog it does not sleep at all.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from query_service.consumers.source import SourceRecord

log = logging.getLogger(__name__)

_SELECT = "SELECT position, envelope FROM outbox WHERE position > ? ORDER BY position LIMIT ?"


class OutboxTail:
    def __init__(self, path: Path, *, poll_interval: float = 0.01) -> None:
        self._path = path
        self._poll_interval = poll_interval
        self._conn: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection | None:
        """The read-only connection, or None while the database or table does not exist."""
        if self._conn is not None:
            return self._conn
        if not self._path.exists():
            return None
        uri = f"file:{self._path.resolve()}?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 5000")
            conn.execute("SELECT 1 FROM outbox LIMIT 1").fetchall()
        except sqlite3.Error as error:
            log.info("outbox not ready yet at %s: %s", self._path, error)
            return None
        self._conn = conn
        return conn

    def read(self, after: int, limit: int) -> Sequence[SourceRecord]:
        conn = self._connection()
        if conn is None:
            return []
        rows = conn.execute(_SELECT, (after, limit)).fetchall()
        return [SourceRecord(position=int(p), envelope=str(e)) for p, e in rows]

    def wait_for_more(self, after: int, stop: threading.Event, timeout: float) -> None:
        conn = self._connection()
        if conn is None:
            stop.wait(min(timeout, 0.5))
            return
        seen = conn.execute("PRAGMA data_version").fetchone()[0]
        newest = conn.execute("SELECT max(position) FROM outbox").fetchone()[0]
        if newest is not None and int(newest) > after:
            return
        waited = 0.0
        while waited < timeout and not stop.wait(self._poll_interval):
            waited += self._poll_interval
            if conn.execute("PRAGMA data_version").fetchone()[0] != seen:
                return

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
