"""Real RabbitMQ and real databases for the relay tests, resolved by ``tests/services.py``.

Every test publishes to an exchange of its own (``test.relay.<random>``, deleted after it)
and reads back through an exclusive queue bound to it, so tests never see each other's
messages, nor disturb consumers of the real exchange on a shared broker.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pika
import pytest
import sqlalchemy as sa

from command_service.adapters.engine import create_engine_for
from command_service.adapters.tables import outbox
from command_service.adapters.unit_of_work import SqlUnitOfWork
from command_service.migrate import upgrade
from tests.integration.conftest import empty_tables, new_conference, trace
from tests.services import postgres_server_url, rabbitmq_url, temporary_postgres_database


@pytest.fixture(scope="session")
def broker_url() -> str:
    return rabbitmq_url()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    with temporary_postgres_database(postgres_server_url()) as url:
        upgrade(url)
        yield url


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    empty_tables(postgres_database)
    return postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'command.db'}"
        upgrade(url)
        return url
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = create_engine_for(database_url)
    yield engine
    engine.dispose()


@dataclass
class Received:
    routing_key: str
    properties: Any
    body: bytes

    @property
    def envelope(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded


class Tap:
    """An exclusive queue bound to the test's exchange, and a way to read what arrived."""

    def __init__(self, broker_url: str, exchange: str) -> None:
        self.exchange = exchange
        self._connection = pika.BlockingConnection(pika.URLParameters(broker_url))
        self._channel = self._connection.channel()
        self._channel.exchange_declare(exchange, exchange_type="topic", durable=True)
        self.queue = self._channel.queue_declare("", exclusive=True).method.queue
        self.received: list[Received] = []
        # One consumer for the tap's whole life: cancelling a consumer would drop the
        # messages pika has buffered but not yet handed over.
        self._channel.basic_consume(self.queue, self._on_message, auto_ack=True)

    def bind(self, pattern: str) -> None:
        self._channel.queue_bind(self.queue, self.exchange, pattern)

    def read(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until ``count`` messages in all have arrived (or ``timeout``); all so far."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            self._collect(0.05)
        return self.received

    def settle(self, quiet: float = 0.3) -> list[Received]:
        """Everything that arrives until the queue has been quiet for ``quiet`` seconds."""
        while self._collect(quiet):
            pass
        return self.received

    def _collect(self, wait: float) -> int:
        before = len(self.received)
        self._connection.process_data_events(time_limit=wait)
        return len(self.received) - before

    def _on_message(self, _channel: Any, method: Any, properties: Any, body: bytes) -> None:
        self.received.append(Received(method.routing_key, properties, body))

    def close(self) -> None:
        try:
            self._channel.exchange_delete(self.exchange)
        finally:
            self._connection.close()


@pytest.fixture
def exchange() -> str:
    return f"test.relay.{uuid.uuid4().hex[:12]}"


@pytest.fixture
def tap(broker_url: str, exchange: str) -> Iterator[Tap]:
    tap = Tap(broker_url, exchange)
    yield tap
    tap.close()


def record_conferences(engine: sa.Engine, count: int, *, per_commit: int = 100) -> list[str]:
    """Create ``count`` conferences through the unit of work; their event ids."""
    created: list[str] = []
    for start in range(0, count, per_commit):
        with SqlUnitOfWork(engine, trace()) as uow:
            for _ in range(min(per_commit, count - start)):
                conference = new_conference()
                uow.conferences.add(conference)
                created.append(conference.id)
            uow.commit()
    with engine.connect() as connection:
        return list(
            connection.scalars(
                sa.select(outbox.c.event_id)
                .where(outbox.c.aggregate_id.in_(created))
                .order_by(outbox.c.position)
            )
        )


def event_ids(engine: sa.Engine, *, unpublished_only: bool = False) -> list[str]:
    query = sa.select(outbox.c.event_id).order_by(outbox.c.position)
    if unpublished_only:
        query = query.where(outbox.c.published_at.is_(None))
    with engine.connect() as connection:
        return list(connection.scalars(query))
