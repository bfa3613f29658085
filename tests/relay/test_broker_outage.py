"""Losing the broker only delays publishing: nothing is lost (PostgreSQL, real RabbitMQ).

Outages come two ways. A loopback TCP proxy between relay and broker is taken down (the
broker unreachable, connections reset) and brought back. And the broker closes the relay's
connection from its side (the management API's ``DELETE /api/connections/{name}``, as
``rabbitmqctl close_connection`` does) in the middle of a stream of commands; only this
test's connection is closed, found by its client-given name, so other users of a shared
broker are not disturbed. Duplicates are allowed (at-least-once); a missing event is not.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import httpx
import pytest
import sqlalchemy as sa

from command_service.adapters.engine import create_engine_for
from command_service.relay import ConfirmingPublisher
from command_service.relay.messages import OutboxMessage
from tests.relay.conftest import Tap, event_ids, record_conferences
from tests.relay.relay_thread import running_relay
from tests.relay.tcp_proxy import TcpProxy
from tests.services import rabbitmq_management_url, service_unavailable

pytestmark = pytest.mark.timeout(120)

DROPS = 2
MIN_EVENTS = 1000


class Management:
    def __init__(self, broker_url: str) -> None:
        self._client = httpx.Client(base_url=rabbitmq_management_url(broker_url), timeout=5)
        self._closed: set[str] = set()
        try:
            self._client.get("/api/overview").raise_for_status()
        except httpx.HTTPError as error:
            service_unavailable(f"the RabbitMQ management API is not available: {error}")

    def close_connection_named(self, client_name: str, timeout: float = 15.0) -> None:
        """Wait for a (new) connection the client named ``client_name`` and close it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            listed = self._client.get(
                "/api/connections", params={"columns": "name,client_properties"}
            )
            for connection in listed.json():
                properties = connection.get("client_properties") or {}
                if (
                    properties.get("connection_name") == client_name
                    and connection["name"] not in self._closed
                ):
                    self._closed.add(connection["name"])
                    self._client.delete(
                        f"/api/connections/{quote(connection['name'], safe='')}",
                        headers={"X-Reason": "test: broker-side close"},
                    ).raise_for_status()
                    return
            time.sleep(0.1)
        raise AssertionError(f"no connection named {client_name!r} showed up")

    def close(self) -> None:
        self._client.close()


def test_connection_drops_only_delay_publishing(
    postgres_url: str, broker_url: str, tap: Tap, caplog: pytest.LogCaptureFixture
) -> None:
    tap.bind("#")
    management = Management(broker_url)
    engine = create_engine_for(postgres_url)
    drops_done = threading.Event()
    writer = threading.Thread(target=_write_until, args=(engine, drops_done), daemon=True)
    try:
        with running_relay(postgres_url, broker_url, tap.exchange, batch_size=50) as name:
            writer.start()
            for _ in range(DROPS):
                tap.read(len(tap.received) + 1)  # it is publishing…
                management.close_connection_named(name)  # …when the broker drops it
            drops_done.set()
            writer.join(timeout=60)
            # Rows committed after the last drop: the relay may have been idle when it came
            # (a drop is noticed by the next round), and they must get through it too.
            record_conferences(engine, 20)
            _wait_until_all_published(engine)
        expected = set(event_ids(engine))
        assert len(expected) >= MIN_EVENTS
        tap.read(len(expected), timeout=20)
        tap.settle()
        assert {m.properties.message_id for m in tap.received} == expected
        pauses = [r for r in caplog.records if r.getMessage().startswith("relay paused")]
        assert len(pauses) >= DROPS, "the relay did not notice every drop"
    finally:
        drops_done.set()
        management.close()
        engine.dispose()


def _write_until(engine: sa.Engine, drops_done: threading.Event) -> None:
    """Commands keep committing events until every drop happened (and a thousand at least)."""
    written = 0
    while written < MIN_EVENTS or not drops_done.is_set():
        record_conferences(engine, 20)
        written += 20
        time.sleep(0.01)


def _wait_until_all_published(engine: sa.Engine, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while event_ids(engine, unpublished_only=True):
        assert time.monotonic() < deadline, "rows still unpublished after the broker came back"
        time.sleep(0.1)


def test_a_broker_outage_only_delays_publishing(
    postgres_url: str, broker_url: str, tap: Tap, caplog: pytest.LogCaptureFixture
) -> None:
    """The broker is unreachable at start, comes up, goes down mid-stream, comes back."""
    tap.bind("#")
    target = urlsplit(broker_url)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5672)
    via_proxy = target._replace(netloc=f"{target.netloc.rpartition('@')[0]}@127.0.0.1:{proxy.port}")
    engine = create_engine_for(postgres_url)
    try:
        with running_relay(postgres_url, via_proxy.geturl(), tap.exchange, batch_size=50):
            first = record_conferences(engine, 100)
            time.sleep(1.0)  # the relay is trying to reach a broker that is not there
            assert len(event_ids(engine, unpublished_only=True)) == len(first)
            proxy.up()
            tap.read(20)
            proxy.down()  # mid-stream: connections reset
            second = record_conferences(engine, 100)
            time.sleep(0.5)
            proxy.up()
            _wait_until_all_published(engine)
        tap.read(len(first) + len(second))
        tap.settle()
        assert {m.properties.message_id for m in tap.received} == set(first + second)
        assert any(r.getMessage().startswith("relay paused") for r in caplog.records)
    finally:
        proxy.down()
        engine.dispose()


def test_a_batch_handed_over_as_the_connection_dies_is_given_back_at_once(
    broker_url: str, tap: Tap, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``is_open`` read just before the connection died: the hand-over lands in an I/O loop
    that has stopped (pika accepts callbacks there silently). The batch must come back as
    unconfirmed at once, not after the confirm timeout."""
    target = urlsplit(broker_url)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5672)
    via_proxy = target._replace(netloc=f"{target.netloc.rpartition('@')[0]}@127.0.0.1:{proxy.port}")
    proxy.up()
    messages = [
        OutboxMessage(
            position=position,
            event_id=str(uuid.uuid4()),
            aggregate_type="conference",
            aggregate_id="c-1",
            aggregate_version=position,
            event_type="conference.conference.renamed.v1",
            envelope="{}",
            recorded_at=datetime.now(UTC),
        )
        for position in (1, 2, 3)
    ]
    with ConfirmingPublisher.connect(via_proxy.geturl(), tap.exchange) as publisher:
        proxy.down()
        deadline = time.monotonic() + 10
        while publisher.is_open and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # its I/O loop has stopped
        monkeypatch.setattr(ConfirmingPublisher, "is_open", property(lambda _: True))
        started = time.monotonic()
        result = publisher.start(messages).wait(timeout=10)
        assert time.monotonic() - started < 1.0, "waited for confirms from a dead connection"
    assert result.unconfirmed == [1, 2, 3]
    assert result.confirmed == result.failed == []
