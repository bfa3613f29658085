"""Publishing batches to RabbitMQ with pipelined publisher confirms, over one channel.

Why not ``BlockingChannel.confirm_delivery()``: it makes every ``basic_publish`` wait for
its own confirm, one round trip per message, which caps near 1,000 events/s. Here a whole
batch is written at once and the broker's acks (often ``multiple=True``, covering many
delivery tags) are matched to the batch as they arrive: the batch is the confirm window.

pika's ``SelectConnection`` does that asynchronously, so the publisher owns an I/O thread
that runs its loop; the relay thread hands a batch over with ``add_callback_threadsafe``
and waits for the batch's result. Nothing else touches the connection from outside.

A message counts as confirmed only if the broker acked it and did not return it: with
``mandatory=True`` an unroutable message comes back (``basic.return``, before its ack) and
is reported as failed, like a nack, so its row stays unpublished. Topology is the exchange
only, declared on every connect: queues and bindings belong to the consumers.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pika
from pika.spec import Basic

from command_service.relay.messages import OutboxMessage
from shared_domain.messaging import EXCHANGE

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 10.0
CONFIRM_TIMEOUT_SECONDS = 30.0
"""A batch not fully confirmed by then is given up: the connection is closed and reopened."""


class BrokerUnavailable(Exception):
    """The broker cannot be reached, refused the topology, or dropped the connection."""


@dataclass(frozen=True)
class BatchResult:
    confirmed: list[int]
    """Positions the broker acked and routed: safe to mark published."""
    failed: list[int]
    """Positions the broker returned (unroutable) or nacked."""
    unconfirmed: list[int]
    """Positions whose fate is unknown (connection lost, timeout): to be sent again."""
    returned_reasons: set[str] = field(default_factory=set)


class _Batch:
    """One batch in flight; written by the I/O thread, read once ``done`` is set."""

    def __init__(self, messages: Sequence[OutboxMessage]) -> None:
        self.messages = messages
        self.sent = False
        self.pending: dict[int, OutboxMessage] = {}
        self.floor = 0  # every tag below has been resolved
        self.returned: set[str] = set()
        self.returned_reasons: set[str] = set()
        self.confirmed: list[int] = []
        self.failed: list[int] = []
        self.done = threading.Event()

    def resolve(self, tag: int, acked: bool) -> None:
        message = self.pending.pop(tag, None)
        if message is None:
            return
        if acked and message.event_id not in self.returned:
            self.confirmed.append(message.position)
        else:
            self.failed.append(message.position)
        if not self.pending:
            self.done.set()

    def result(self) -> BatchResult:
        unsent = self.messages if not self.sent else self.pending.values()
        unconfirmed = sorted(message.position for message in unsent)
        return BatchResult(
            sorted(self.confirmed), sorted(self.failed), unconfirmed, set(self.returned_reasons)
        )


class InFlight:
    """A batch handed to the publisher's I/O thread."""

    def __init__(
        self, publisher: ConfirmingPublisher, batch: _Batch | None, known: BatchResult | None
    ) -> None:
        self._publisher = publisher
        self._batch = batch
        self._known = known

    def wait(self, timeout: float = CONFIRM_TIMEOUT_SECONDS) -> BatchResult:
        """Until every message is confirmed, failed or lost; after ``timeout`` the missing
        ones count as lost and the connection is closed (it is reopened by the caller)."""
        if self._batch is None:
            assert self._known is not None
            return self._known
        if not self._batch.done.wait(timeout):
            log.warning("the broker confirmed no more within %.0fs; reconnecting", timeout)
            self._publisher.close()
        return self._batch.result()


class ConfirmingPublisher:
    """One AMQP connection and channel in confirm mode, driven by its own I/O thread."""

    def __init__(
        self, broker_url: str, exchange: str = EXCHANGE, *, connection_name: str | None = None
    ) -> None:
        self._url = broker_url
        self._exchange = exchange
        self.connection_name = connection_name or f"conference-relay-{uuid.uuid4().hex[:12]}"
        self._connection: Any = None
        self._channel: Any = None
        self._thread: threading.Thread | None = None
        self._settled = threading.Event()  # ready, or failed before getting ready
        self._ready = False
        self._error: BaseException | str | None = None
        self._next_tag = 0
        self._batch: _Batch | None = None
        self._handed: _Batch | None = None
        """The batch last handed to the I/O thread, sent or not: released if it fails."""

    @classmethod
    @contextmanager
    def connect(
        cls,
        broker_url: str,
        exchange: str = EXCHANGE,
        *,
        connection_name: str | None = None,
        timeout: float = CONNECT_TIMEOUT_SECONDS,
        stop_event: threading.Event | None = None,
    ) -> Iterator[ConfirmingPublisher]:
        """An open publisher (exchange declared, confirms on), closed on exit."""
        publisher = cls(broker_url, exchange, connection_name=connection_name)
        try:
            publisher.open(timeout, stop_event)
            yield publisher
        finally:
            publisher.close()

    @property
    def is_open(self) -> bool:
        return self._ready and self._error is None

    def open(
        self, timeout: float = CONNECT_TIMEOUT_SECONDS, stop_event: threading.Event | None = None
    ) -> None:
        """Connect, turn confirms on and declare the exchange; ``stop_event`` cuts it short."""
        self._thread = threading.Thread(target=self._run, name=self.connection_name, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._settled.wait(0.1):
            if stop_event is not None and stop_event.is_set():
                self.close()
                raise BrokerUnavailable("stopped while connecting")
            if time.monotonic() > deadline:
                self.close()
                raise BrokerUnavailable(f"no answer from the broker within {timeout:.0f}s")
        if not self.is_open:
            self.close()
            raise BrokerUnavailable(f"cannot publish: {_describe(self._error)}")

    def publish(
        self, messages: Sequence[OutboxMessage], timeout: float = CONFIRM_TIMEOUT_SECONDS
    ) -> BatchResult:
        """Publish ``messages`` in order and wait until each is confirmed, failed or lost."""
        return self.start(messages).wait(timeout)

    def start(self, messages: Sequence[OutboxMessage]) -> InFlight:
        """Hand ``messages`` to the I/O thread in order and return at once; ``wait`` on the
        answer for their confirms. One batch at a time: wait before starting the next."""
        if not messages:
            return InFlight(self, None, BatchResult([], [], []))
        lost = BatchResult([], [], sorted(message.position for message in messages))
        if not self.is_open:
            return InFlight(self, None, lost)
        batch = self._handed = _Batch(messages)
        try:
            self._connection.ioloop.add_callback_threadsafe(lambda: self._send(batch))
        except Exception:  # a hand-over refused outright counts as lost, too
            return InFlight(self, None, lost)
        if self._error is not None:
            # The connection failed after ``is_open`` was read: its loop may have stopped
            # before running the hand-over, and must not leave us waiting for confirms.
            batch.done.set()
        return InFlight(self, batch, None)

    def close(self, timeout: float = 5.0) -> None:
        thread = self._thread
        if thread is None or not thread.is_alive():
            return
        try:
            self._connection.ioloop.add_callback_threadsafe(self._shut_down)
        except Exception:  # the loop is already gone
            log.debug("I/O loop already closed", exc_info=True)
        thread.join(timeout)

    # --- the I/O thread ------------------------------------------------------------------

    def _run(self) -> None:
        parameters = pika.URLParameters(self._url)
        parameters.client_properties = {"connection_name": self.connection_name}
        try:
            self._connection = pika.SelectConnection(
                parameters,
                on_open_callback=self._on_connection_open,
                on_open_error_callback=self._on_connection_failed,
                on_close_callback=self._on_connection_failed,
            )
            self._connection.ioloop.start()
        except Exception as error:
            self._fail(error)
        finally:
            self._fail("the connection is closed")
            if self._connection is not None:
                self._connection.ioloop.close()

    def _on_connection_open(self, connection: Any) -> None:
        connection.channel(on_open_callback=self._on_channel_open)

    def _on_channel_open(self, channel: Any) -> None:
        self._channel = channel
        channel.add_on_close_callback(self._on_channel_closed)
        channel.add_on_return_callback(self._on_return)
        channel.confirm_delivery(self._on_confirm, callback=self._on_confirm_mode)

    def _on_confirm_mode(self, _frame: Any) -> None:
        self._channel.exchange_declare(
            self._exchange, exchange_type="topic", durable=True, callback=self._on_declared
        )

    def _on_declared(self, _frame: Any) -> None:
        self._ready = True
        self._settled.set()

    def _send(self, batch: _Batch) -> None:
        if self._error is not None or self._channel is None or not self._channel.is_open:
            batch.done.set()  # nothing sent: all of it unconfirmed
            return
        self._batch = batch
        batch.sent = True
        batch.floor = self._next_tag + 1
        for message in batch.messages:
            self._next_tag += 1  # delivery tags count publishes on the channel, from 1
            batch.pending[self._next_tag] = message
            self._channel.basic_publish(
                self._exchange,
                message.routing_key,
                message.body,
                properties=message.properties(),
                mandatory=True,
            )

    def _on_confirm(self, frame: Any) -> None:
        batch = self._batch
        if batch is None:
            return
        method = frame.method
        acked = isinstance(method, Basic.Ack)
        if method.multiple:
            for tag in range(batch.floor, method.delivery_tag + 1):
                batch.resolve(tag, acked)
            batch.floor = max(batch.floor, method.delivery_tag + 1)
        else:
            batch.resolve(method.delivery_tag, acked)

    def _on_return(self, _channel: Any, method: Any, properties: Any, _body: bytes) -> None:
        if self._batch is not None:
            self._batch.returned.add(properties.message_id)
            self._batch.returned_reasons.add(f"{method.reply_code} {method.reply_text}")

    def _on_channel_closed(self, _channel: Any, reason: BaseException) -> None:
        self._fail(reason)
        if self._connection.is_open:
            self._connection.close()

    def _on_connection_failed(self, _connection: Any, reason: BaseException) -> None:
        self._fail(reason)
        self._connection.ioloop.stop()

    def _shut_down(self) -> None:
        self._fail("the publisher was closed")
        if self._connection.is_open:
            self._connection.close()  # the close callback stops the loop
        elif not self._connection.is_closing:
            self._connection.ioloop.stop()

    def _fail(self, reason: BaseException | str) -> None:
        """Record the first reason the publisher stopped working; release any waiter."""
        if self._error is None:
            self._error = reason
        self._settled.set()
        for batch in (self._batch, self._handed):
            if batch is not None:
                batch.done.set()


def _describe(error: BaseException | str | None) -> str:
    if isinstance(error, BaseException):
        return f"{type(error).__name__}: {error}".rstrip(": ")
    return str(error)
