"""Consume the projector's RabbitMQ queue: deliveries in, acks only after the store committed.

One ``BlockingConnection`` driven by the projector's own thread: deliveries are buffered by
the consume callback while the connection is pumped, handed out in batches, and settled
(ack, hold in the held queue, or park in the dead-letter queue) by the caller once it knows
their fate.
Nothing is acked on receipt: a crash or a dropped connection before the read-store write
committed makes the broker deliver the messages again, and the version guards turn what
was already applied into no-ops.

Delivery tags belong to one channel. After a reconnect the broker has requeued everything
that was unacked, so deliveries of an older connection (``epoch``) are forgotten, never
acked on the new one.

Holding a message (an event beyond a version gap, ADR 061) works the same way, to the
held queue, whose time-to-live sends it back to ours.

Parking a message: the consumer publishes it to the dead-letter exchange itself, on a
second channel with publisher confirms, with the reason in headers (``x-death-reason``,
``x-exception``, ``x-death-attempts``), and acks the original only after the broker
confirmed the copy. A crash in between leaves a duplicate in the dead-letter queue, never a
lost message; replaying a duplicate is a no-op. (A plain ``basic.reject`` would let the
broker dead-letter it, but the broker's ``x-death`` can say only "rejected", not why.)
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pika
from pika.exceptions import AMQPError, ConnectionWrongStateError

from query_service.consumers.rabbitmq_topology import ProjectorTopology

log = logging.getLogger(__name__)

DEATH_REASON = "x-death-reason"
DEATH_EXCEPTION = "x-exception"
DEATH_ATTEMPTS = "x-death-attempts"
DEATH_QUEUE = "x-death-queue"
DEATH_ROUTING_KEY = "x-original-routing-key"
DEATH_TIME = "x-dead-lettered-at"
REPLAY_COUNT = "x-replay-count"
HELD_REASON = "x-held-reason"
HELD_SINCE = "x-held-since"
HELD_COUNT = "x-held-count"
OWN_HEADERS = (DEATH_REASON, DEATH_EXCEPTION, DEATH_ATTEMPTS, DEATH_QUEUE, DEATH_TIME)
HELD_HEADERS = (HELD_REASON, HELD_SINCE, HELD_COUNT)

BrokerError = (AMQPError, ConnectionError, OSError)
"""What a lost or refused broker connection raises: reconnect with back-off."""


@dataclass(frozen=True)
class Delivery:
    epoch: int
    tag: int
    routing_key: str
    properties: Any
    body: bytes
    redelivered: bool

    @property
    def headers(self) -> dict[str, Any]:
        return dict(self.properties.headers or {})

    @property
    def was_held(self) -> bool:
        """It came back from the held queue (ADR 061)."""
        return HELD_COUNT in self.headers

    @property
    def text(self) -> str:
        """The body as text for decoding; bytes that are not UTF-8 make it not JSON."""
        return self.body.decode("utf-8", errors="replace")


class RabbitMqConsumer:
    def __init__(
        self,
        broker_url: str,
        topology: ProjectorTopology,
        *,
        prefetch: int = 1000,
        connection_name: str | None = None,
    ) -> None:
        self._url = broker_url
        self.topology = topology
        self._prefetch = prefetch
        self.connection_name = connection_name or f"conference-projector-{uuid.uuid4().hex[:12]}"
        self._connection: Any = None
        self._channel: Any = None
        self._publisher: Any = None
        self._buffer: list[Delivery] = []
        self._unsettled: set[int] = set()
        self.epoch = 0

    @property
    def is_open(self) -> bool:
        return bool(self._connection is not None and self._connection.is_open)

    @property
    def buffered(self) -> int:
        """Deliveries read off the socket and not yet taken by ``fetch``."""
        return len(self._buffer)

    @property
    def unsettled(self) -> int:
        """Deliveries received on this connection and not yet acked, parked or held."""
        return len(self._unsettled)

    @property
    def prefetch(self) -> int:
        """Unsettled deliveries at which the broker stops sending more."""
        return self._prefetch

    def buffered_deliveries(self, skip: int = 0) -> list[Delivery]:
        """Those deliveries but the first ``skip``, oldest first, for work that can start
        before ``fetch`` takes them."""
        return self._buffer[skip:]

    def connect(self) -> None:
        """Open, declare the topology, and start consuming with ``prefetch`` unacked."""
        self.close()
        parameters = pika.URLParameters(self._url)
        parameters.client_properties = {"connection_name": self.connection_name}
        self._connection = pika.BlockingConnection(parameters)
        self.epoch += 1
        self._buffer = []
        self._unsettled = set()
        self._channel = self._connection.channel()
        self.topology.declare(self._channel)
        self._channel.basic_qos(prefetch_count=self._prefetch)
        self._publisher = self._connection.channel()
        self._publisher.confirm_delivery()
        self._channel.basic_consume(self.topology.queue, self._on_message, auto_ack=False)
        log.info("consuming %s as %s", self.topology.queue, self.connection_name)

    def fetch(self, limit: int, wait: float, linger: float = 0.0) -> list[Delivery]:
        """Up to ``limit`` deliveries: the first to arrive within ``wait`` seconds (at once
        if some are buffered; an empty list after that), then whatever else arrives within
        ``linger`` seconds of it, until ``limit`` are at hand.

        Without the linger a batch holds what pika happened to have read off the socket at
        that instant (tens of deliveries while the broker streams hundreds), so the store
        is written in many small batches. The linger is bounded: one event arriving alone
        waits at most ``linger`` longer than it would without it."""
        self._connection.process_data_events(time_limit=0)
        deadline = time.monotonic() + wait
        while not self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            self._connection.process_data_events(time_limit=min(left, 0.05))
        if len(self._buffer) < limit and linger > 0:
            until = time.monotonic() + linger
            while len(self._buffer) < limit and (left := until - time.monotonic()) > 0:
                self._connection.process_data_events(time_limit=left)
        taken, self._buffer = self._buffer[:limit], self._buffer[limit:]
        return taken

    def pump(self, seconds: float) -> None:
        """Keep the connection serviced (heartbeats, buffering) while the caller waits."""
        self._connection.process_data_events(time_limit=max(seconds, 0))

    def pump_until_done(self, future: Future[Any], after_events: Callable[[], None]) -> None:
        """Service the connection (buffering deliveries) until ``future`` completes,
        calling ``after_events`` at once (for what is buffered already) and whenever
        something arrived. The future wakes the connection itself
        (``add_callback_threadsafe``), so the wait costs no polling."""
        connection = self._connection

        def wake(_: Future[Any]) -> None:
            with contextlib.suppress(ConnectionWrongStateError):  # closed: nothing to wake
                connection.add_callback_threadsafe(_nothing)

        future.add_done_callback(wake)
        after_events()
        while not future.done():
            connection.process_data_events(time_limit=None)
            after_events()

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        """Ack, with one ``multiple`` ack when no older delivery is still unsettled."""
        tags = self._current_tags(deliveries)
        if not tags:
            return
        self._unsettled.difference_update(tags)
        newest = max(tags)
        if not self._unsettled or min(self._unsettled) > newest:
            self._channel.basic_ack(newest, multiple=True)
            return
        for tag in sorted(tags):
            self._channel.basic_ack(tag)

    def dead_letter(
        self, delivery: Delivery, reason: str, *, exception: str = "", attempts: int = 1
    ) -> None:
        """Publish a copy with the reason to the dead-letter exchange, confirmed, then ack."""
        headers = {k: v for k, v in delivery.headers.items() if k not in OWN_HEADERS}
        headers.update(
            {
                DEATH_REASON: reason[:4000],
                DEATH_EXCEPTION: exception,
                DEATH_ATTEMPTS: attempts,
                DEATH_QUEUE: self.topology.queue,
                DEATH_TIME: datetime.now(UTC).isoformat(),
            }
        )
        headers.setdefault(DEATH_ROUTING_KEY, delivery.routing_key)  # replays keep the first
        self._forward(delivery, self.topology.dead_letter_exchange, delivery.routing_key, headers)

    def hold(self, delivery: Delivery, reason: str) -> None:
        """Publish a copy to the held queue, confirmed, then ack: the broker sends it back
        to our queue after ``held_seconds`` (ADR 061)."""
        headers = delivery.headers
        count = headers.get(HELD_COUNT, 0)
        headers.update(
            {
                HELD_REASON: reason[:4000],
                HELD_COUNT: (count if isinstance(count, int) else 0) + 1,
            }
        )
        headers.setdefault(HELD_SINCE, datetime.now(UTC).isoformat())
        self._forward(delivery, "", self.topology.held_queue, headers)

    def _forward(
        self, delivery: Delivery, exchange: str, routing_key: str, headers: dict[str, Any]
    ) -> None:
        if delivery.epoch != self.epoch:
            return  # the broker already requeued it; it will be decided again
        original = delivery.properties
        properties = pika.BasicProperties(
            content_type=original.content_type,
            delivery_mode=2,
            message_id=original.message_id,
            type=original.type,
            timestamp=original.timestamp,
            headers=headers,
        )
        self._publisher.basic_publish(
            exchange, routing_key, delivery.body, properties=properties, mandatory=True
        )
        self.ack([delivery])

    def close(self) -> None:
        connection, self._connection = self._connection, None
        self._channel = self._publisher = None
        self._buffer = []
        if connection is None or not connection.is_open:
            return
        try:
            connection.close()
        except BrokerError:
            log.debug("closing a broken connection", exc_info=True)

    def _current_tags(self, deliveries: Sequence[Delivery]) -> set[int]:
        return {d.tag for d in deliveries if d.epoch == self.epoch}

    def _on_message(self, _channel: Any, method: Any, properties: Any, body: bytes) -> None:
        self._unsettled.add(method.delivery_tag)
        self._buffer.append(
            Delivery(
                self.epoch,
                method.delivery_tag,
                method.routing_key,
                properties,
                body,
                bool(method.redelivered),
            )
        )


def _nothing() -> None:
    """A wake-up call: its only effect is that the connection processed an event."""
