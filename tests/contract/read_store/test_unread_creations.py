"""A batch that only submits talks is written without reading them first (ADR 085), and a
talk that did exist after all is read and projected again: on each real engine, through
the projector's core as the broker projector drives it (per-document guards)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from query_service.consumers.source import SourceRecord
from query_service.projector.batch import Outcome
from query_service.projector.core import Options, write_events
from query_service.projector.decoding import Decoded, decode
from query_service.projector.fences import DocumentGuards
from query_service.read_store.search_engine import SearchEngineReadStore
from query_service.read_store.search_engine.client import EngineClient
from service_conventions.json_types import JsonDict
from shared_domain.envelope import TraceContext, to_envelope
from shared_domain.events import ConferenceCreated, DomainEvent, TalkScheduled, TalkSubmitted
from tests.contract.read_store.documents import new_id

TRACE = TraceContext("corr", "cause")


class _Counting:
    """The engine's client, counting the realtime reads and alias lookups it is asked for."""

    def __init__(self, inner: EngineClient) -> None:
        self._inner = inner
        self.mgets: list[Sequence[str]] = []
        self.alias_lookups = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def mget(self, index: str, ids: Sequence[str]) -> list[JsonDict]:
        self.mgets.append(list(ids))
        return self._inner.mget(index, ids)

    def indices(self, pattern: str) -> Mapping[str, set[str]]:
        self.alias_lookups += 1
        return self._inner.indices(pattern)


@pytest.fixture
def counting(engine_store: SearchEngineReadStore) -> tuple[SearchEngineReadStore, _Counting]:
    """A projector replica on the same indices, whose round trips are counted."""
    client = _Counting(engine_store._client)
    replica = SearchEngineReadStore(
        client,
        names=engine_store.names,
        replicas=0,
        owns_client=False,
    )
    replica.initialize()
    client.mgets.clear()
    client.alias_lookups = 0
    return replica, client


def _submitted(talk_id: str, conference_id: str = "conf-1") -> TalkSubmitted:
    return TalkSubmitted(
        aggregate_id=talk_id,
        aggregate_version=1,
        conference_id=conference_id,
        title=f"Talk {talk_id}",
        abstract="",
        speakers=[{"name": "Ada"}],
        tags=["python"],
        level="beginner",
        format="talk",
        duration_minutes=40,
        language="en",
    )


def _items(*events: DomainEvent) -> list[Decoded]:
    return [
        decode(SourceRecord(position, json.dumps(to_envelope(event, TRACE))))
        for position, event in enumerate(events, start=1)
    ]


def _write(store: SearchEngineReadStore, *events: DomainEvent) -> list[Outcome]:
    result = write_events(store, _items(*events), DocumentGuards(), Options())
    assert result.trouble is None
    assert not result.lost
    return [o.kind for o in result.outcomes if o is not None]


def test_a_batch_of_submissions_is_written_without_a_read_or_an_alias_lookup(
    counting: tuple[SearchEngineReadStore, _Counting],
) -> None:
    replica, client = counting
    talk_ids = [new_id("talk") for _ in range(3)]
    events = [_submitted(talk_id) for talk_id in talk_ids]

    assert _write(replica, *events) == [Outcome.APPLIED] * 3

    assert (client.mgets, client.alias_lookups) == ([], 0)
    loaded = replica.load_talks(talk_ids)
    assert {t.details.title for t in loaded.values() if t.details} == {
        f"Talk {talk_id}" for talk_id in talk_ids
    }
    assert sorted(replica.applied_event_ids()) == sorted(e.event_id for e in events)


def test_a_redelivered_submission_is_read_and_found_a_duplicate(
    engine_store: SearchEngineReadStore,
) -> None:
    store = engine_store
    talk_id = new_id("talk")
    submitted = _submitted(talk_id)
    assert _write(store, submitted) == [Outcome.APPLIED]
    before = store.load_talks([talk_id])

    assert _write(store, submitted) == [Outcome.DUPLICATE]

    assert store.load_talks([talk_id]) == before
    assert store.applied_event_ids() == [submitted.event_id]


def test_a_submission_whose_slot_arrived_first_keeps_the_slot(
    counting: tuple[SearchEngineReadStore, _Counting],
) -> None:
    """The conference stream ran ahead: the talk's document exists, holding only its slot.
    Creating it blindly fails its guard; the retry reads it and adds the details to it."""
    replica, client = counting
    conference_id, talk_id = new_id("conf"), new_id("talk")
    created = ConferenceCreated(
        aggregate_id=conference_id,
        aggregate_version=1,
        name="PyCon",
        starts_on="2025-05-01",
        ends_on="2025-05-03",
        timezone="UTC",
        stages=["Main"],
    )
    scheduled = TalkScheduled(
        aggregate_id=conference_id,
        aggregate_version=2,
        talk_id=talk_id,
        stage="Main",
        starts_at="2025-05-02T10:00:00+00:00",
        ends_at="2025-05-02T10:40:00+00:00",
    )
    assert _write(replica, created, scheduled) == [Outcome.APPLIED] * 2
    client.mgets.clear()

    assert _write(replica, _submitted(talk_id, conference_id)) == [Outcome.APPLIED]

    assert client.mgets == [[talk_id]], "read only on the retry"
    [doc] = replica.load_talks([talk_id]).values()
    assert doc.slot is not None
    assert doc.slot.stage == "Main"
    assert doc.details is not None
    assert doc.details.title == f"Talk {talk_id}"


def test_a_batch_of_submissions_goes_to_the_generation_that_serves(
    engine_store: SearchEngineReadStore,
) -> None:
    store = engine_store
    generation = store.create_generation()
    store.activate_generation(generation)
    talk_id = new_id("talk")
    submitted = _submitted(talk_id)

    assert _write(store, submitted) == [Outcome.APPLIED]

    for name, held in (("g1", {}), (generation, {talk_id})):
        pinned = store.for_generation(name)
        try:
            assert set(pinned.load_talks([talk_id])) == set(held), name
            assert pinned.applied_event_ids() == ([submitted.event_id] if held else []), name
        finally:
            pinned.close()
