"""Read the retained outbox of any command database (SQLite or PostgreSQL) by position.

This is the event log a rebuild replays, and where ``conference check --repair`` finds the
events of the aggregates it re-projects (``read_streams``). It is not a live transport on PostgreSQL
(positions there can commit out of order, ADR 020): live events travel through RabbitMQ,
and a rebuild ends with a catch-up pass after its switch-over, which the version marks
make safe to overlap with the live projectors.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from query_service.consumers.source import SourceRecord

_SELECT = sa.text(
    "SELECT position, envelope FROM outbox WHERE position > :after ORDER BY position LIMIT :limit"
)

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

    def read(self, after: int, limit: int) -> Sequence[SourceRecord]:
        with self._engine.connect() as connection:
            rows = connection.execute(_SELECT, {"after": after, "limit": limit}).all()
        return [SourceRecord(position=int(p), envelope=str(e)) for p, e in rows]

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
