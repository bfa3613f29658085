"""How far the outbox is ahead of its consumers, for ``conference status``.

Two questions, one indexed query each: what the relay has not published yet (the partial
index ``ix_outbox_unpublished``; the distributed shape), and what lies beyond a position
(the primary key; the embedded shape, whose projector tails the outbox to a checkpoint).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from command_service.adapters.engine import create_engine_for
from command_service.adapters.tables import outbox


@dataclass(frozen=True)
class OutboxSpan:
    events: int
    oldest_recorded_at: datetime | None
    """None when ``events`` is 0."""

    def oldest_age_seconds(self, now: datetime) -> float:
        """0 when there is nothing in the span."""
        if self.oldest_recorded_at is None:
            return 0.0
        return max(0.0, (now - self.oldest_recorded_at).total_seconds())


class OutboxStats:
    def __init__(self, database_url: str) -> None:
        self._engine = create_engine_for(database_url, pool_size=1, max_overflow=0)

    def last_position(self) -> int:
        """The newest event's position (0 for an empty outbox)."""
        return int(self._one(sa.select(sa.func.coalesce(sa.func.max(outbox.c.position), 0)))[0])

    def unpublished(self) -> OutboxSpan:
        return self._span(outbox.c.published_at.is_(None))

    def after(self, position: int) -> OutboxSpan:
        return self._span(outbox.c.position > position)

    def close(self) -> None:
        self._engine.dispose()

    def _span(self, where: sa.ColumnElement[bool]) -> OutboxSpan:
        count, oldest = self._one(
            sa.select(sa.func.count(), sa.func.min(outbox.c.recorded_at)).where(where)
        )
        return OutboxSpan(int(count), _aware(oldest))

    def _one(self, query: sa.Select[*tuple[Any, ...]]) -> tuple[Any, ...]:
        with self._engine.connect() as connection:
            return tuple(connection.execute(query).one())


def _aware(moment: object) -> datetime | None:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    if moment is None:
        return None
    assert isinstance(moment, datetime)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
