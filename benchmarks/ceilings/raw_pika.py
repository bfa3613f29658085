"""The ceiling of the relay: publish the same messages with plain pika, pipelined confirms.

One ``SelectConnection``, one channel in confirm mode, and a sliding window of messages in
flight: the loop publishes until ``window`` messages are unconfirmed, and every ack (often
``multiple=True``) frees room for more. No database, no claiming, no marking: what is left
is pika's framing, the socket and the broker's own work (routing, persisting to the queue,
confirming), i.e. what any relay on this machine could reach at best.

Blocking alternatives would not be a ceiling: ``BlockingChannel.confirm_delivery()`` waits
for each message's confirm before the next publish (one round trip per message).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pika
from pika.spec import Basic

DEFAULT_WINDOW = 1000


@dataclass(frozen=True)
class RawMessage:
    routing_key: str
    body: bytes
    properties: pika.BasicProperties


@dataclass(frozen=True)
class PublishResult:
    confirmed: int
    nacked: int
    seconds: float
    """From the first publish to the last confirm (connecting is not counted)."""


class _WindowedPublisher:
    """Runs on pika's I/O loop only; ``run`` returns once every message is settled."""

    def __init__(
        self, url: str, exchange: str, messages: Sequence[RawMessage], window: int
    ) -> None:
        self._parameters = pika.URLParameters(url)
        self._exchange = exchange
        self._messages = messages
        self._window = window
        self._channel: Any = None
        self._connection: Any = None
        self._sent = 0
        self._outstanding: set[int] = set()
        self._lowest = 1  # no tag below this one is outstanding
        self._confirmed = 0
        self._nacked = 0
        self._started = 0.0
        self._finished = 0.0
        self._error: BaseException | None = None

    def run(self) -> PublishResult:
        self._connection = pika.SelectConnection(
            self._parameters,
            on_open_callback=lambda connection: connection.channel(
                on_open_callback=self._on_channel
            ),
            on_open_error_callback=self._on_failure,
            on_close_callback=self._on_failure,
        )
        self._connection.ioloop.start()
        if self._confirmed + self._nacked < len(self._messages):
            raise RuntimeError(f"raw pika publishing failed: {self._error}")
        return PublishResult(self._confirmed, self._nacked, self._finished - self._started)

    def _on_channel(self, channel: Any) -> None:
        self._channel = channel
        channel.confirm_delivery(self._on_confirm, callback=self._on_confirm_mode)

    def _on_confirm_mode(self, _frame: Any) -> None:
        self._started = time.perf_counter()
        self._fill_window()

    def _fill_window(self) -> None:
        while self._sent < len(self._messages) and len(self._outstanding) < self._window:
            message = self._messages[self._sent]
            self._channel.basic_publish(
                self._exchange, message.routing_key, message.body, message.properties
            )
            self._sent += 1  # delivery tags count publishes on the channel, from 1
            self._outstanding.add(self._sent)

    def _on_confirm(self, frame: Any) -> None:
        method = frame.method
        tags = (
            range(self._lowest, method.delivery_tag + 1)
            if method.multiple
            else (method.delivery_tag,)
        )
        settled = 0
        for tag in tags:
            if tag in self._outstanding:
                self._outstanding.remove(tag)
                settled += 1
        if method.multiple:
            self._lowest = max(self._lowest, method.delivery_tag + 1)
        if isinstance(method, Basic.Ack):
            self._confirmed += settled
        else:
            self._nacked += settled
        if self._confirmed + self._nacked >= len(self._messages):
            self._finished = time.perf_counter()
            self._connection.close()
            return
        self._fill_window()

    def _on_failure(self, _connection: Any, reason: BaseException) -> None:
        self._error = reason
        self._connection.ioloop.stop()


def publish_with_confirms(
    url: str, exchange: str, messages: Sequence[RawMessage], *, window: int = DEFAULT_WINDOW
) -> PublishResult:
    """Publish ``messages`` to ``exchange`` in order, at most ``window`` unconfirmed."""
    if not messages:
        return PublishResult(0, 0, 0.0)
    return _WindowedPublisher(url, exchange, messages, window).run()
