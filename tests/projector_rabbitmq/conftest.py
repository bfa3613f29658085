"""The projector over a real RabbitMQ (``tests/services.py``) into a real SQLite read store.

Every test gets its own exchange and queue names (``test.projector.<random>``), so tests
never see each other's messages nor a consumer of the real exchange; the queues, the
dead-letter exchange and the exchange are deleted after the test. Events are made by the
query tests' ``Programme`` (real envelopes with per-aggregate versions, in a temp outbox)
and published exactly like the relay does (``OutboxMessage``: body, routing key,
persistent, message id = event id, aggregate headers).
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pika
import pytest

from command_service.relay.messages import OutboxMessage
from query_service.consumers.rabbitmq import RabbitMqConsumer
from query_service.consumers.rabbitmq_topology import ProjectorTopology
from query_service.projector.broker_projector import BrokerProjector
from query_service.projector.retry import RetryPolicy
from query_service.read_store.port import ProjectionStore
from query_service.read_store.sqlite import SqliteReadStore
from query_service.settings import QuerySettings
from tests.query_api.support import Outbox, Programme
from tests.services import rabbitmq_url

FAST_RETRY = RetryPolicy(attempts=3, first_delay=0.01, max_delay=0.05)


@pytest.fixture(scope="session")
def broker_url() -> str:
    return rabbitmq_url()


@pytest.fixture
def topology(broker_url: str) -> Iterator[ProjectorTopology]:
    name = uuid.uuid4().hex[:12]
    chosen = ProjectorTopology(
        queue=f"test.projector.{name}",
        exchange=f"test.events.{name}",
        delivery_limit=10,
        held_seconds=0.5,
    )
    connection = pika.BlockingConnection(pika.URLParameters(broker_url))
    try:
        chosen.declare(connection.channel())
        yield chosen
        channel = connection.channel()
        chosen.delete(channel)
        channel.exchange_delete(chosen.exchange)
    finally:
        connection.close()


@pytest.fixture
def settings(broker_url: str, topology: ProjectorTopology, tmp_path: Path) -> QuerySettings:
    return QuerySettings(
        broker_url=broker_url,
        broker_exchange=topology.exchange,
        projector_queue=topology.queue,
        projector_delivery_limit=topology.delivery_limit,
        projector_held_seconds=topology.held_seconds,
        search_url=f"sqlite:///{tmp_path / 'query.db'}",
        database_url=f"sqlite:///{tmp_path / 'command.db'}",
    )


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "command.db")


@pytest.fixture
def programme(outbox: Outbox) -> Programme:
    return Programme(outbox)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteReadStore]:
    read_store = SqliteReadStore(tmp_path / "query.db")
    read_store.initialize()
    yield read_store
    read_store.close()


def outbox_messages(outbox: Outbox, *, after: int = 0) -> list[OutboxMessage]:
    """The outbox rows after position ``after`` as the relay would send them."""
    with sqlite3.connect(outbox.path) as conn:
        rows = conn.execute(
            "SELECT position, event_id, aggregate_type, aggregate_id, aggregate_version, "
            "event_type, envelope FROM outbox WHERE position > ? ORDER BY position",
            (after,),
        ).fetchall()
    now = datetime.now(UTC)
    return [
        OutboxMessage(p, e, t or "", i or "", v or 0, k or "unknown", env, now)
        for p, e, t, i, v, k, env in rows
    ]


class Publisher:
    """Publishes to the test's exchange with confirms, like the relay."""

    def __init__(self, broker_url: str, topology: ProjectorTopology) -> None:
        self.topology = topology
        self._connection = pika.BlockingConnection(pika.URLParameters(broker_url))
        self._channel = self._connection.channel()
        self._channel.confirm_delivery()

    def publish(self, messages: list[OutboxMessage]) -> None:
        for message in messages:
            self._channel.basic_publish(
                self.topology.exchange,
                message.routing_key,
                message.body,
                properties=message.properties(),
                mandatory=True,
            )

    def publish_raw(self, body: bytes, routing_key: str = "conference.talk.submitted.v1") -> None:
        properties = pika.BasicProperties(message_id=str(uuid.uuid4()), delivery_mode=2)
        self._channel.basic_publish(
            self.topology.exchange, routing_key, body, properties=properties, mandatory=True
        )

    def queue_depth(self, queue: str) -> int:
        """Messages ready in ``queue`` (not those delivered and still unacked)."""
        declared = self._channel.queue_declare(queue, passive=True)
        return int(declared.method.message_count)

    def close(self) -> None:
        self._connection.close()


@pytest.fixture
def publisher(broker_url: str, topology: ProjectorTopology) -> Iterator[Publisher]:
    built = Publisher(broker_url, topology)
    yield built
    built.close()


class RunningProjector:
    def __init__(self, projector: BrokerProjector, consumer: RabbitMqConsumer) -> None:
        self.projector = projector
        self.consumer = consumer
        self.stop = threading.Event()
        self.thread = threading.Thread(target=projector.run, args=(self.stop,), daemon=True)


@contextmanager
def running_projector(
    broker_url: str,
    topology: ProjectorTopology,
    store: ProjectionStore,
    *,
    gap_timeout: float = 5.0,
    batch_size: int = 500,
    prefetch: int = 500,
    connection_name: str | None = None,
) -> Iterator[RunningProjector]:
    """A projector replica consuming the test's queue in a thread, stopped on exit."""
    consumer = RabbitMqConsumer(
        broker_url, topology, prefetch=prefetch, connection_name=connection_name
    )
    projector = BrokerProjector(
        consumer,
        store,
        batch_size=batch_size,
        retry=FAST_RETRY,
        gap_timeout=gap_timeout,
        idle_timeout=0.1,
    )
    running = RunningProjector(projector, consumer)
    running.thread.start()
    try:
        yield running
    finally:
        running.stop.set()
        running.thread.join(timeout=10)
        assert not running.thread.is_alive(), "the projector did not stop"


def wait_until(check: Callable[[], Any], timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or check}")


def event_ids(outbox: Outbox) -> set[str]:
    with sqlite3.connect(outbox.path) as conn:
        return {str(row[0]) for row in conn.execute("SELECT event_id FROM outbox")}
