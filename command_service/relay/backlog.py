"""The outbox backlog on the relay's gauges: one aggregate query per scrape (throttled by
the metrics port), never a query per event.

``conference_outbox_unpublished`` counts the rows not yet confirmed by the broker and
``conference_outbox_oldest_unpublished_age_seconds`` is the age of the oldest of them (0 when
the outbox is drained). The partial index ``ix_outbox_unpublished`` keeps the query to the
unpublished rows.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from command_service.adapters.tables import outbox
from service_conventions.metrics.catalog import (
    OUTBOX_OLDEST_UNPUBLISHED_AGE,
    OUTBOX_UNPUBLISHED,
)

_BACKLOG = sa.select(sa.func.count(), sa.func.min(outbox.c.recorded_at)).where(
    outbox.c.published_at.is_(None)
)


def outbox_backlog(engine: sa.Engine, now: datetime | None = None) -> tuple[int, float]:
    """How many rows are unpublished, and how old the oldest is in seconds (0 if none)."""
    with engine.connect() as connection:
        count, oldest = connection.execute(_BACKLOG).one()
    if oldest is None:
        return int(count), 0.0
    if oldest.tzinfo is None:  # SQLite hands back naive UTC
        oldest = oldest.replace(tzinfo=UTC)
    age = ((now or datetime.now(UTC)) - oldest).total_seconds()
    return int(count), max(0.0, age)


def refresh_backlog_gauges(engine: sa.Engine) -> None:
    count, age = outbox_backlog(engine)
    OUTBOX_UNPUBLISHED.set(count)
    OUTBOX_OLDEST_UNPUBLISHED_AGE.set(age)
