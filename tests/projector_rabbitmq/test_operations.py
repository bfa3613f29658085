"""How the broker projector is run and how it copes with its surroundings: ``BROKER_URL``
selects it, a read store that fails for a while loses nothing, and the queue's delivery
limit parks a message that is never settled."""

from __future__ import annotations

import threading
from typing import Any

import pika

from query_service.bootstrap import run_projector
from query_service.consumers.rabbitmq_topology import ProjectorTopology
from query_service.dead_letters import list_dead_letters
from query_service.read_store.port import ReadStoreUnavailable, WriteBatch
from query_service.read_store.sqlite import SqliteReadStore
from query_service.settings import QuerySettings
from tests.projector_rabbitmq.conftest import (
    Publisher,
    outbox_messages,
    running_projector,
    wait_until,
)
from tests.projector_rabbitmq.test_consuming import assert_applied_once, story
from tests.query_api.support import Outbox, Programme


def test_broker_url_selects_the_rabbitmq_projector(
    settings: QuerySettings,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
) -> None:
    """``store`` is the file ``settings.search_url`` names."""
    story(programme)
    stop = threading.Event()
    thread = threading.Thread(target=run_projector, args=(settings, stop), daemon=True)
    thread.start()
    try:
        publisher.publish(outbox_messages(outbox))
        wait_until(lambda: len(store.applied_event_ids()) == outbox.count(), what="applied")
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert_applied_once(store, outbox)


class _FlakyStore:
    """The real store, but its first writes fail as if the engine were down."""

    def __init__(self, inner: SqliteReadStore, failures: int) -> None:
        self._inner = inner
        self.failures = failures

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def write(self, batch: WriteBatch) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ReadStoreUnavailable("simulated outage")
        self._inner.write(batch)


def test_a_store_outage_keeps_deliveries_until_it_is_over(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
) -> None:
    story(programme)
    flaky = _FlakyStore(store, failures=4)
    with running_projector(broker_url, topology, flaky) as running:
        publisher.publish(outbox_messages(outbox))
        wait_until(lambda: len(store.applied_event_ids()) == outbox.count(), what="applied")
        wait_until(lambda: publisher.queue_depth(topology.queue) == 0, what="all acked")
    assert flaky.failures == 0
    assert running.projector.stats.dead_lettered == 0
    assert publisher.queue_depth(topology.dead_letter_queue) == 0
    assert_applied_once(store, outbox)


def test_the_broker_parks_a_message_past_its_delivery_limit(
    broker_url: str, topology: ProjectorTopology, publisher: Publisher, settings: QuerySettings
) -> None:
    publisher.publish_raw(b'{"crashes": "every consumer"}')
    connection = pika.BlockingConnection(pika.URLParameters(broker_url))
    try:
        channel = connection.channel()
        for _ in range(topology.delivery_limit + 1):  # a consumer that dies every time
            method, _properties, _body = channel.basic_get(topology.queue, auto_ack=False)
            if method is None:
                break
            channel.basic_nack(method.delivery_tag, requeue=True)
    finally:
        connection.close()
    wait_until(lambda: publisher.queue_depth(topology.dead_letter_queue) == 1, what="parked")
    [letter] = list_dead_letters(settings)
    assert letter.reason.startswith("delivery_limit")
    assert publisher.queue_depth(topology.queue) == 0
