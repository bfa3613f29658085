"""Outages of the search engine and of the broker are not poison: the projectors heal alone.

The engine is a real OpenSearch node. Most outages are a TCP proxy in front of the node the
suite shares, taken down (every connection reset, new ones refused: what a client sees
while a node is stopped), so that node keeps serving the other tests; one test stops and
starts a node of its own for real. Each outage lasts several
gap timeouts, during a burst of events on one conference, whose schedule events form one
long stream that two replicas share out between them: exactly where a delayed predecessor
used to be mistaken for a missing one (ADR 061).

What must hold: the documents equal a single consumer's in outbox order, nothing is
dead-lettered or left held, the queue drains. (The applied-events journal is not checked
here: an outage that cuts a bulk request after the engine applied it makes its retry
journal the same application twice; the documents' version marks keep the effect once.)
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import pytest

from query_service.consumers.rabbitmq_topology import ProjectorTopology
from query_service.projector.decode_ahead import decode_delivery
from query_service.read_store.search_engine import SearchEngineReadStore
from query_service.read_store.search_engine.factory import engine_client
from query_service.read_store.search_engine.naming import IndexNames
from query_service.read_store.sqlite import SqliteReadStore
from tests.projector_rabbitmq.conftest import (
    Publisher,
    RunningProjector,
    outbox_messages,
    running_projector,
    wait_until,
)
from tests.projector_rabbitmq.test_guarantees import reference_state, same_documents
from tests.query_api.support import Outbox, Programme
from tests.relay.tcp_proxy import TcpProxy
from tests.services import opensearch_url, random_index_prefix, service_unavailable

OPS_NODE = Path(__file__).resolve().parents[2] / "ops" / "opensearch-node"
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


class Dependency(Protocol):
    def down(self) -> None: ...

    def up(self) -> None: ...


class OwnOpenSearchNode:
    """A real OpenSearch node of this test's own (``ops/opensearch-node``, on free ports and
    a temporary data folder), which the test stops and starts like an operator would."""

    def __init__(self, var: Path) -> None:
        self.port, transport = free_port(), free_port()
        self._env = {
            **os.environ,
            "OPENSEARCH_PORT": str(self.port),
            "OPENSEARCH_TRANSPORT_PORT": str(transport),
            "OPENSEARCH_VAR_DIR": str(var),
            "OPENSEARCH_HEAP": "-Xms256m -Xmx512m",
        }
        self.url = f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        done = subprocess.run(
            [str(OPS_NODE / "start")], env=self._env, capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0:
            service_unavailable(f"ops/opensearch-node/start failed: {done.stdout}{done.stderr}")

    def down(self) -> None:
        subprocess.run([str(OPS_NODE / "stop")], env=self._env, capture_output=True, timeout=120)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def thread_stacks() -> str:
    """Where every thread of this process is: what a replica that stays silent waits on."""
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    return "".join(
        f"\n--- {names.get(ident, ident)}\n" + "".join(traceback.format_stack(frame))
        for ident, frame in sys._current_frames().items()
    )


@dataclass
class Burst:
    """The pieces every outage scenario shares; ``through_outage`` plays one."""

    topology: ProjectorTopology
    publisher: Publisher
    programme: Programme
    outbox: Outbox
    store: SearchEngineReadStore
    reference_path: Path
    caplog: pytest.LogCaptureFixture
    replicas: list[RunningProjector] = field(default_factory=list)

    def through_outage(self, cut: Dependency, *, consumer_url: str, replicas: int) -> None:
        """Publish a third of the burst, take ``cut`` down, publish the rest (the relay
        still reaches the broker), keep it down for ``OUTAGE``, bring it back, and wait
        until the read model equals a single consumer's."""
        conf, talks = burst(self.programme)
        messages = outbox_messages(self.outbox)
        with ExitStack() as running:
            self.replicas = [
                running.enter_context(
                    running_projector(
                        consumer_url,
                        self.topology,
                        self.store,
                        gap_timeout=GAP_TIMEOUT,
                        batch_size=5,
                        prefetch=20,
                    )
                )
                for _ in range(replicas)
            ]
            self.publisher.publish(messages[: len(messages) // 3])
            wait_until(lambda: len(self.store.applied_event_ids()) > 10, what="the burst began")
            cut.down()
            self.publisher.publish(messages[len(messages) // 3 :])
            time.sleep(OUTAGE)
            cut.up()
            reference = reference_state(self.outbox, self.reference_path)
            progress: list[int] = []

            def converged() -> bool:
                found = self.store.load_conferences([conf]).get(conf)
                progress.append(found.version if found else 0)
                return same_documents(self.store, reference, conf, talks)

            try:
                wait_until(converged, 60)
            except AssertionError:
                print("conference version while waiting:", progress[:: max(len(progress) // 60, 1)])
                raise AssertionError(self.differences(reference, conf, talks)) from None
            wait_until(lambda: self.depth(self.topology.queue) == 0, what="all acked")
            # While the replicas still run: one may still be in its reconnect back-off.
            self.assert_outage_told_in_few_lines(replicas)
        assert self.depth(self.topology.dead_letter_queue) == 0, "an outage made a dead letter"
        assert self.depth(self.topology.held_queue) == 0

    def assert_outage_told_in_few_lines(self, replicas: int) -> None:
        """A replica that met the outage says the dependency went away (once, or twice if
        it came back half-ready first) and when it is back; no traceback from our code. (A
        replica whose request was in flight may sit the whole outage out in the client's
        read timeout, and meet none.)"""

        def ours() -> list[logging.LogRecord]:
            return [r for r in self.caplog.records if r.name.startswith("query_service")]

        def told(words: str) -> list[logging.LogRecord]:
            return [r for r in ours() if words in r.getMessage()]

        # The other replica may have caught up alone while this one still reconnects (its
        # back-off after repeated refusals reaches 15 s).
        try:
            wait_until(lambda: len(told(" is back after ")) >= len(told(" unavailable: ")), 90)
        except AssertionError:
            lines = [f"{r.threadName} {r.getMessage()}" for r in ours() if r.levelno >= 30]
            raise AssertionError(
                "a replica never said it is back:\n" + "\n".join(lines) + thread_stacks()
            ) from None
        assert not [r.getMessage() for r in ours() if r.exc_info], "an outage logged a traceback"
        away, back = told(" unavailable: "), told(" is back after ")
        assert len(away) <= 2 * replicas, [r.getMessage() for r in away]
        assert len(back) == len(away)

    def differences(self, reference: SqliteReadStore, conf: str, talks: list[str]) -> str:
        """What still differs from the single consumer's read model, and what waits where."""
        ours, theirs = self.store.load_talks(talks), reference.load_talks(talks)
        lines = [
            f"talk {t}: {ours.get(t)} != {theirs.get(t)}"
            for t in talks
            if ours.get(t) != theirs.get(t)
        ]
        ours_c, theirs_c = self.store.load_conferences([conf]), reference.load_conferences([conf])
        if ours_c != theirs_c:
            lines.append(f"conference: {ours_c} != {theirs_c}")
        queues = (self.topology.queue, self.topology.held_queue, self.topology.dead_letter_queue)
        lines.append("queues: " + ", ".join(f"{q}={self.depth(q)}" for q in queues))
        return (
            "the read model did not converge within 60s:\n"
            + "\n".join(lines[:6] + lines[-1:])
            + self.where_events_are(conf)
            + thread_stacks()
        )

    def where_events_are(self, conf: str) -> str:
        """Each replica's counts and the conference events it holds unsettled, and the
        conference's first event that is not in the applied-events journal."""
        lines, stream = [], f"conference/{conf}"
        for index, replica in enumerate(self.replicas):
            projector = replica.projector
            waiting = sorted(
                (p.item.version or 0, p.attempts.gap_tries)
                for p in projector._settlement._waiting
                if p.item.stream == stream
            )
            carried = [p.item.version for p in projector._carry if p.item.stream == stream]
            ahead = [] if projector._next is None else projector._next.batch
            buffered = [decode_delivery(d) for d in replica.consumer.buffered_deliveries()]
            lines.append(
                f"replica {index}: {projector.stats}, unsettled={projector.unsettled}, "
                f"waiting (version, gap tries)={waiting}, carried={carried}, "
                f"next={[p.item.version for p in ahead if p.item.stream == stream]}, "
                f"buffered={[d.version for d in buffered if d.stream == stream]}, "
                f"clock running={projector._settlement.clock.running}, "
                f"store down={projector._store_outage.is_down}, "
                f"broker down={projector._broker_outage.is_down}"
            )
        journal = set(self.store.applied_event_ids())
        missing = [
            (m.aggregate_version, m.event_type)
            for m in outbox_messages(self.outbox)
            if m.aggregate_id == conf and m.event_id not in journal
        ]
        lines.append(f"conference events not in the journal: {missing[:5]}")
        return "\n" + "\n".join(lines)

    def depth(self, queue: str) -> int:
        return self.publisher.queue_depth(queue)


@pytest.fixture
def scenario(
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    engine_store: SearchEngineReadStore,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> Burst:
    return Burst(topology, publisher, programme, outbox, engine_store, tmp_path, caplog)


@pytest.mark.parametrize("replicas", [1, 2])
def test_a_search_engine_outage_longer_than_the_gap_timeout_heals_by_itself(
    replicas: int, scenario: Burst, broker_url: str, engine_proxy: TcpProxy
) -> None:
    scenario.through_outage(engine_proxy, consumer_url=broker_url, replicas=replicas)


def test_a_search_engine_node_stopped_and_started_again_heals_by_itself(
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    broker_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The real thing, once: two replicas write into a node of its own, which is stopped
    (SIGTERM) during the burst and started again on the same data, an outage of many gap
    timeouts (its start alone takes several)."""
    node = OwnOpenSearchNode(tmp_path / "opensearch")
    node.up()
    try:
        client = engine_client("opensearch", node.url)
        store = SearchEngineReadStore(client, names=IndexNames(random_index_prefix()), replicas=0)
        store.initialize()
        try:
            scenario = Burst(topology, publisher, programme, outbox, store, tmp_path, caplog)
            scenario.through_outage(node, consumer_url=broker_url, replicas=2)
        finally:
            store.close()
    finally:
        node.down()


def test_a_broker_outage_during_a_burst_heals_by_itself(scenario: Burst, broker_url: str) -> None:
    """Two replicas reach the broker through a proxy taken down for several gap timeouts:
    their connections drop, their unacked deliveries return to the queue, and the gap
    clocks of what they held do not run while they are away."""
    target = urlsplit(broker_url)
    broker_proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5672)
    broker_proxy.up()
    proxied = broker_url.replace(f":{target.port}", f":{broker_proxy.port}", 1)
    try:
        scenario.through_outage(broker_proxy, consumer_url=proxied, replicas=2)
    finally:
        broker_proxy.down()
