"""A broker played on the publisher's own I/O loop: pika's connection and channel, faked.

The publisher drives a real pika ``IOLoop`` on its I/O thread; this fake plugs in where
``pika.SelectConnection`` would and answers through that loop, never from the test's thread:
every broker move (ack, nack, return, a dropped connection) is handed over with
``add_callback_threadsafe``, exactly as network events would arrive.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pika
from pika.spec import Basic

from command_service.relay.publisher import ConnectionCallbacks


@dataclass(frozen=True)
class Published:
    delivery_tag: int
    routing_key: str
    properties: Any
    mandatory: bool
    thread: str


class FakeBroker:
    """Pass as ``open_connection``; then script the broker's answers from the test."""

    def __init__(self, *, refuse_exchange: bool = False, fail_to_connect: bool = False) -> None:
        self.refuse_exchange = refuse_exchange
        self.fail_to_connect = fail_to_connect
        self.published: list[Published] = []
        self._published_changed = threading.Condition()
        self._loop: Any = None
        self._channel: FakeChannel | None = None
        self.connection: FakeConnection | None = None

    def __call__(
        self, parameters: pika.URLParameters, ioloop: Any, callbacks: ConnectionCallbacks
    ) -> FakeConnection:
        self._loop = ioloop
        self.connection = FakeConnection(self, ioloop, callbacks)
        return self.connection

    # --- what the test does (from its own thread) ----------------------------------------

    def wait_published(self, count: int, timeout: float = 5.0) -> list[Published]:
        with self._published_changed:
            if not self._published_changed.wait_for(lambda: len(self.published) >= count, timeout):
                raise AssertionError(f"published {len(self.published)}, expected {count}")
            return list(self.published)

    def ack(self, delivery_tag: int, *, multiple: bool = False) -> None:
        self._confirm(Basic.Ack(delivery_tag=delivery_tag, multiple=multiple))

    def nack(self, delivery_tag: int, *, multiple: bool = False) -> None:
        self._confirm(Basic.Nack(delivery_tag=delivery_tag, multiple=multiple))

    def return_unroutable(self, delivery_tag: int) -> None:
        """``basic.return`` of the message with this tag (it comes before its ack)."""
        message = self.published[delivery_tag - 1]
        method = Basic.Return(
            reply_code=312, reply_text="NO_ROUTE", exchange="x", routing_key=message.routing_key
        )
        self._on_io_thread(
            lambda: self._open_channel().on_return(
                self._open_channel(), method, message.properties, b""
            )
        )

    def sync(self, timeout: float = 5.0) -> None:
        """Wait until the I/O loop has run every move handed over before this one."""
        reached = threading.Event()
        self._on_io_thread(reached.set)
        assert reached.wait(timeout), "the I/O loop is not running"

    def drop_connection(self) -> None:
        """The broker closes the connection (as ``rabbitmqctl close_connection`` does)."""
        self._on_io_thread(lambda: self._connected().lose("CONNECTION_FORCED"))

    # --- what the fake does on the I/O thread --------------------------------------------

    def _confirm(self, method: Any) -> None:
        frame = SimpleNamespace(method=method)
        self._on_io_thread(lambda: self._open_channel().on_confirm(frame))

    def _on_io_thread(self, move: Callable[[], None]) -> None:
        self._loop.add_callback_threadsafe(move)

    def _open_channel(self) -> FakeChannel:
        assert self._channel is not None
        return self._channel

    def _connected(self) -> FakeConnection:
        assert self.connection is not None
        return self.connection

    def record(self, published: Published) -> None:
        with self._published_changed:
            self.published.append(published)
            self._published_changed.notify_all()

    def channel_opened(self, channel: FakeChannel) -> None:
        self._channel = channel


class FakeConnection:
    def __init__(
        self,
        broker: FakeBroker,
        loop: Any,
        callbacks: ConnectionCallbacks,
    ) -> None:
        self._broker = broker
        self._loop = loop
        self._on_close = callbacks.on_close
        self.is_open = False
        self.is_closing = False
        self.channel_object: FakeChannel | None = None
        if broker.fail_to_connect:
            loop.add_callback_threadsafe(
                lambda: callbacks.on_open_error(self, ConnectionRefusedError("connection refused"))
            )
        else:
            loop.add_callback_threadsafe(self._opened(callbacks.on_open))

    def _opened(self, on_open: Callable[[Any], None]) -> Callable[[], None]:
        def opened() -> None:
            self.is_open = True
            on_open(self)

        return opened

    def channel(self, on_open_callback: Callable[[Any], None]) -> None:
        self.channel_object = FakeChannel(self._broker, self._loop, self)
        self._broker.channel_opened(self.channel_object)
        self._loop.add_callback_threadsafe(lambda: on_open_callback(self.channel_object))

    def close(self) -> None:
        self.lose("closed by the client")

    def lose(self, reason: str) -> None:
        if not self.is_open:
            return
        self.is_open = False
        if self.channel_object is not None:
            self.channel_object.lose(reason)
        self._on_close(self, ConnectionError(reason))


class FakeChannel:
    def __init__(self, broker: FakeBroker, loop: Any, connection: FakeConnection) -> None:
        self._broker = broker
        self._loop = loop
        self._connection = connection
        self.is_open = True
        self._on_close: Callable[[Any, BaseException], None] | None = None
        self.on_return: Callable[[Any, Any, Any, bytes], None] = lambda *_: None
        self.on_confirm: Callable[[Any], None] = lambda _: None
        self._next_tag = 0

    def add_on_close_callback(self, callback: Callable[[Any, BaseException], None]) -> None:
        self._on_close = callback

    def add_on_return_callback(self, callback: Callable[[Any, Any, Any, bytes], None]) -> None:
        self.on_return = callback

    def confirm_delivery(
        self, on_confirm: Callable[[Any], None], *, callback: Callable[[Any], None]
    ) -> None:
        self.on_confirm = on_confirm
        self._loop.add_callback_threadsafe(lambda: callback(SimpleNamespace()))

    def exchange_declare(
        self, exchange: str, *, exchange_type: str, durable: bool, callback: Callable[[Any], None]
    ) -> None:
        if self._broker.refuse_exchange:
            self._loop.add_callback_threadsafe(lambda: self.lose("PRECONDITION_FAILED"))
        else:
            self._loop.add_callback_threadsafe(lambda: callback(SimpleNamespace()))

    def basic_publish(
        self, exchange: str, routing_key: str, body: bytes, *, properties: Any, mandatory: bool
    ) -> None:
        assert self.is_open, "published on a closed channel"
        self._next_tag += 1
        name = threading.current_thread().name
        self._broker.record(Published(self._next_tag, routing_key, properties, mandatory, name))

    def lose(self, reason: str) -> None:
        if not self.is_open:
            return
        self.is_open = False
        if self._on_close is not None:
            self._on_close(self, ConnectionError(reason))


def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True
