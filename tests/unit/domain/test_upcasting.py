"""Upcasters: envelopes an older write side recorded read as the newest event classes."""

from __future__ import annotations

import pytest

from shared_domain.envelope import (
    MalformedEnvelope,
    TraceContext,
    UnknownEventType,
    from_envelope,
    to_envelope,
)
from shared_domain.events import EVENT_TYPES, JsonDict, TalkEdited, TalkSubmitted
from shared_domain.upcasting import PAST_EVENT_CLASSES, STEPS, TalkEditedV1, TalkSubmittedV1
from tests.old_events import V1_DETAILS

DETAILS_V1: JsonDict = {"title": "Event sourcing", **V1_DETAILS}


def _v1(event_type: str, data: JsonDict) -> JsonDict:
    """An envelope exactly as the write side wrote it before v2 (no ``language``)."""
    return {
        "specversion": "1.0",
        "id": "7d3c3c1e-54a4-4b0a-9b0e-5f1d2c3b4a59",
        "source": "/conference-program/command-service",
        "type": event_type,
        "subject": "talk-1",
        "time": "2025-05-01T10:00:00+00:00",
        "datacontenttype": "application/json",
        "data": data,
        "aggregatetype": "talk",
        "aggregateid": "talk-1",
        "aggregateversion": 1,
        "correlationid": "c",
        "causationid": "c",
    }


def test_a_v1_submission_reads_as_v2_in_english() -> None:
    event = from_envelope(
        _v1("conference.talk.submitted.v1", {"conference_id": "conf-1", **DETAILS_V1})
    )
    assert event == TalkSubmitted(
        aggregate_id="talk-1",
        aggregate_version=1,
        event_id="7d3c3c1e-54a4-4b0a-9b0e-5f1d2c3b4a59",
        occurred_at="2025-05-01T10:00:00+00:00",
        conference_id="conf-1",
        **DETAILS_V1,
        language="en",
    )
    assert event.event_type() == "conference.talk.submitted.v2"


def test_a_v1_edit_reads_as_v2_in_english() -> None:
    event = from_envelope(_v1("conference.talk.edited.v1", DETAILS_V1))
    assert isinstance(event, TalkEdited)
    assert (event.language, event.title) == ("en", "Event sourcing")


def test_a_v2_round_trips_with_its_language() -> None:
    submitted = TalkSubmitted(
        aggregate_id="talk-1", aggregate_version=1, conference_id="c", **DETAILS_V1, language="fr"
    )
    envelope = to_envelope(submitted, TraceContext("c", "c"))
    assert envelope["type"] == "conference.talk.submitted.v2"
    assert envelope["data"]["language"] == "fr"
    assert from_envelope(envelope) == submitted


def test_a_v2_without_its_language_is_malformed_not_defaulted() -> None:
    with pytest.raises(MalformedEnvelope):
        from_envelope(_v1("conference.talk.edited.v2", DETAILS_V1))


@pytest.mark.parametrize(
    "event_type", ["conference.talk.submitted.v3", "conference.talk.accepted.v2"]
)
def test_a_future_version_is_refused_naming_the_version_known(event_type: str) -> None:
    with pytest.raises(UnknownEventType, match=r"newer than this consumer knows \(v\d\)"):
        from_envelope(_v1(event_type, {"conference_id": "c", **DETAILS_V1, "language": "en"}))


def test_every_chain_ends_at_a_current_class() -> None:
    for event_type in STEPS:
        current = event_type
        for _ in range(len(STEPS) + 1):
            if current not in STEPS:
                break
            current = STEPS[current].target.event_type()
        assert current in EVENT_TYPES


def test_every_past_version_has_a_step_and_is_not_current() -> None:
    assert {cls.event_type() for cls in PAST_EVENT_CLASSES} == set(STEPS)
    assert not set(STEPS) & set(EVENT_TYPES)
    assert {TalkSubmittedV1.event_type(), TalkEditedV1.event_type()} == {
        "conference.talk.submitted.v1",
        "conference.talk.edited.v1",
    }
