"""Events published like the relay does reach the read store once each, in order."""

from __future__ import annotations

from query_service.consumers.rabbitmq_topology import ProjectorTopology
from query_service.read_store.sqlite import SqliteReadStore
from tests.projector_rabbitmq.conftest import (
    Publisher,
    event_ids,
    outbox_messages,
    running_projector,
    wait_until,
)
from tests.query_api.support import Outbox, Programme


def story(programme: Programme) -> tuple[str, list[str]]:
    conf = programme.conference()
    talks = [programme.submit(conf, title=f"Talk {i}") for i in range(4)]
    for i, talk_id in enumerate(talks[:3]):
        programme.accept(talk_id)
        hour = f"2025-05-01T{8 + i:02d}"
        programme.schedule(conf, talk_id, "Main", f"{hour}:00:00Z", f"{hour}:40:00Z")
        programme.rate(talk_id, 5)
        programme.rate(talk_id, 2 + i)
    programme.withdraw(talks[2], conf)
    programme.reject(talks[3])
    return conf, talks


def assert_applied_once(store: SqliteReadStore, outbox: Outbox) -> None:
    journal = store.applied_event_ids()
    assert len(journal) == len(set(journal)), "an event was applied twice"
    assert set(journal) == event_ids(outbox), "an event was never applied"


def test_events_published_like_the_relay_are_applied(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
) -> None:
    conf, talks = story(programme)
    with running_projector(broker_url, topology, store) as running:
        publisher.publish(outbox_messages(outbox))
        wait_until(lambda: len(store.applied_event_ids()) == outbox.count(), what="all applied")
        wait_until(lambda: publisher.queue_depth(topology.queue) == 0, what="all acked")
    docs = store.load_talks(talks)
    assert [docs[t].status for t in talks] == ["scheduled", "scheduled", "withdrawn", "rejected"]
    assert docs[talks[0]].rating.count == 2
    assert store.talk_counts(conf) == {"scheduled": 2, "withdrawn": 1, "rejected": 1}
    assert running.projector.stats.applied == outbox.count()
    assert publisher.queue_depth(topology.dead_letter_queue) == 0
    assert_applied_once(store, outbox)
