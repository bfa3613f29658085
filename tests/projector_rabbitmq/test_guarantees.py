"""Exactly-once effect and per-aggregate order over RabbitMQ: duplicates, redeliveries,
competing replicas, version gaps and a connection the broker drops."""

from __future__ import annotations

import base64
import json
import random
import time
import urllib.request
from collections.abc import Callable
from functools import partial
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pika

from query_service.consumers.outbox_tail import OutboxTail
from query_service.consumers.rabbitmq_topology import ProjectorTopology
from query_service.projector.projector import Projector
from query_service.read_store.port import ProjectionStore
from query_service.read_store.sqlite import SqliteReadStore
from tests.projector_rabbitmq.conftest import (
    FAST_RETRY,
    Publisher,
    outbox_messages,
    running_projector,
    wait_until,
)
from tests.projector_rabbitmq.test_consuming import assert_applied_once, story
from tests.query_api.support import Outbox, Programme
from tests.services import rabbitmq_management_url


def reference_state(outbox: Outbox, tmp_path: Path) -> SqliteReadStore:
    """The same events projected by one consumer in outbox order: what replicas must equal."""
    reference = SqliteReadStore(tmp_path / "reference.db")
    reference.initialize()
    Projector(OutboxTail(outbox.path), reference, retry=FAST_RETRY).run_until_idle()
    return reference


def same_documents(
    store: ProjectionStore, reference: ProjectionStore, conf: str, talks: list[str]
) -> bool:
    return store.load_talks(talks) == reference.load_talks(talks) and store.load_conferences(
        [conf]
    ) == reference.load_conferences([conf])


def test_duplicates_and_redeliveries_apply_once(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
    tmp_path: Path,
) -> None:
    conf, talks = story(programme)
    messages = outbox_messages(outbox)
    publisher.publish(messages)
    publisher.publish(messages)  # a relay that lost its confirms sends everything again
    # A consumer that takes a dozen messages and dies before acking: they come back
    # redelivered.
    crashed = pika.BlockingConnection(pika.URLParameters(broker_url))
    channel = crashed.channel()
    for _ in range(12):
        channel.basic_get(topology.queue, auto_ack=False)
    crashed.close()
    with running_projector(broker_url, topology, store, batch_size=7) as running:
        wait_until(lambda: publisher.queue_depth(topology.queue) == 0, what="all acked")
        wait_until(lambda: running.projector.stats.duplicates >= len(messages), what="dups")
    assert running.projector.stats.applied == len(messages)
    assert_applied_once(store, outbox)
    assert same_documents(store, reference_state(outbox, tmp_path), conf, talks)


def test_replicas_on_one_queue_equal_a_single_consumer(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
    tmp_path: Path,
) -> None:
    conf = programme.conference()
    talks = [programme.submit(conf, title=f"Talk {i}") for i in range(4)]
    steps: list[Callable[[], object]] = []
    for talk_id in talks:
        steps += [partial(programme.accept, talk_id)]
        steps += [partial(programme.rate, talk_id, s) for s in (1, 2, 3, 4, 5) * 6]
    random.Random(7).shuffle(steps)  # interleaved streams, each still in its own order
    for step in steps:
        step()
    for i, talk_id in enumerate(talks):
        hour = f"2025-05-01T1{i}"
        programme.schedule(conf, talk_id, "Main", f"{hour}:00:00Z", f"{hour}:30:00Z")
    messages = outbox_messages(outbox)
    with (
        running_projector(broker_url, topology, store, batch_size=5, prefetch=10) as first,
        running_projector(broker_url, topology, store, batch_size=5, prefetch=10) as second,
    ):
        publisher.publish(messages)
        wait_until(lambda: len(store.applied_event_ids()) >= len(messages), what="applied")
        wait_until(lambda: publisher.queue_depth(topology.queue) == 0, what="all acked")
    both = (first.projector.stats, second.projector.stats)
    assert all(stats.applied > 0 for stats in both), "one replica did all the work"
    assert sum(stats.applied for stats in both) == len(messages)
    assert publisher.queue_depth(topology.dead_letter_queue) == 0
    assert_applied_once(store, outbox)
    assert same_documents(store, reference_state(outbox, tmp_path), conf, talks)


def test_an_event_beyond_a_gap_waits_for_its_predecessor(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
) -> None:
    conf = programme.conference()
    talk_id = programme.submit(conf)
    programme.accept(talk_id)
    conference_created, submitted, accepted = outbox_messages(outbox)
    with running_projector(broker_url, topology, store, gap_timeout=10) as running:
        publisher.publish([conference_created, accepted])  # version 2 first
        wait_until(lambda: running.projector.stats.retries >= 3, what="v2 retried")
        other = programme.submit(conf, title="Meanwhile")  # not blocked by the wait
        publisher.publish(outbox_messages(outbox, after=3))
        wait_until(lambda: store.get_talk(other) is not None, what="other stream applied")
        time.sleep(0.3)
        publisher.publish([submitted])  # version 1, late
        wait_until(lambda: publisher.queue_depth(topology.queue) == 0, what="all acked")
        wait_until(lambda: len(store.applied_event_ids()) == outbox.count(), what="applied")
    assert store.load_talks([talk_id])[talk_id].status == "accepted"
    assert publisher.queue_depth(topology.dead_letter_queue) == 0
    assert_applied_once(store, outbox)


def test_a_prefetch_window_full_of_waiting_events_makes_room_for_their_predecessor(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
    tmp_path: Path,
) -> None:
    """Events beyond a gap fill the replica's whole prefetch window, so their predecessor,
    still in the queue, cannot reach it: they are held at once rather than after the gap
    timeout, the predecessor comes in, and they apply when they come back (ADR 086)."""
    conf = programme.conference(stages=["Main"])
    talk_id = programme.submit(conf)
    programme.accept(talk_id)
    for hour in range(10, 16):
        programme.schedule(
            conf, talk_id, "Main", f"2025-05-01T{hour}:00:00Z", f"2025-05-01T{hour}:30:00Z"
        )
    messages = outbox_messages(outbox)
    stream = sorted(
        (m for m in messages if m.aggregate_id == conf), key=lambda m: m.aggregate_version
    )
    late = stream[1]
    waiting = stream[2:]
    with running_projector(
        broker_url, topology, store, gap_timeout=120, batch_size=2, prefetch=len(waiting)
    ) as running:
        publisher.publish([m for m in messages if m is not late])
        wait_until(lambda: running.projector.stats.retries + running.projector.stats.held > 0)
        publisher.publish([late])
        reference = reference_state(outbox, tmp_path)
        # Far within the gap timeout: nothing waited it out.
        wait_until(lambda: same_documents(store, reference, conf, [talk_id]), 30, "converged")
        wait_until(lambda: publisher.queue_depth(topology.queue) == 0, what="all acked")
    assert running.projector.stats.held >= 1
    assert publisher.queue_depth(topology.held_queue) == 0
    assert publisher.queue_depth(topology.dead_letter_queue) == 0


def test_a_connection_dropped_by_the_broker_loses_nothing(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
) -> None:
    conf = programme.conference()
    talks = [programme.submit(conf, title=f"Talk {i}") for i in range(40)]
    name = f"test-projector-{topology.queue}"
    with running_projector(
        broker_url, topology, store, batch_size=10, connection_name=name
    ) as running:
        publisher.publish(outbox_messages(outbox))
        wait_until(lambda: store.get_talk(talks[-1]) is not None, what="first half")
        wait_until(lambda: _connection_names(broker_url, name), what="connection listed")
        for connection in _connection_names(broker_url, name):
            _management(broker_url, "DELETE", f"/api/connections/{quote(connection, safe='')}")
        for talk_id in talks:
            programme.accept(talk_id)
            programme.rate(talk_id, 3)
        publisher.publish(outbox_messages(outbox, after=41))
        wait_until(lambda: len(store.applied_event_ids()) == outbox.count(), what="applied")
        wait_until(lambda: publisher.queue_depth(topology.queue) == 0, what="all acked")
    assert running.consumer.epoch >= 2, "the consumer never reconnected"
    assert {doc.status for doc in store.load_talks(talks).values()} == {"accepted"}
    assert_applied_once(store, outbox)


def _management(broker_url: str, method: str, path: str) -> bytes:
    parts = urlsplit(rabbitmq_management_url(broker_url))
    credentials = f"{unquote(parts.username or 'guest')}:{unquote(parts.password or 'guest')}"
    request = urllib.request.Request(
        f"{parts.scheme}://{parts.hostname}:{parts.port}{path}",
        method=method,
        headers={"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return bytes(response.read())


def _connection_names(broker_url: str, client_name: str) -> list[str]:
    listed = json.loads(_management(broker_url, "GET", "/api/connections"))
    return [
        c["name"]
        for c in listed
        if (c.get("client_properties") or {}).get("connection_name") == client_name
    ]
