"""Every envelope the aggregates write validates against its published JSON Schema, and
the schemas refuse what the events never hold (so the schemas say something)."""

from __future__ import annotations

import copy

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from conference_cli.contract.schemas import PUBLISHED, schema_document
from shared_domain.envelope import TraceContext, to_envelope
from shared_domain.events import EVENT_CLASSES, DomainEvent, JsonDict, TalkSubmitted
from shared_domain.upcasting import TalkSubmittedV1
from tests.old_events import V1_DETAILS
from tests.unit.domain.conftest import EventsByClass

TRACE = TraceContext(correlation_id="c", causation_id="c", actor="user-1")


def _validator(cls: type[DomainEvent]) -> Draft202012Validator:
    document = schema_document(cls)
    Draft202012Validator.check_schema(document)
    return Draft202012Validator(document, format_checker=FormatChecker())


@pytest.mark.parametrize("cls", EVENT_CLASSES, ids=[cls.event_type() for cls in EVENT_CLASSES])
def test_every_current_envelope_matches_its_schema(
    events_by_class: EventsByClass, cls: type[DomainEvent]
) -> None:
    _validator(cls).validate(to_envelope(events_by_class[cls], TRACE))


def test_a_v1_envelope_matches_the_v1_schema_and_not_the_v2_one() -> None:
    old = to_envelope(
        TalkSubmittedV1(
            aggregate_id="t", aggregate_version=1, conference_id="c", title="T", **V1_DETAILS
        ),
        TRACE,
    )
    _validator(TalkSubmittedV1).validate(old)
    assert not _validator(TalkSubmitted).is_valid(old)


def _broken(envelope: JsonDict, path: tuple[str, ...], value: object) -> JsonDict:
    changed = copy.deepcopy(envelope)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("data", "language"), 7),
        (("data", "duration_minutes"), "40"),
        (("aggregateversion",), 0),
        (("type",), "conference.talk.submitted.v1"),
        (("specversion",), "0.3"),
    ],
)
def test_the_schema_refuses_a_wrong_shape(
    events_by_class: EventsByClass, path: tuple[str, ...], value: object
) -> None:
    envelope = to_envelope(events_by_class[TalkSubmitted], TRACE)
    assert not _validator(TalkSubmitted).is_valid(_broken(envelope, path, value))


def test_a_missing_field_is_refused(events_by_class: EventsByClass) -> None:
    envelope = to_envelope(events_by_class[TalkSubmitted], TRACE)
    del envelope["data"]["language"]
    assert not _validator(TalkSubmitted).is_valid(envelope)


def test_every_version_is_published_once() -> None:
    types = [cls.event_type() for cls in PUBLISHED]
    assert len(types) == len(set(types)) == len(EVENT_CLASSES) + 2
