"""Read the retained outbox of any command database (SQLite or PostgreSQL) by position.

This is the event log a rebuild replays, and where ``conference check --repair`` finds the
events of the aggregates it re-projects (``read_streams``). It is not a live transport on
PostgreSQL: live events travel through RabbitMQ, and a rebuild ends with a catch-up pass after its
switch-over, which the version marks make safe to overlap with the live projectors.

Positions on PostgreSQL commit out of order (ADR 020), so ``read`` never goes beyond the
position horizon (``position_horizon.py``, ADR 081): a row still open below it cannot be
passed, and ``settled_position`` tells a catch-up when everything taken before it is final.
SQLite has one writer, so its positions commit in order and the end of the log is final.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from query_service.consumers.position_horizon import PositionHorizon
from query_service.consumers.source import SourceRecord

_SELECT = sa.text(
    "SELECT position, envelope FROM outbox WHERE position > :after AND position <= :upto "
    "ORDER BY position LIMIT :limit"
)
_COUNT = sa.text("SELECT count(*) FROM outbox")
_NEWEST = sa.text("SELECT coalesce(max(position), 0) FROM outbox")
_LAST_TAKEN = sa.text(
    "SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('outbox', 'position')), 0)"
)
"""The last position the sequence handed out, committed or not (read before the snapshot)."""
_NEW_TRANSACTION_ID = sa.text("SELECT pg_current_xact_id()::text")
"""An id newer than every transaction's that took a position before (committed at once)."""
_XMIN = sa.text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")

_OUTBOX = sa.table(
    "outbox",
    sa.column("position"),
    sa.column("envelope"),
    sa.column("aggregate_type"),
    sa.column("aggregate_id"),
)


class OutboxLog:
    def __init__(self, database_url: str) -> None:
        self._engine = sa.create_engine(database_url, pool_size=1, max_overflow=0)
        self._horizon = PositionHorizon() if self._engine.dialect.name == "postgresql" else None

    def read(self, after: int, limit: int) -> Sequence[SourceRecord]:
        """Up to ``limit`` records after ``after``, none beyond the position horizon."""
        with self._engine.connect() as connection:
            upto = self._settled(connection)
            if upto <= after:
                return []
            parameters = {"after": after, "upto": upto, "limit": limit}
            rows = connection.execute(_SELECT, parameters).all()
        return [SourceRecord(position=int(p), envelope=str(e)) for p, e in rows]

    def count(self) -> int:
        """How many events the log holds (a rebuild's progress measures against it)."""
        with self._engine.connect() as connection:
            return int(connection.execute(_COUNT).scalar_one())

    def last_position(self) -> int:
        """The newest position taken so far, whether or not its transaction committed."""
        with self._engine.connect() as connection:
            if self._horizon is None:
                return int(connection.execute(_NEWEST).scalar_one())
            return int(connection.execute(_LAST_TAKEN).scalar_one())

    def settled_position(self) -> int:
        """Every position up to this one is final: no transaction can still commit one."""
        with self._engine.connect() as connection:
            return self._settled(connection)

    def _settled(self, connection: sa.Connection) -> int:
        if self._horizon is None:  # one writer: what is committed is all there will be
            return int(connection.execute(_NEWEST).scalar_one())
        last = int(connection.execute(_LAST_TAKEN).scalar_one())
        bound = int(connection.execute(_NEW_TRANSACTION_ID).scalar_one())
        connection.commit()
        xmin = int(connection.execute(_XMIN).scalar_one())
        return self._horizon.observe(last, bound, xmin)

    def read_streams(self, streams: Iterable[str]) -> list[SourceRecord]:
        """Every event of the given streams (``<aggregate type>/<aggregate id>``), in
        position order (per stream that is version order). The unique key on (type, id,
        version) is the index this reads by."""
        wanted = [stream.split("/", 1) for stream in sorted(set(streams))]
        if not wanted:
            return []
        query = (
            sa.select(_OUTBOX.c.position, _OUTBOX.c.envelope)
            .where(
                sa.or_(
                    *(
                        sa.and_(_OUTBOX.c.aggregate_type == kind, _OUTBOX.c.aggregate_id == key)
                        for kind, key in wanted
                    )
                )
            )
            .order_by(_OUTBOX.c.position)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [SourceRecord(position=int(p), envelope=str(e)) for p, e in rows]

    def wait_for_more(self, after: int, stop: threading.Event, timeout: float) -> None:
        """A replay stops at the end of the log; it never waits for more."""

    def close(self) -> None:
        self._engine.dispose()
