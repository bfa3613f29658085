"""Outages of the search engine and of the broker are not poison: the projectors heal alone.

The engine is a real OpenSearch node; the outage is a TCP proxy in front of it taken down
(every connection reset, new ones refused: what a client sees while the node is stopped),
so the node shared with the rest of the suite keeps its data. Each outage lasts several
gap timeouts, during a burst of events on one conference, whose schedule events form one
long stream that two replicas share out between them: exactly where a delayed predecessor
used to be mistaken for a missing one (ADR 061).

What must hold: the documents equal a single consumer's in outbox order, nothing is
dead-lettered or left held, the queue drains. (The applied-events journal is not checked
here: an outage that cuts a bulk request after the engine applied it makes its retry
journal the same application twice; the documents' version marks keep the effect once.)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from query_service.consumers.rabbitmq_topology import ProjectorTopology
from query_service.read_store.search_engine import SearchEngineReadStore
from query_service.read_store.search_engine.factory import engine_client
from query_service.read_store.search_engine.naming import IndexNames
from tests.projector_rabbitmq.conftest import (
    Publisher,
    outbox_messages,
    running_projector,
    wait_until,
)
from tests.projector_rabbitmq.test_guarantees import reference_state, same_documents
from tests.query_api.support import Outbox, Programme
from tests.relay.tcp_proxy import TcpProxy
from tests.services import opensearch_url, random_index_prefix

GAP_TIMEOUT = 2.0
"""Several times the held queue's 0.5 s (tests/projector_rabbitmq/conftest.py), as in
production (30 s against 5 s): an event waiting for a held predecessor sees it return
before its own gap runs out."""
OUTAGE = 4 * GAP_TIMEOUT


@pytest.fixture
def engine_proxy() -> Iterator[TcpProxy]:
    target = urlsplit(opensearch_url())
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 9200)
    proxy.up()
    yield proxy
    proxy.down()


@pytest.fixture
def engine_store(engine_proxy: TcpProxy) -> Iterator[SearchEngineReadStore]:
    """An OpenSearch store reached through the proxy, on its own random prefix."""
    client = engine_client("opensearch", f"http://127.0.0.1:{engine_proxy.port}")
    store = SearchEngineReadStore(client, names=IndexNames(random_index_prefix()), replicas=0)
    store.initialize()
    yield store
    store.drop()
    store.close()


def burst(programme: Programme, talks: int = 12, rounds: int = 6) -> tuple[str, list[str]]:
    """A conference whose talks are scheduled, moved and unscheduled again and again (one
    stream of ``talks * rounds`` conference events), with ratings between."""
    conf = programme.conference(stages=["Main", "Side", "Lab"])
    ids = [programme.submit(conf, title=f"Talk {i}") for i in range(talks)]
    for talk_id in ids:
        programme.accept(talk_id)
    for round_ in range(rounds):
        for i, talk_id in enumerate(ids):
            stage = ("Main", "Side", "Lab")[(i + round_) % 3]
            hour = f"2025-05-0{1 + round_ % 2}T{8 + i % 10:02d}"
            if round_ % 3 == 2:
                programme.unschedule(conf, talk_id)
            else:
                programme.schedule(conf, talk_id, stage, f"{hour}:00:00Z", f"{hour}:30:00Z")
            programme.rate(talk_id, 1 + (i + round_) % 5)
    return conf, ids


@pytest.mark.parametrize("replicas", [1, 2])
def test_a_search_engine_outage_longer_than_the_gap_timeout_heals_by_itself(
    replicas: int,
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    engine_store: SearchEngineReadStore,
    engine_proxy: TcpProxy,
    tmp_path: Path,
) -> None:
    conf, talks = burst(programme)
    messages = outbox_messages(outbox)
    first, rest = messages[: len(messages) // 3], messages[len(messages) // 3 :]
    with ExitStack() as running:
        for _ in range(replicas):
            running.enter_context(
                running_projector(
                    broker_url,
                    topology,
                    engine_store,
                    gap_timeout=GAP_TIMEOUT,
                    batch_size=5,
                    prefetch=20,
                )
            )
        publisher.publish(first)
        wait_until(lambda: len(engine_store.applied_event_ids()) > 10, what="the burst began")
        engine_proxy.down()
        publisher.publish(rest)
        time.sleep(OUTAGE)
        engine_proxy.up()
        reference = reference_state(outbox, tmp_path)
        wait_until(
            lambda: same_documents(engine_store, reference, conf, talks),
            timeout=60,
            what="the read model converged",
        )
        wait_until(lambda: publisher.queue_depth(topology.queue) == 0, what="all acked")
    assert publisher.queue_depth(topology.dead_letter_queue) == 0
    assert publisher.queue_depth(topology.held_queue) == 0


def test_a_broker_outage_during_a_burst_heals_by_itself(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    engine_store: SearchEngineReadStore,
    tmp_path: Path,
) -> None:
    """Two replicas reach the broker through a proxy taken down for several gap timeouts:
    their connections drop, their unacked deliveries return to the queue, and the gap
    clocks of what they held do not run while they are away."""
    target = urlsplit(broker_url)
    broker_proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5672)
    broker_proxy.up()
    proxied = broker_url.replace(f":{target.port}", f":{broker_proxy.port}", 1)
    conf, talks = burst(programme)
    messages = outbox_messages(outbox)
    with ExitStack() as running:
        for _ in range(2):
            running.enter_context(
                running_projector(
                    proxied,
                    topology,
                    engine_store,
                    gap_timeout=GAP_TIMEOUT,
                    batch_size=5,
                    prefetch=20,
                )
            )
        running.callback(broker_proxy.down)
        publisher.publish(messages[: len(messages) // 3])
        wait_until(lambda: len(engine_store.applied_event_ids()) > 10, what="the burst began")
        broker_proxy.down()
        publisher.publish(messages[len(messages) // 3 :])  # the relay reaches the broker
        time.sleep(OUTAGE)
        broker_proxy.up()
        reference = reference_state(outbox, tmp_path)
        wait_until(
            lambda: same_documents(engine_store, reference, conf, talks),
            timeout=60,
            what="the read model converged",
        )
        wait_until(lambda: publisher.queue_depth(topology.queue) == 0, what="all acked")
    assert publisher.queue_depth(topology.dead_letter_queue) == 0
    assert publisher.queue_depth(topology.held_queue) == 0
