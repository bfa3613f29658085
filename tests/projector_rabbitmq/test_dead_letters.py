"""Poison messages are parked with their reason while the stream goes on; operators list,
show, replay and drop them (``query_service.dead_letters``), on the broker and embedded."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from query_service.consumers.outbox_tail import OutboxTail
from query_service.consumers.rabbitmq_topology import ProjectorTopology
from query_service.dead_letters import (
    drop_dead_letters,
    list_dead_letters,
    replay_dead_letters,
    show_dead_letter,
)
from query_service.projector.projector import Projector
from query_service.read_store.port import WriteBatch
from query_service.read_store.sqlite import SqliteReadStore
from query_service.settings import QuerySettings
from shared_domain.envelope import TraceContext, to_envelope
from shared_domain.events import TalkAccepted, TalkScheduled
from tests.projector_rabbitmq.conftest import (
    FAST_RETRY,
    Publisher,
    event_ids,
    outbox_messages,
    running_projector,
    wait_until,
)
from tests.projector_rabbitmq.test_consuming import assert_applied_once
from tests.query_api.support import Outbox, Programme

TRACE = TraceContext(correlation_id="c", causation_id="c")


def test_poison_is_parked_with_its_reason_and_the_stream_goes_on(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
    settings: QuerySettings,
) -> None:
    conf = programme.conference()
    talk_id = programme.submit(conf, title="Before the poison")
    future = to_envelope(TalkAccepted(aggregate_id=talk_id, aggregate_version=2), TRACE)
    future["type"] = "conference.talk.accepted.v9"
    refused = TalkScheduled(  # no UTC offset: the projection refuses it
        aggregate_id=conf,
        aggregate_version=2,
        talk_id=talk_id,
        stage="Main",
        starts_at="2025-05-01T10:00:00",
        ends_at="2025-05-01T10:40:00",
    )
    with running_projector(broker_url, topology, store) as running:
        publisher.publish(outbox_messages(outbox))
        publisher.publish_raw(b"{not json")
        publisher.publish_raw(json.dumps(future).encode(), "conference.talk.accepted.v9")
        publisher.publish_raw(json.dumps(to_envelope(refused, TRACE)).encode())
        after = programme.submit(conf, title="After the poison")
        programme.rate(after, 4)
        publisher.publish(outbox_messages(outbox, after=2))
        wait_until(lambda: publisher.queue_depth(topology.dead_letter_queue) == 3, what="3 parked")
        wait_until(lambda: store.load_talks([after])[after].rating.count == 1, what="rated")
    assert running.projector.stats.dead_lettered == 3

    letters = {letter.reason.split(":")[0]: letter for letter in list_dead_letters(settings)}
    assert set(letters) == {"malformed", "unknown_event_type", "ProjectionError"}
    assert letters["ProjectionError"].attempts == FAST_RETRY.attempts
    assert letters["ProjectionError"].stream == f"conference/{conf}"
    assert letters["unknown_event_type"].event_type == "conference.talk.accepted.v9"
    assert letters["malformed"].envelope == "{not json"
    assert all(
        letter.where == f"rabbitmq:{topology.dead_letter_queue}" for letter in letters.values()
    )
    assert len(list_dead_letters(settings)) == 3, "listing removed something"

    shown = show_dead_letter(settings, letters["ProjectionError"].id)
    assert shown == letters["ProjectionError"]
    assert show_dead_letter(settings, "no-such-letter") is None
    assert drop_dead_letters(settings, [letters["malformed"].id]).dropped == [
        letters["malformed"].id
    ]
    assert {letter.id for letter in list_dead_letters(settings)} == {
        letters["ProjectionError"].id,
        letters["unknown_event_type"].id,
    }


def test_an_event_whose_predecessor_is_late_is_held_and_applies_by_itself(
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
    settings: QuerySettings,
) -> None:
    """A gap is not poison (ADR 061): held, never dead-lettered, and no operator needed."""
    conf = programme.conference()
    talk_id = programme.submit(conf)
    programme.accept(talk_id)
    programme.withdraw(talk_id)
    created, submitted, accepted, withdrawn = outbox_messages(outbox)
    with running_projector(broker_url, topology, store, gap_timeout=0.3) as running:
        publisher.publish([created, accepted])  # version 1 is late: 2 waits, then is held
        wait_until(lambda: running.projector.stats.held >= 1, what="held")
        started = time.monotonic()
        publisher.publish([withdrawn])  # an earlier event of its stream is held: at once
        wait_until(lambda: running.projector.stats.held >= 2, what="held behind")
        assert time.monotonic() - started < 0.3 + 0.25, "a held-behind event waited out the gap"
        publisher.publish([submitted])
        wait_until(lambda: len(store.applied_event_ids()) == outbox.count(), what="healed")
        wait_until(lambda: publisher.queue_depth(topology.queue) == 0, what="all settled")
        assert publisher.queue_depth(topology.held_queue) == 0
    assert store.load_talks([talk_id])[talk_id].status == "withdrawn"
    assert list_dead_letters(settings) == []
    assert running.projector.stats.dead_lettered == 0
    assert_applied_once(store, outbox)


class RefusesOneEvent:
    """The real store, but writing ``event_id``'s documents fails until ``fixed``: a bug in
    a projection that an upgrade fixes, so that the replay of its poison succeeds."""

    def __init__(self, inner: SqliteReadStore, event_id: str) -> None:
        self._inner = inner
        self._event_id = event_id
        self.fixed = False

    def write(self, batch: WriteBatch) -> None:
        if not self.fixed and self._event_id in batch.applied_event_ids:
            raise ValueError("the projection of this event has a bug")
        self._inner.write(batch)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@pytest.mark.parametrize("settlement", ["replay", "drop"])
def test_poison_holds_only_its_own_stream_which_resumes_after_a_replay_or_a_drop(
    settlement: str,
    broker_url: str,
    topology: ProjectorTopology,
    publisher: Publisher,
    programme: Programme,
    outbox: Outbox,
    store: SqliteReadStore,
    settings: QuerySettings,
) -> None:
    conf = programme.conference()
    talk_id = programme.submit(conf)
    programme.accept(talk_id)  # the poison: version 2 of the talk
    programme.reject(talk_id)
    programme.withdraw(talk_id)
    other = programme.submit(conf, title="Another stream")
    messages = outbox_messages(outbox)
    poison = messages[2]
    refusing = RefusesOneEvent(store, poison.event_id)
    with running_projector(broker_url, topology, refusing, gap_timeout=0.3) as running:
        publisher.publish(messages[:3])
        wait_until(lambda: publisher.queue_depth(topology.dead_letter_queue) == 1, what="parked")
        publisher.publish(messages[3:])
        wait_until(lambda: store.get_talk(other) is not None, what="the other stream goes on")
        wait_until(lambda: running.projector.stats.held >= 2, what="its later events held")
        assert store.load_talks([talk_id])[talk_id].talk_version == 1
        [letter] = list_dead_letters(settings)
        assert letter.event_id == poison.event_id, "only the poison is an operator's task"

        if settlement == "replay":
            refusing.fixed = True  # the projector was upgraded
            assert replay_dead_letters(settings).replayed == [poison.event_id]
        else:
            assert drop_dead_letters(settings, [poison.event_id]).dropped == [poison.event_id]
        wait_until(
            lambda: store.load_talks([talk_id])[talk_id].status == "withdrawn",
            what=f"the held events applied by themselves after the {settlement}",
        )
        wait_until(lambda: publisher.queue_depth(topology.held_queue) == 0, what="none held")
    assert list_dead_letters(settings) == []
    assert store.load_talks([talk_id])[talk_id].talk_version == 4
    journal = store.applied_event_ids()
    assert len(journal) == len(set(journal)), "an event was applied twice"
    dropped = {poison.event_id} if settlement == "drop" else set()
    assert set(journal) == event_ids(outbox) - dropped


def test_embedded_a_dropped_poison_releases_the_letters_behind_it(
    programme: Programme, outbox: Outbox, store: SqliteReadStore, tmp_path: Path
) -> None:
    """No broker: the letters parked behind a poison (``blocked``) follow its drop, and a
    letter beyond a gap cannot be passed over before its predecessor."""
    embedded = QuerySettings(
        broker_url=None,
        search_url=f"sqlite:///{tmp_path / 'query.db'}",
        database_url=f"sqlite:///{outbox.path}",
    )
    conf = programme.conference()
    talk_id = programme.submit(conf)
    programme.accept(talk_id)
    refused = TalkScheduled(  # no UTC offset: the projection refuses it
        aggregate_id=conf,
        aggregate_version=2,
        talk_id=talk_id,
        stage="Main",
        starts_at="2025-05-01T10:00:00",
        ends_at="2025-05-01T10:40:00",
    )
    outbox.append_envelope(json.dumps(to_envelope(refused, TRACE)))
    programme.versions[conf] = 2
    programme.schedule(conf, talk_id, "Side", "2025-05-01T11:00:00Z", "2025-05-01T11:40:00Z")
    Projector(OutboxTail(outbox.path), store, retry=FAST_RETRY).run_until_idle()
    poison, behind = list_dead_letters(embedded)
    assert behind.reason.startswith("blocked")

    refusal = drop_dead_letters(embedded, [behind.id])
    assert refusal.dropped == []
    assert "replay or drop its predecessor first" in refusal.refused[behind.id]
    assert drop_dead_letters(embedded, [poison.id]).dropped == [poison.id]
    assert list_dead_letters(embedded) == []
    slot = store.load_talks([talk_id])[talk_id].slot
    assert slot is not None
    assert slot.stage == "Side"
    assert store.load_conferences([conf])[conf].version == 3


def test_embedded_dead_letters_are_replayed_and_dropped(
    programme: Programme, outbox: Outbox, store: SqliteReadStore, tmp_path: Path
) -> None:
    """No broker: the read store's table (this test needs no RabbitMQ)."""
    embedded = QuerySettings(
        broker_url=None,
        search_url=f"sqlite:///{tmp_path / 'query.db'}",
        database_url=f"sqlite:///{outbox.path}",
    )
    conf = programme.conference()
    talk_id = programme.submit(conf)
    programme.versions[talk_id] += 1  # version 2 comes late
    programme.accept(talk_id)
    outbox.append_envelope("{not json")
    projector = Projector(OutboxTail(outbox.path), store, retry=FAST_RETRY)
    projector.run_until_idle()
    letters = list_dead_letters(embedded)
    assert [letter.reason.split(":")[0] for letter in letters] == [
        "EventNotYetApplicable",
        "malformed",
    ]
    assert {letter.where for letter in letters} == {"read-store"}
    gap, garbage = letters
    assert show_dead_letter(embedded, gap.id) == gap

    refused = replay_dead_letters(embedded, [gap.id])
    assert refused.replayed == []
    assert refused.refused[gap.id].startswith("EventNotYetApplicable")  # still beyond the gap
    programme.versions[talk_id] = 1
    programme.accept(talk_id)  # version 2 arrives late: parked behind version 3 (blocked)
    projector.run_until_idle()
    late = list_dead_letters(embedded)[-1]
    assert late.reason.startswith("blocked")
    report = replay_dead_letters(embedded, [gap.id, late.id, "404"])
    assert report.replayed == [late.id, gap.id]
    assert report.missing == ["404"]
    assert store.load_talks([talk_id])[talk_id].talk_version == 3
    assert drop_dead_letters(embedded, [garbage.id]).dropped == [garbage.id]
    assert list_dead_letters(embedded) == []
    journal = store.applied_event_ids()
    assert len(journal) == len(set(journal)) == outbox.count() - 1  # all but the garbage
