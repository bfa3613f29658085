"""Over the broker: v1 events still queued (or relayed from an old outbox) project as v2,
and a version newer than the projector knows is parked in the dead-letter queue with its
reason while the stream goes on (ADR 082)."""

from __future__ import annotations

import json
from pathlib import Path

from query_service.consumers.outbox_tail import OutboxTail
from query_service.consumers.rabbitmq_topology import ProjectorTopology
from query_service.dead_letters import list_dead_letters, replay_dead_letters
from query_service.projector.projector import Projector
from query_service.read_store.port import TalkQuery
from query_service.read_store.sqlite import SqliteReadStore
from query_service.settings import QuerySettings
from shared_domain.envelope import TraceContext, to_envelope
from shared_domain.upcasting import TalkEditedV1
from tests.old_events import V1_DETAILS, v1_submitted
from tests.projector_rabbitmq.conftest import (
    FAST_RETRY,
    Publisher,
    outbox_messages,
    running_projector,
    wait_until,
)
from tests.projector_rabbitmq.test_dead_letters import RefusesOneEvent
from tests.query_api.support import Outbox, Programme

TRACE = TraceContext(correlation_id="c", causation_id="c")


def test_v1_messages_project_as_v2_and_a_newer_version_is_parked(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
    settings: QuerySettings,
) -> None:
    conf = programme.conference()
    outbox.append(
        v1_submitted("talk-v1", conf, "Old"),
        TalkEditedV1(
            aggregate_id="talk-v1", aggregate_version=2, title="Old, edited", **V1_DETAILS
        ),
    )
    future = to_envelope(
        v1_submitted("talk-v3", conf, "New"),
        TRACE,
    )
    future["type"] = "conference.talk.submitted.v3"
    with running_projector(broker_url, topology, store):
        publisher.publish(outbox_messages(outbox))
        publisher.publish_raw(json.dumps(future).encode(), future["type"])
        current = programme.submit(conf, title="Current", language="de")
        publisher.publish(outbox_messages(outbox, after=3))
        wait_until(lambda: publisher.queue_depth(topology.dead_letter_queue) == 1, what="parked")
        wait_until(lambda: store.get_talk(current) is not None, what="the stream went on")

    old = store.get_talk("talk-v1")
    assert old is not None
    assert old.details is not None
    assert (old.details.title, old.details.language) == ("Old, edited", "en")
    page = store.search_talks(TalkQuery(conference_id=conf))
    assert {f.value: f.count for f in page.facets["language"]} == {"en": 1, "de": 1}
    [letter] = list_dead_letters(settings)
    assert letter.event_type == "conference.talk.submitted.v3"
    assert letter.where == f"rabbitmq:{topology.dead_letter_queue}"
    assert "newer than this consumer knows (v2)" in letter.reason


def test_a_parked_v1_event_replays_as_v2(
    programme: Programme, outbox: Outbox, store: SqliteReadStore, tmp_path: Path
) -> None:
    """Embedded (no broker): a v1 edit parked by a projection bug, replayed once fixed,
    goes through the same upcasting as the live stream."""
    embedded = QuerySettings(
        broker_url=None,
        search_url=f"sqlite:///{tmp_path / 'query.db'}",
        database_url=f"sqlite:///{outbox.path}",
    )
    conf = programme.conference()
    edited = TalkEditedV1(aggregate_id="talk-v1", aggregate_version=2, title="Later", **V1_DETAILS)
    outbox.append(
        v1_submitted("talk-v1", conf, "Old"),
        edited,
    )
    buggy = RefusesOneEvent(store, edited.event_id)
    Projector(OutboxTail(outbox.path), buggy, retry=FAST_RETRY).run_until_idle()
    [letter] = list_dead_letters(embedded)
    assert letter.event_type == "conference.talk.edited.v2"  # as the projector read it
    assert json.loads(letter.envelope)["type"] == "conference.talk.edited.v1"  # as recorded

    buggy.fixed = True
    assert replay_dead_letters(embedded).replayed == [letter.id]

    talk = store.get_talk("talk-v1")
    assert talk is not None
    assert talk.details is not None
    assert (talk.details.title, talk.details.language, talk.talk_version) == ("Later", "en", 2)
