"""Appending events to the transactional outbox.

Each event becomes one row holding its CloudEvents envelope as a JSON string, written in
the transaction that saves the aggregate (no dual write). The row's ``position`` orders the
log; consumers tail ``SELECT position, envelope FROM outbox WHERE position > ? ORDER BY
position``. The unique (aggregate type, id, version) is a second lock against lost updates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from command_service.adapters.tables import outbox
from command_service.errors import ConcurrencyConflict
from shared_domain.envelope import TraceContext, to_envelope
from shared_domain.events import DomainEvent


def append_to_outbox(
    connection: sa.Connection, events: Iterable[DomainEvent], trace: TraceContext
) -> None:
    rows = [
        {
            "event_id": event.event_id,
            "aggregate_type": event.aggregate_type,
            "aggregate_id": event.aggregate_id,
            "aggregate_version": event.aggregate_version,
            "event_type": event.event_type(),
            "envelope": json.dumps(to_envelope(event, trace), separators=(",", ":")),
            "recorded_at": datetime.now(UTC),
        }
        for event in events
    ]
    if not rows:
        return
    try:
        # One statement per row keeps positions in the order the events happened.
        for row in rows:
            connection.execute(sa.insert(outbox), row)
    except IntegrityError as error:
        raise ConcurrencyConflict(
            "another request recorded an event at the same aggregate version"
        ) from error
