"""Waiting for new outbox rows without sleeping through them.

PostgreSQL: the relay LISTENs on channel ``outbox``, which a trigger notifies whenever a
transaction inserts outbox rows (migration 0002; delivered on commit). A relay that found
nothing to publish blocks on that connection until a notification or a short timeout
(a safety net: a notification can be lost with its connection). The listener connection is
its own, outside the pool; if it drops, it is reopened, and the first wait after that
returns at once, because rows may have been committed while nobody listened.

SQLite has no notifications: the relay polls every few milliseconds.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

import psycopg
from sqlalchemy import make_url

from service_conventions.database_url import libpq_conninfo, normalize_database_url

log = logging.getLogger(__name__)

CHANNEL = "outbox"
"""The channel migration 0002's trigger notifies."""
LISTEN_TIMEOUT_SECONDS = 0.5
POLL_INTERVAL_SECONDS = 0.015


class Wakeup(Protocol):
    def wait(self) -> None:
        """Return when new rows may be there (or after a short while anyway)."""

    def close(self) -> None: ...


class PostgresNotifications:
    def __init__(self, database_url: str, stop_event: threading.Event) -> None:
        self._conninfo = libpq_conninfo(database_url)
        self._stop = stop_event
        self._connection: psycopg.Connection[tuple[object, ...]] | None = None

    def listen(self) -> None:
        """Start listening; call before the first look at the outbox, so nothing slips by."""
        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5)
            self._connection.execute(f"LISTEN {CHANNEL}")

    def wait(self) -> None:
        try:
            if self._connection is None or self._connection.closed:
                self.listen()
                return  # rows may have been committed while nobody was listening
            for _ in self._connection.notifies(timeout=LISTEN_TIMEOUT_SECONDS, stop_after=1):
                pass
        except psycopg.Error as error:
            log.warning("outbox notifications interrupted (%s); polling until they are back", error)
            self.close()
            self._stop.wait(LISTEN_TIMEOUT_SECONDS)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class Polling:
    def __init__(self, stop_event: threading.Event) -> None:
        self._stop = stop_event

    def wait(self) -> None:
        self._stop.wait(POLL_INTERVAL_SECONDS)

    def close(self) -> None:
        return None


def wakeup_for(database_url: str, stop_event: threading.Event) -> Wakeup:
    """Notifications where the database has them, polling elsewhere."""
    if make_url(normalize_database_url(database_url)).get_backend_name() == "postgresql":
        notifications = PostgresNotifications(database_url, stop_event)
        try:
            notifications.listen()
        except psycopg.Error as error:
            log.warning("cannot LISTEN for outbox rows yet (%s); will retry", error)
        return notifications
    return Polling(stop_event)
