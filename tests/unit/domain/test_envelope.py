"""The published language: every domain event in and out of its CloudEvents 1.0 envelope."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime

import pytest

from shared_domain.envelope import (
    MalformedEnvelope,
    TraceContext,
    UnknownEventType,
    from_envelope,
    to_envelope,
)
from shared_domain.events import (
    EVENT_CLASSES,
    EVENT_TYPES,
    ConferenceRenamed,
    DomainEvent,
    JsonDict,
    StageAdded,
    TalkAccepted,
    TalkRejected,
)
from tests.unit.domain.conftest import EventsByClass

TRACE = TraceContext(correlation_id="corr-1", causation_id="cmd-1")
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

Change = Callable[[JsonDict], None]
"""Alters an envelope in place."""


def test_the_sample_covers_every_event_class(events_by_class: EventsByClass) -> None:
    assert set(events_by_class) == set(EVENT_CLASSES)


def test_event_types_are_unique_and_versioned() -> None:
    types = [cls.event_type() for cls in EVENT_CLASSES]
    assert len(set(types)) == len(types) == len(EVENT_TYPES)
    assert all(t.startswith("conference.") for t in types)
    assert all(
        t.endswith(f".v{cls.schema_version}") for t, cls in zip(types, EVENT_CLASSES, strict=True)
    )


@pytest.mark.parametrize(
    ("cls", "event_type"),
    [(cls, cls.event_type()) for cls in EVENT_CLASSES],
    ids=[cls.__name__ for cls in EVENT_CLASSES],
)
def test_envelope_carries_every_cloudevents_attribute(
    events_by_class: EventsByClass, cls: type[DomainEvent], event_type: str
) -> None:
    event = events_by_class[cls]

    envelope = to_envelope(event, TRACE)

    assert envelope == {
        "specversion": "1.0",
        "id": event.event_id,
        "source": "/conference-program/command-service",
        "type": event_type,
        "subject": event.aggregate_id,
        "time": event.occurred_at,
        "datacontenttype": "application/json",
        "data": event.data(),
        "aggregatetype": cls.aggregate_type,
        "aggregateid": event.aggregate_id,
        "aggregateversion": event.aggregate_version,
        "correlationid": "corr-1",
        "causationid": "cmd-1",
    }
    assert uuid.UUID(envelope["id"])
    assert datetime.fromisoformat(envelope["time"]).tzinfo is not None
    assert envelope["aggregatetype"] in ("conference", "talk", "talk_ratings")


@pytest.mark.parametrize("cls", EVENT_CLASSES, ids=[cls.__name__ for cls in EVENT_CLASSES])
def test_envelope_round_trip_through_json(
    events_by_class: EventsByClass, cls: type[DomainEvent]
) -> None:
    event = events_by_class[cls]
    envelope = json.loads(json.dumps(to_envelope(event, TRACE)))

    restored = from_envelope(envelope)

    assert type(restored) is cls
    assert restored == event


def test_examples_of_event_data(events_by_class: EventsByClass) -> None:
    assert events_by_class[ConferenceRenamed].data() == {"name": "Renamed"}
    assert events_by_class[TalkAccepted].data() == {}
    assert events_by_class[TalkRejected].data() == {"reason": "Off topic"}
    assert events_by_class[TalkAccepted].event_type() == "conference.talk.accepted.v1"


def test_traceparent_only_when_given(events_by_class: EventsByClass) -> None:
    event = next(iter(events_by_class.values()))
    assert "traceparent" not in to_envelope(event, TRACE)
    traced = TraceContext("corr-1", "cmd-1", traceparent=TRACEPARENT)
    assert to_envelope(event, traced)["traceparent"] == TRACEPARENT
    assert from_envelope(to_envelope(event, traced)) == event


def test_the_actor_is_an_extension_attribute_and_older_envelopes_lack_it(
    events_by_class: EventsByClass,
) -> None:
    event = next(iter(events_by_class.values()))
    acted = to_envelope(event, TraceContext("corr-1", "cmd-1", actor="alice"))
    assert acted["actor"] == "alice"
    assert "actor" not in to_envelope(event, TRACE)
    assert from_envelope(acted) == from_envelope(to_envelope(event, TRACE)) == event


def test_event_ids_are_unique(events_by_class: EventsByClass) -> None:
    ids = [e.event_id for e in events_by_class.values()]
    assert len(set(ids)) == len(ids)


def test_unknown_data_fields_are_ignored(events_by_class: EventsByClass) -> None:
    envelope = to_envelope(events_by_class[StageAdded], TRACE)
    envelope["data"]["added_later"] = "optional"
    assert from_envelope(envelope) == events_by_class[StageAdded]


@pytest.mark.parametrize(
    "event_type",
    ["conference.talk.accepted.v2", "conference.talk.exploded.v1", "talk.accepted", "", "v1"],
)
def test_unknown_type_is_refused(events_by_class: EventsByClass, event_type: str) -> None:
    envelope = to_envelope(events_by_class[TalkAccepted], TRACE)
    envelope["type"] = event_type
    with pytest.raises(UnknownEventType):
        from_envelope(envelope)


def _without(key: str) -> Change:
    def change(envelope: JsonDict) -> None:
        del envelope[key]

    return change


def _setting(key: str, value: object) -> Change:
    def change(envelope: JsonDict) -> None:
        envelope[key] = value

    return change


def _without_data_field(envelope: JsonDict) -> None:
    del envelope["data"]["name"]


@pytest.mark.parametrize(
    "change",
    [
        _without("data"),
        _setting("data", None),
        _setting("data", "{}"),
        _setting("data", ["name"]),
        _without("type"),
        _setting("type", 7),
        _without("aggregateid"),
        _without("aggregateversion"),
        _without("id"),
        _without("time"),
        _setting("aggregateversion", "2"),
        _setting("aggregateversion", 2.0),
        _setting("aggregateversion", True),
        _setting("aggregateversion", 0),
        _setting("aggregateversion", None),
        _without_data_field,
    ],
    ids=[
        "no-data",
        "null-data",
        "string-data",
        "list-data",
        "no-type",
        "int-type",
        "no-aggregateid",
        "no-aggregateversion",
        "no-id",
        "no-time",
        "string-version",
        "float-version",
        "bool-version",
        "zero-version",
        "null-version",
        "missing-data-field",
    ],
)
def test_malformed_envelope_is_refused(events_by_class: EventsByClass, change: Change) -> None:
    envelope = to_envelope(events_by_class[ConferenceRenamed], TRACE)
    change(envelope)
    with pytest.raises(MalformedEnvelope):
        from_envelope(envelope)


@pytest.mark.parametrize("message", [None, "a string", ["list"], 42, b"{}"])
def test_a_message_that_is_not_a_mapping_is_malformed(message: object) -> None:
    with pytest.raises(MalformedEnvelope):
        from_envelope(message)  # type: ignore[arg-type]  # wrong type on purpose
