"""Forget idempotency keys older than their retention window.

A key protects retries of one request; clients retry within minutes, so keeping answers
forever only grows the table. Like Stripe's 24 hours, the default window is a day: a retry
after that is a new request. Run it from cron or a scheduled job (`conference
prune-idempotency-keys`); it deletes in small batches so it never holds long locks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from command_service.adapters.engine import create_engine_for
from command_service.adapters.tables import idempotency_keys

DEFAULT_RETENTION = timedelta(hours=24)
BATCH = 1000


def prune_idempotency_keys(
    database_url: str,
    older_than: timedelta = DEFAULT_RETENTION,
    progress: Callable[[int], None] = lambda deleted: None,
) -> int:
    """Delete keys recorded before ``now - older_than``; the number deleted."""
    cutoff = datetime.now(UTC) - older_than
    engine = create_engine_for(database_url, pool_size=1, max_overflow=0)
    deleted = 0
    try:
        while True:
            with engine.begin() as connection:
                batch = sa.select(idempotency_keys.c.key).where(
                    idempotency_keys.c.created_at < cutoff
                )
                keys = connection.execute(batch.limit(BATCH)).scalars().all()
                if not keys:
                    return deleted
                connection.execute(
                    sa.delete(idempotency_keys).where(idempotency_keys.c.key.in_(keys))
                )
            deleted += len(keys)
            progress(deleted)
    finally:
        engine.dispose()
