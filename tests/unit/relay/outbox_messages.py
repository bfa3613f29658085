"""Outbox messages for the relay's unit tests (their positions are what results name)."""

from __future__ import annotations

from datetime import UTC, datetime

from command_service.relay.messages import OutboxMessage


def messages(*positions: int) -> list[OutboxMessage]:
    return [
        OutboxMessage(
            position=position,
            event_id=f"event-{position}",
            aggregate_type="conference",
            aggregate_id="c-1",
            aggregate_version=position,
            event_type="conference.conference.renamed.v1",
            envelope="{}",
            recorded_at=datetime(2026, 6, 1, tzinfo=UTC),
        )
        for position in positions
    ]
