"""Conference stream -> the conference document and talk slots (derived status too)."""

from __future__ import annotations

import uuid

import pytest

from query_service.documents import ConferenceDocument, TalkDocument
from query_service.projections.conference import project_conference_event
from query_service.projections.dispatch import Changes, documents_of, project, required_documents
from query_service.projections.errors import EventNotYetApplicable, ProjectionError
from shared_domain.events import (
    ConferenceCreated,
    ConferenceRenamed,
    StageAdded,
    StageRemoved,
    TalkAccepted,
    TalkScheduled,
    TalkSubmitted,
    TalkUnscheduled,
    TalkWithdrawn,
)


def _created(conference_id: str) -> ConferenceCreated:
    return ConferenceCreated(
        aggregate_id=conference_id,
        aggregate_version=1,
        name="PyCon",
        starts_on="2025-05-01",
        ends_on="2025-05-03",
        timezone="America/New_York",
        stages=["Main", "Side"],
    )


def _scheduled(conference_id: str, talk_id: str, version: int, hour: int) -> TalkScheduled:
    return TalkScheduled(
        aggregate_id=conference_id,
        aggregate_version=version,
        talk_id=talk_id,
        stage="Main",
        starts_at=f"2025-05-02T{hour:02d}:00:00+00:00",
        ends_at=f"2025-05-02T{hour:02d}:40:00Z",
    )


@pytest.fixture
def ids() -> tuple[str, str]:
    return f"conf-{uuid.uuid4()}", f"talk-{uuid.uuid4()}"


def test_created_renamed_and_stages(ids: tuple[str, str]) -> None:
    conference_id, _ = ids
    change = project_conference_event(_created(conference_id), None)
    assert change is not None
    conference = change.conference
    assert conference.version == 1
    assert conference.stages == ("Main", "Side")
    for event in (
        ConferenceRenamed(aggregate_id=conference_id, aggregate_version=2, name="PyCon US"),
        StageAdded(aggregate_id=conference_id, aggregate_version=3, stage="Lab"),
        StageRemoved(aggregate_id=conference_id, aggregate_version=4, stage="side"),
    ):
        change = project_conference_event(event, conference)
        assert change is not None
        assert change.talk is None
        conference = change.conference
    assert conference.name == "PyCon US"
    assert conference.stages == ("Main", "Lab")
    assert conference.version == 4


def test_a_duplicate_conference_event_is_skipped(ids: tuple[str, str]) -> None:
    conference_id, _ = ids
    change = project_conference_event(_created(conference_id), None)
    assert change is not None
    assert project_conference_event(_created(conference_id), change.conference) is None


def test_a_conference_event_beyond_a_gap_is_refused(ids: tuple[str, str]) -> None:
    conference_id, _ = ids
    change = project_conference_event(_created(conference_id), None)
    assert change is not None
    renamed = ConferenceRenamed(aggregate_id=conference_id, aggregate_version=3, name="X")
    with pytest.raises(EventNotYetApplicable):
        project_conference_event(renamed, change.conference)
    with pytest.raises(EventNotYetApplicable):
        project_conference_event(renamed, None)


def test_scheduling_sets_a_slot_in_the_conference_timezone(ids: tuple[str, str]) -> None:
    conference_id, talk_id = ids
    created = project_conference_event(_created(conference_id), None)
    assert created is not None
    # 02:00 UTC on May 2nd is still May 1st in New York.
    change = project_conference_event(
        _scheduled(conference_id, talk_id, 2, 2), created.conference, None
    )
    assert change is not None
    assert change.conference.version == 2
    assert change.talk is not None
    slot = change.talk.slot
    assert slot is not None
    assert slot.day == "2025-05-01"
    assert slot.starts_at == "2025-05-02T02:00:00+00:00"
    assert slot.ends_at == "2025-05-02T02:40:00+00:00"
    assert change.talk.schedule_version == 2
    assert not change.talk.is_visible  # a slot alone is not a talk yet


def test_the_schedule_mark_is_monotonic(ids: tuple[str, str]) -> None:
    conference_id, talk_id = ids
    created = project_conference_event(_created(conference_id), None)
    assert created is not None
    newer = TalkDocument(id=talk_id, schedule_version=5)
    change = project_conference_event(
        _scheduled(conference_id, talk_id, 2, 10), created.conference, newer
    )
    assert change is not None
    assert change.talk is None  # the talk already reflects a later schedule change


def test_unscheduling_frees_the_slot(ids: tuple[str, str]) -> None:
    conference_id, talk_id = ids
    created = project_conference_event(_created(conference_id), None)
    assert created is not None
    scheduled = project_conference_event(
        _scheduled(conference_id, talk_id, 2, 10), created.conference, None
    )
    assert scheduled is not None
    unscheduled = TalkUnscheduled(
        aggregate_id=conference_id, aggregate_version=3, talk_id=talk_id, reason="withdrawn"
    )
    change = project_conference_event(unscheduled, scheduled.conference, scheduled.talk)
    assert change is not None
    assert change.talk is not None
    assert change.talk.slot is None
    assert change.talk.schedule_version == 3


def test_a_bad_timestamp_is_refused(ids: tuple[str, str]) -> None:
    conference_id, talk_id = ids
    created = project_conference_event(_created(conference_id), None)
    assert created is not None
    bad = TalkScheduled(
        aggregate_id=conference_id,
        aggregate_version=2,
        talk_id=talk_id,
        stage="Main",
        starts_at="2025-05-02T10:00:00",
        ends_at="2025-05-02T10:40:00",
    )
    with pytest.raises(ProjectionError):
        project_conference_event(bad, created.conference, None)


def _apply(
    changes: Changes, talks: dict[str, TalkDocument], confs: dict[str, ConferenceDocument]
) -> None:
    for talk in changes.talks:
        talks[talk.id] = talk
    for conference in changes.conferences:
        confs[conference.id] = conference


def test_status_is_derived_whatever_the_order_of_streams(ids: tuple[str, str]) -> None:
    conference_id, talk_id = ids
    submitted = TalkSubmitted(
        aggregate_id=talk_id,
        aggregate_version=1,
        conference_id=conference_id,
        title="T",
        abstract="",
        speakers=[{"name": "A"}],
        tags=[],
        level="beginner",
        format="talk",
        duration_minutes=40,
        language="en",
    )
    accepted = TalkAccepted(aggregate_id=talk_id, aggregate_version=2)
    scheduled = _scheduled(conference_id, talk_id, 2, 14)
    withdrawn = TalkWithdrawn(aggregate_id=talk_id, aggregate_version=3)
    talks: dict[str, TalkDocument] = {}
    confs: dict[str, ConferenceDocument] = {}
    # The conference stream runs ahead of the talk stream (as a broker may deliver).
    for event in (_created(conference_id), scheduled, submitted):
        _apply(project(event, talks, confs), talks, confs)
    assert talks[talk_id].status == "submitted"
    _apply(project(accepted, talks, confs), talks, confs)
    assert talks[talk_id].status == "scheduled"
    _apply(project(withdrawn, talks, confs), talks, confs)
    assert talks[talk_id].status == "withdrawn"


def test_required_documents(ids: tuple[str, str]) -> None:
    conference_id, talk_id = ids
    keys = required_documents(_scheduled(conference_id, talk_id, 2, 10))
    assert keys.talk_ids == {talk_id}
    assert keys.conference_ids == {conference_id}
    submitted_keys = required_documents(TalkAccepted(aggregate_id=talk_id, aggregate_version=2))
    assert submitted_keys.talk_ids == {talk_id}
    assert not submitted_keys.conference_ids


def test_documents_of_a_batch_and_their_overlap(ids: tuple[str, str]) -> None:
    conference_id, talk_id = ids
    scheduled = documents_of([_scheduled(conference_id, talk_id, 2, 10)])
    other_talk = documents_of([TalkAccepted(aggregate_id="talk-other", aggregate_version=2)])
    both = documents_of(
        [
            _scheduled(conference_id, talk_id, 2, 10),
            TalkAccepted(aggregate_id="t2", aggregate_version=2),
        ]
    )
    assert both.talk_ids == {talk_id, "t2"}
    assert both.conference_ids == {conference_id}
    assert scheduled.overlaps(both)
    assert not scheduled.overlaps(other_talk)
    assert documents_of([]).talk_ids == frozenset()
