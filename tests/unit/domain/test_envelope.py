"""The published language: every domain event in and out of its CloudEvents 1.0 envelope."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from shared_domain.conference import Conference
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
from shared_domain.ratings import TalkRatings
from shared_domain.talk import Talk, speakers_of
from tests.unit.domain.conftest import MakeDetails
from tests.unit.domain.typed_input import moment, typed

TRACE = TraceContext(correlation_id="corr-1", causation_id="cmd-1")
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

EventsByClass = dict[type[DomainEvent], DomainEvent]
Change = Callable[[JsonDict], None]
"""Alters an envelope in place."""


@pytest.fixture
def events_by_class(conference_input: dict[str, Any], make_details: MakeDetails) -> EventsByClass:
    """One real event of every class, produced by the aggregates' own commands."""
    conference = Conference.create("conf-1", **typed(**conference_input))
    conference.rename("Renamed")
    conference.add_stage("Hall B")
    conference.remove_stage("Hall B")

    talk = Talk.submit(
        "talk-1", "conf-1", make_details(speakers=[{"name": "Ada"}, {"name": "Bo", "company": "X"}])
    )
    talk.edit(talk.details.revise({"title": "Edited"}), scheduled=False)
    talk.accept()
    talk.withdraw()
    rejected = Talk.submit("talk-2", "conf-1", make_details())
    rejected.reject("Off topic")

    accepted = Talk.submit("talk-3", "conf-1", make_details())
    accepted.accept()
    conference.schedule(
        accepted,
        stage="Main",
        starts_at=moment("2026-06-01T10:00:00Z"),
        speakers_of=speakers_of([]),
    )
    conference.unschedule("talk-3", reason="withdrawn")

    ratings = TalkRatings.start("talk-3")
    ratings.rate(accepted, "ada", 4, None)
    ratings.remove("ada", 4)

    events = [
        *conference.pull_events(),
        *talk.pull_events(),
        *rejected.pull_events(),
        *ratings.pull_events(),
    ]
    return {type(event): event for event in events}


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
