"""An outbox row as the broker sees it: body, routing key and AMQP properties.

The body is the stored CloudEvents JSON, sent byte for byte (the relay never re-encodes
what the write side recorded). Properties repeat what consumers need before parsing it:
``message_id`` is the event id (deduplication), the headers carry the aggregate's type, id
and version (ordering guards, partitioning) and, with tracing on, the ``traceparent`` of
the publish span, and ``delivery_mode=2`` makes the message
survive a broker restart once it sits in a durable queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pika

from service_conventions.telemetry.tracing import TRACEPARENT
from shared_domain.messaging import CONTENT_TYPE, routing_key

PERSISTENT = 2
"""AMQP ``delivery_mode`` of a message written to disk by the broker."""


@dataclass(frozen=True)
class OutboxMessage:
    position: int
    event_id: str
    aggregate_type: str
    aggregate_id: str
    aggregate_version: int
    event_type: str
    envelope: str
    recorded_at: datetime

    @property
    def routing_key(self) -> str:
        # The ``event_type`` column holds the envelope's ``type``: no need to parse the JSON.
        return routing_key({"type": self.event_type})

    @property
    def body(self) -> bytes:
        return self.envelope.encode("utf-8")

    def properties(self, traceparent: str | None = None) -> pika.BasicProperties:
        """``traceparent``: the relay's publish span, for the consumer to continue."""
        headers: dict[str, str | int] = {
            "aggregatetype": self.aggregate_type,
            "aggregateid": self.aggregate_id,
            "aggregateversion": self.aggregate_version,
        }
        if traceparent is not None:
            headers[TRACEPARENT] = traceparent
        return pika.BasicProperties(
            content_type=CONTENT_TYPE,
            delivery_mode=PERSISTENT,
            message_id=self.event_id,
            type=self.event_type,
            timestamp=int(_aware(self.recorded_at).timestamp()),
            headers=headers,
        )


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the outbox records them in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
