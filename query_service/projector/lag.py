"""How far behind the newest committed event the read models are, and how many events are
parked: the projector's gauges, measured by its metrics port before a scrape (throttled to
one measurement every few seconds), never per event.

Definitions (ADR 071), per projector replica:

- ``conference_projector_lag_events``: committed events the read models do not reflect yet.
  Outbox tail: the newest outbox position minus the checkpoint. RabbitMQ: the messages ready
  in the projector's queue and in its held queue (a passive declare of each) plus the
  deliveries this replica holds unacknowledged. 0 when caught up.
- ``conference_projector_lag_seconds``: 0 when the lag in events is 0; otherwise the age of
  the oldest committed event not yet applied. Outbox tail: now minus ``recorded_at`` of the
  first row after the checkpoint. RabbitMQ: now minus the ``occurred_at`` of the oldest event
  of the batch this replica is working on (the queue cannot be peeked; its head is at most
  that old); before the first delivery after a start it is unknown and 0.
- ``conference_dead_letters``: parked events waiting for an operator: the dead letters in
  the read store (outbox tail) or the messages in the dead-letter queue (RabbitMQ).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pika

from query_service.consumers.rabbitmq_topology import ProjectorTopology
from query_service.read_store.port import ProjectionStore
from service_conventions.metrics.catalog import (
    DEAD_LETTERS,
    PROJECTOR_LAG_EVENTS,
    PROJECTOR_LAG_SECONDS,
)

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def age_seconds(moment: str | datetime | None, now: datetime) -> float:
    """Seconds from an ISO timestamp (or datetime; naive is UTC) to ``now``; 0 if unknown."""
    if moment is None:
        return 0.0
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (now - when).total_seconds())


def publish(lag_events: int, oldest: str | datetime | None, dead: int, now: datetime) -> None:
    """Set the three gauges; the age is 0 whenever nothing lags."""
    PROJECTOR_LAG_EVENTS.set(lag_events)
    PROJECTOR_LAG_SECONDS.set(age_seconds(oldest, now) if lag_events > 0 else 0.0)
    DEAD_LETTERS.set(dead)


class Checkpointed(Protocol):
    @property
    def checkpoint_seen(self) -> int: ...


class TailLag:
    """The outbox tail's lag: two indexed lookups on the outbox, one count of dead letters."""

    def __init__(
        self,
        outbox: Path,
        projector: Checkpointed,
        store: ProjectionStore,
        clock: Clock = _utc_now,
    ) -> None:
        self._outbox = outbox
        self._projector = projector
        self._store = store
        self._clock = clock

    def refresh(self) -> None:
        checkpoint = self._projector.checkpoint_seen
        uri = f"file:{self._outbox.resolve()}?mode=ro"
        with sqlite3.connect(uri, uri=True) as conn:
            newest = conn.execute("SELECT max(position) FROM outbox").fetchone()[0] or 0
            first = conn.execute(
                "SELECT recorded_at FROM outbox WHERE position > ? ORDER BY position LIMIT 1",
                (checkpoint,),
            ).fetchone()
        conn.close()
        publish(
            max(0, int(newest) - checkpoint),
            first[0] if first else None,
            len(self._store.dead_letters()),
            self._clock(),
        )


class InHand(Protocol):
    @property
    def unsettled(self) -> int:
        """Deliveries this replica holds unacknowledged."""

    @property
    def oldest_in_hand(self) -> str | None:
        """``occurred_at`` of the oldest event of the batch being worked on."""


class BrokerLag:
    """The RabbitMQ projector's lag: a passive declare of its three queues on a connection
    of its own (never the consumer's: pika connections are not thread-safe)."""

    def __init__(
        self,
        broker_url: str,
        topology: ProjectorTopology,
        projector: InHand,
        clock: Clock = _utc_now,
    ) -> None:
        parameters = pika.URLParameters(broker_url)
        parameters.heartbeat = 0  # used only between scrapes: no heartbeats to miss
        parameters.client_properties = {"connection_name": "conference-projector-lag"}
        self._parameters = parameters
        self._topology = topology
        self._projector = projector
        self._clock = clock
        self._connection: Any = None
        self._channel: Any = None

    def _depth(self, queue: str) -> int:
        if self._channel is None or not self._channel.is_open:
            self.close()
            self._connection = pika.BlockingConnection(self._parameters)
            self._channel = self._connection.channel()
        frame = self._channel.queue_declare(queue, passive=True)
        return int(frame.method.message_count)

    def refresh(self) -> None:
        try:
            waiting = self._depth(self._topology.queue) + self._depth(self._topology.held_queue)
            dead = self._depth(self._topology.dead_letter_queue)
        except Exception:
            self.close()  # the next scrape reconnects; this one keeps the last values
            raise
        publish(
            waiting + self._projector.unsettled,
            self._projector.oldest_in_hand,
            dead,
            self._clock(),
        )

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            with contextlib.suppress(Exception):  # already gone
                connection.close()
