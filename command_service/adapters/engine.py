"""The engine factory: the one place that knows SQL dialect specifics.

SQLite (the embedded default) gets WAL, a busy timeout and ``BEGIN IMMEDIATE``: writers then
serialize on the database lock, so rules that span aggregates (a speaker booked twice) see
every committed write, and outbox positions commit in the order they were assigned, which
is what lets the projector tail ``outbox`` by position. PostgreSQL (through psycopg 3) gets
a bounded pool at READ COMMITTED, pre-pinged unless the caller recovers from a dropped
connection itself (the command API's unit of work does, ADR 077); there, correctness rests
on version checks and on the conference row lock (``SELECT … FOR UPDATE``, ADR 041).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url

from service_conventions.database_url import normalize_database_url

SQLITE_BUSY_TIMEOUT_SECONDS = 10.0
POOL_SIZE = 10
MAX_OVERFLOW = 10
POOL_RECYCLE_SECONDS = 1800
"""Recycle server connections before typical load-balancer or firewall idle cut-offs."""
CONNECT_TIMEOUT_SECONDS = 5


def create_engine_for(
    database_url: str,
    *,
    pool_size: int = POOL_SIZE,
    max_overflow: int = MAX_OVERFLOW,
    pre_ping: bool = True,
) -> Engine:
    """Build an engine for ``database_url`` with the settings this service relies on.

    ``pool_size``/``max_overflow`` bound the PostgreSQL connections one process holds
    (SQLite ignores them: one file, one writer at a time). ``pre_ping=False`` saves a round
    trip per checkout for a caller that retries on ``connection_invalidated`` errors.
    """
    database_url = normalize_database_url(database_url)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(database_url)
    return create_engine(
        database_url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=pre_ping,  # a server restart costs one ping, not a failed command
        pool_recycle=POOL_RECYCLE_SECONDS,
        isolation_level="READ COMMITTED",  # explicit: ADR 041 relies on it
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


def _sqlite_engine(database_url: str) -> Engine:
    engine = create_engine(
        database_url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        # Take the write lock up front: a transaction never reads stale rows it then writes.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
