"""Publishing batches to RabbitMQ with pipelined publisher confirms, over one channel.

Why not ``BlockingChannel.confirm_delivery()``: it makes every ``basic_publish`` wait for
its own confirm, one round trip per message, which caps near 1,000 events/s. Here a whole
batch is written at once and the broker's acks (often ``multiple=True``, covering many
delivery tags) are matched to the batch as they arrive: the batch is the confirm window
(``confirms.py`` keeps its books).

pika's ``SelectConnection`` does that asynchronously, so the publisher owns an I/O thread
that runs its loop. Threads (ADR 065): every mutable field of the connection (channel,
delivery tags, the batch in flight, the first error) is confined to that thread, so pika's
callbacks need no lock. The relay thread only hands work over through the loop's
``add_callback_threadsafe`` and reads answers from thread-safe one-shot objects: a
``Future`` per batch, a ``Future`` for the outcome of connecting, an ``Event`` for "usable".
A hand-over can land in a loop that has already stopped (pika accepts it silently and never
runs it): the waiting thread then sees the I/O thread gone and counts the batch as lost.

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
from collections.abc import Callable, Iterator, Sequence
from concurrent import futures
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from typing import Any

import pika
from pika.adapters.select_connection import IOLoop
from pika.spec import Basic

from command_service.relay.confirms import BatchResult, ConfirmWindow
from command_service.relay.messages import OutboxMessage
from command_service.relay.spans import publish_span
from service_conventions.metrics.catalog import RELAY_CONFIRM_DURATION
from service_conventions.telemetry import tracing
from shared_domain.messaging import EXCHANGE

__all__ = [
    "BatchResult",  # re-exported: it used to live here
    "BrokerUnavailable",
    "ConfirmingPublisher",
    "ConnectionCallbacks",
    "InFlight",
    "OpenConnection",
    "select_connection",
]

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 10.0
CONFIRM_TIMEOUT_SECONDS = 30.0
"""A batch not fully confirmed by then is given up: the connection is closed and reopened."""
POLL_SECONDS = 0.05
"""How often a waiting thread checks that the I/O thread is still there to answer."""


class BrokerUnavailable(Exception):
    """The broker cannot be reached, refused the topology, or dropped the connection."""


@dataclass(frozen=True)
class ConnectionCallbacks:
    """What the connection calls on the I/O thread as it opens, fails to open, or closes."""

    on_open: Callable[[Any], None]
    on_open_error: Callable[[Any, BaseException], None]
    on_close: Callable[[Any, BaseException], None]


OpenConnection = Callable[[pika.URLParameters, Any, ConnectionCallbacks], Any]
"""Opens an asynchronous connection driven by the given I/O loop (a seam for tests)."""


def select_connection(
    parameters: pika.URLParameters, ioloop: Any, callbacks: ConnectionCallbacks
) -> Any:
    return pika.SelectConnection(
        parameters,
        on_open_callback=callbacks.on_open,
        on_open_error_callback=callbacks.on_open_error,
        on_close_callback=callbacks.on_close,
        custom_ioloop=ioloop,
    )


class InFlight:
    """A batch handed to the publisher's I/O thread."""

    def __init__(
        self,
        publisher: ConfirmingPublisher | None,
        messages: Sequence[OutboxMessage],
        answer: futures.Future[BatchResult],
    ) -> None:
        self._publisher = publisher
        self._messages = messages
        self._answer = answer
        self._started = time.perf_counter()

    @classmethod
    def known(cls, result: BatchResult) -> InFlight:
        """A batch whose result is known without asking the I/O thread."""
        answer: futures.Future[BatchResult] = futures.Future()
        answer.set_result(result)
        return cls(None, [], answer)

    def wait(self, timeout: float = CONFIRM_TIMEOUT_SECONDS) -> BatchResult:
        """Until every message is confirmed, failed or lost; after ``timeout`` the missing
        ones count as lost and the connection is closed (it is reopened by the caller)."""
        deadline = time.monotonic() + timeout
        while not self._answer.done():
            assert self._publisher is not None  # only a known answer has none, and it is done
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                log.warning("the broker confirmed no more within %.0fs; reconnecting", timeout)
                self._publisher.close()  # the I/O thread answers with what it knows
                break
            if not self._publisher.running:
                break  # the hand-over landed in a stopped loop: nobody will answer
            futures.wait([self._answer], min(remaining, POLL_SECONDS))
        _answer(self._answer, BatchResult.lost(self._messages))  # no-op once answered
        result = self._answer.result()
        if result.confirmed:  # one observation a batch: the batch is the confirm window
            RELAY_CONFIRM_DURATION.observe(time.perf_counter() - self._started)
        return result


class ConfirmingPublisher:
    """One AMQP connection and channel in confirm mode, driven by its own I/O thread."""

    def __init__(
        self,
        broker_url: str,
        exchange: str = EXCHANGE,
        *,
        connection_name: str | None = None,
        open_connection: OpenConnection = select_connection,
    ) -> None:
        self._url = broker_url
        self._exchange = exchange
        self.connection_name = connection_name or f"conference-relay-{uuid.uuid4().hex[:12]}"
        self._open_connection = open_connection
        # Shared between the threads, each safe to use from both.
        self._ioloop: Any = None
        """Created before the I/O thread starts; others only ``add_callback_threadsafe``."""
        self._thread: threading.Thread | None = None
        self._opened: futures.Future[None] = futures.Future()
        self._usable = threading.Event()
        # The I/O thread's own.
        self._connection: Any = None
        self._channel: Any = None
        self._error: BaseException | str | None = None
        self._next_tag = 0
        self._in_flight: tuple[ConfirmWindow, futures.Future[BatchResult]] | None = None

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
        return self._usable.is_set()

    @property
    def running(self) -> bool:
        """Whether the I/O thread is still there (it answers every batch it took)."""
        return self._thread is not None and self._thread.is_alive()

    def open(
        self, timeout: float = CONNECT_TIMEOUT_SECONDS, stop_event: threading.Event | None = None
    ) -> None:
        """Connect, turn confirms on and declare the exchange; ``stop_event`` cuts it short."""
        self._ioloop = IOLoop()
        self._thread = threading.Thread(target=self._run, name=self.connection_name, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._opened.result(timeout=0.1)
                return
            except BrokerUnavailable:
                self.close()
                raise
            except TimeoutError:
                pass
            if stop_event is not None and stop_event.is_set():
                self.close()
                raise BrokerUnavailable("stopped while connecting")
            if time.monotonic() > deadline:
                self.close()
                raise BrokerUnavailable(f"no answer from the broker within {timeout:.0f}s")

    def publish(
        self, messages: Sequence[OutboxMessage], timeout: float = CONFIRM_TIMEOUT_SECONDS
    ) -> BatchResult:
        """Publish ``messages`` in order and wait until each is confirmed, failed or lost."""
        return self.start(messages).wait(timeout)

    def start(self, messages: Sequence[OutboxMessage]) -> InFlight:
        """Hand ``messages`` to the I/O thread in order and return at once; ``wait`` on the
        answer for their confirms. One batch at a time: wait before starting the next."""
        if not messages:
            return InFlight.known(BatchResult([], [], []))
        if not self.is_open:
            return InFlight.known(BatchResult.lost(messages))
        answer: futures.Future[BatchResult] = futures.Future()
        try:
            self._ioloop.add_callback_threadsafe(partial(self._send, messages, answer))
        except Exception:  # a hand-over refused outright counts as lost, too
            return InFlight.known(BatchResult.lost(messages))
        return InFlight(self, messages, answer)

    def close(self, timeout: float = 5.0) -> None:
        thread = self._thread
        if thread is None or not thread.is_alive():
            return
        try:
            self._ioloop.add_callback_threadsafe(self._shut_down)
        except Exception:  # the loop is already gone
            log.debug("I/O loop already closed", exc_info=True)
        thread.join(timeout)

    # --- the I/O thread ------------------------------------------------------------------

    def _run(self) -> None:
        parameters = pika.URLParameters(self._url)
        parameters.client_properties = {"connection_name": self.connection_name}
        try:
            callbacks = ConnectionCallbacks(
                on_open=self._on_connection_open,
                on_open_error=self._on_connection_failed,
                on_close=self._on_connection_failed,
            )
            self._connection = self._open_connection(parameters, self._ioloop, callbacks)
            self._ioloop.start()
        except Exception as error:
            self._fail(error)
        finally:
            self._fail("the connection is closed")
            self._ioloop.close()

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
        if self._error is None:
            self._usable.set()
            self._opened.set_result(None)

    def _send(self, messages: Sequence[OutboxMessage], answer: futures.Future[BatchResult]) -> None:
        if self._error is not None or self._channel is None or not self._channel.is_open:
            _answer(answer, BatchResult.lost(messages))  # nothing sent
            return
        self._in_flight = (ConfirmWindow(messages, first_tag=self._next_tag + 1), answer)
        traced = tracing.enabled()  # once a batch: off, a message costs what it always did
        for message in messages:
            self._next_tag += 1  # delivery tags count publishes on the channel, from 1
            span = publish_span(message, self._exchange) if traced else None
            try:
                self._channel.basic_publish(
                    self._exchange,
                    message.routing_key,
                    message.body,
                    properties=message.properties(
                        None if span is None else tracing.traceparent_of(span)
                    ),
                    mandatory=True,
                )
            finally:
                if span is not None:
                    span.end()

    def _on_confirm(self, frame: Any) -> None:
        if self._in_flight is None:
            return
        window, answer = self._in_flight
        method = frame.method
        window.answered(
            method.delivery_tag, acked=isinstance(method, Basic.Ack), multiple=method.multiple
        )
        if window.settled:
            self._in_flight = None
            _answer(answer, window.result())

    def _on_return(self, _channel: Any, method: Any, properties: Any, _body: bytes) -> None:
        if self._in_flight is not None:
            window, _ = self._in_flight
            window.returned(properties.message_id, f"{method.reply_code} {method.reply_text}")

    def _on_channel_closed(self, _channel: Any, reason: BaseException) -> None:
        self._fail(reason)
        if self._connection.is_open:
            self._connection.close()

    def _on_connection_failed(self, _connection: Any, reason: BaseException) -> None:
        self._fail(reason)
        self._ioloop.stop()

    def _shut_down(self) -> None:
        self._fail("the publisher was closed")
        if self._connection is None:
            self._ioloop.stop()
        elif self._connection.is_open:
            self._connection.close()  # the close callback stops the loop
        elif not self._connection.is_closing:
            self._ioloop.stop()

    def _fail(self, reason: BaseException | str) -> None:
        """Record the first reason the publisher stopped working; answer whoever waits."""
        if self._error is None:
            self._error = reason
        self._usable.clear()
        if not self._opened.done():
            self._opened.set_exception(BrokerUnavailable(f"cannot publish: {_describe(reason)}"))
        if self._in_flight is not None:
            window, answer = self._in_flight
            self._in_flight = None
            _answer(answer, window.result())  # what is still unanswered counts as lost


def _answer(answer: futures.Future[BatchResult], result: BatchResult) -> None:
    """Answer a batch unless it is answered already: the first answer counts."""
    with suppress(futures.InvalidStateError):
        answer.set_result(result)


def _describe(error: BaseException | str | None) -> str:
    if isinstance(error, BaseException):
        return f"{type(error).__name__}: {error}".rstrip(": ")
    return str(error)
