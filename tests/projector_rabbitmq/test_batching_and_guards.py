"""Full batches under load, a bounded linger when idle, and no fence on a store that guards
each document itself (ADR 060)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from query_service.consumers.rabbitmq import RabbitMqConsumer
from query_service.consumers.rabbitmq_topology import ProjectorTopology
from query_service.projector.broker_projector import BrokerProjector
from query_service.read_store.port import (
    Checkpoint,
    DocumentVersionConflict,
    LoadedDocuments,
    WriteBatch,
)
from query_service.read_store.sqlite import SqliteReadStore
from tests.projector_rabbitmq.conftest import (
    Publisher,
    outbox_messages,
    running_projector,
    wait_until,
)
from tests.projector_rabbitmq.test_consuming import assert_applied_once, story
from tests.query_api.support import Outbox, Programme


class GuardedStore:
    """SQLite posing as a store whose every document write is guarded (as the search
    engines' are): it records each write's checkpoint, and its first ``conflicts`` writes
    lose a race as a failed document guard does."""

    def __init__(self, inner: SqliteReadStore, conflicts: int) -> None:
        self._inner = inner
        self.conflicts = conflicts
        self.checkpoints: list[Checkpoint | None] = []
        self.writes: list[Sequence[str]] = []

    @property
    def guards_documents(self) -> bool:
        return True

    def write(self, batch: WriteBatch) -> None:
        self.checkpoints.append(batch.checkpoint)
        self.writes.append(batch.applied_event_ids)
        if self.conflicts > 0:
            self.conflicts -= 1
            raise DocumentVersionConflict("talks/x changed since it was loaded (test)")
        self._inner.write(batch)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_a_store_guarding_its_documents_is_written_without_the_fence(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
) -> None:
    story(programme)
    guarded = GuardedStore(store, conflicts=2)
    with running_projector(broker_url, topology, guarded) as running:
        publisher.publish(outbox_messages(outbox))
        wait_until(lambda: len(store.applied_event_ids()) == outbox.count(), what="all applied")
        wait_until(lambda: publisher.queue_depth(topology.queue) == 0, what="all acked")
    assert guarded.checkpoints
    assert all(c is None for c in guarded.checkpoints)
    assert store.checkpoint(f"broker:{topology.queue}") == 0, "no fence was written"
    # The lost races re-loaded and re-projected the same events, then wrote them once.
    assert guarded.writes[0] == guarded.writes[1] == guarded.writes[2]
    assert running.projector.stats.applied == outbox.count()
    assert_applied_once(store, outbox)


def test_sqlite_is_still_fenced(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
) -> None:
    story(programme)
    assert not store.guards_documents
    with running_projector(broker_url, topology, store):
        publisher.publish(outbox_messages(outbox))
        wait_until(lambda: len(store.applied_event_ids()) == outbox.count(), what="all applied")
    assert store.checkpoint(f"broker:{topology.queue}") >= 1


def test_fetch_lingers_for_a_full_batch_and_not_longer(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
) -> None:
    conference = programme.conference()
    for number in range(299):
        programme.submit(conference, title=f"Talk {number}")
    messages = outbox_messages(outbox)
    consumer = RabbitMqConsumer(broker_url, topology, prefetch=500)
    consumer.connect()
    try:
        publisher.publish(messages[:1])
        started = time.monotonic()
        alone = consumer.fetch(500, 5.0, linger=0.05)
        assert len(alone) == 1
        assert time.monotonic() - started < 1.0, "a lone event waits the linger, no more"
        consumer.ack(alone)

        publisher.publish(messages[1:])
        wait_until(lambda: publisher.queue_depth(topology.queue) == 0, what="all delivered")
        batch = consumer.fetch(len(messages) - 1, 5.0, linger=2.0)
        assert len(batch) == len(messages) - 1, "the linger waits until the batch is full"
        consumer.ack(batch)
    finally:
        consumer.close()


class SlowStore:
    """SQLite whose first write publishes more events (they arrive while it is written)
    and then takes ``seconds``."""

    def __init__(self, inner: SqliteReadStore, during_first_write: Callable[[], None]) -> None:
        self._inner = inner
        self._hook: Callable[[], None] | None = during_first_write
        self.seconds = 0.3

    def write(self, batch: WriteBatch) -> None:
        if self._hook is not None:
            hook, self._hook = self._hook, None
            hook()
            time.sleep(self.seconds)
        self._inner.write(batch)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_the_next_batch_is_read_while_one_is_written(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
) -> None:
    conference = programme.conference()
    for number in range(19):
        programme.submit(conference, title=f"Talk {number}")
    messages = outbox_messages(outbox)
    assert len(messages) == 20

    def publish_the_rest() -> None:
        publisher.publish(messages[10:])
        wait_until(lambda: publisher.queue_depth(topology.queue) == 0, what="all pushed")

    consumer = RabbitMqConsumer(broker_url, topology, prefetch=40)
    consumer.connect()
    projector = BrokerProjector(
        consumer, SlowStore(store, publish_the_rest), batch_size=10, linger=0.5
    )
    try:
        publisher.publish(messages[:10])
        assert projector.step() == 10
        assert projector.stats.applied == 10
        assert consumer.buffered == 10, "what arrived during the write was read meanwhile"
        assert projector.step() == 10
        assert projector.stats.applied == 20
    finally:
        projector.close()
    assert_applied_once(store, outbox)


class Timeline:
    """SQLite posing as a store that guards every document (so the projector pipelines),
    recording when each batch's talks are loaded and when writes start and end. The first
    load takes ``lead`` seconds, as a busy store's does, so the consumer's thread hands the
    next batch ahead before the first write begins; the first write waits (up to ``hold``
    seconds) until a second batch was loaded (``release``)."""

    def __init__(self, inner: SqliteReadStore, hold: float = 5.0) -> None:
        self._inner = inner
        self._hold = hold
        self.lead = 0.2
        self.events: list[tuple[str, frozenset[str]]] = []
        self.searchable_now: list[bool] = []
        self.release = threading.Event()
        self._loads = 0
        self._first = True

    @property
    def guards_documents(self) -> bool:
        return True

    def load_documents(
        self, talk_ids: Iterable[str], conference_ids: Iterable[str]
    ) -> LoadedDocuments:
        # Every batch loads, if only nothing: a guarding store is not asked for the talks
        # a batch creates (ADR 085), so a batch of submissions loads no talk at all.
        wanted = frozenset(talk_ids)
        self.events.append(("load", wanted))
        if self._loads == 0:
            time.sleep(self.lead)
        self._loads += 1
        if self._loads >= 2:
            self.release.set()
        return self._inner.load_documents(wanted, conference_ids)

    def write(self, batch: WriteBatch) -> None:
        talks = frozenset(t.id for t in batch.talks)
        self.events.append(("write", talks))
        self.searchable_now.append(batch.searchable_now)
        if self._first:
            self._first = False
            self.release.wait(self._hold)
        self._inner.write(batch)
        self.events.append(("written", talks))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _step_through(
    broker_url: str, topology: ProjectorTopology, store: Timeline, batches: int
) -> None:
    consumer = RabbitMqConsumer(broker_url, topology, prefetch=40)
    consumer.connect()
    projector = BrokerProjector(consumer, store, batch_size=10, linger=0.5)
    try:
        for _ in range(batches):
            assert projector.step() == 10
        assert projector.stats.applied == 10 * batches
    finally:
        projector.close()


def test_the_next_batch_is_projected_while_the_one_before_is_written(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
) -> None:
    conference = programme.conference()
    for number in range(29):
        programme.submit(conference, title=f"Talk {number}")  # 3 batches, no talk shared
    publisher.publish(outbox_messages(outbox))
    timeline = Timeline(store)

    _step_through(broker_url, topology, timeline, batches=3)

    assert timeline.release.is_set(), "the second batch was not loaded during the first write"
    kinds = [kind for kind, ids in timeline.events if ids or kind == "load"]
    first_written = kinds.index("written")
    assert kinds[:first_written].count("load") == 2
    writes = [kind for kind, _ in timeline.events if kind != "load"]
    assert writes == ["write", "written"] * 3, "writes overlapped or came out of order"
    # A batch with another queued behind it leaves the refresh to that one's write; the
    # last one makes everything searchable.
    assert timeline.searchable_now[0] is False
    assert timeline.searchable_now[-1] is True
    assert_applied_once(store, outbox)


def test_a_batch_sharing_a_document_waits_for_the_one_before(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
) -> None:
    conference = programme.conference()
    talks = [programme.submit(conference, title=f"Talk {n}") for n in range(9)]
    for talk in talks:  # the second batch: the same nine talks, accepted
        programme.accept(talk)
    programme.submit(conference, title="One more")
    publisher.publish(outbox_messages(outbox))
    timeline = Timeline(store, hold=0.5)

    _step_through(broker_url, topology, timeline, batches=2)

    kinds = [kind for kind, ids in timeline.events if ids or kind == "load"]
    second_load = [i for i, kind in enumerate(kinds) if kind == "load"][1]
    first_written = kinds.index("written")
    assert first_written < second_load, "the accepts were projected before the submits were written"
    documents = store.load_talks(talks)
    assert {d.status for d in documents.values()} == {"accepted"}
    assert_applied_once(store, outbox)
