"""Talk stream -> details and lifecycle, with duplicate and gap handling."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from query_service.documents import RatingSummary, TalkDocument
from query_service.projections.errors import EventNotYetApplicable, ProjectionError
from query_service.projections.talk import project_talk_event
from shared_domain.events import (
    TalkAccepted,
    TalkEdited,
    TalkRejected,
    TalkSubmitted,
    TalkWithdrawn,
)


def _submitted(talk_id: str, version: int = 1) -> TalkSubmitted:
    return TalkSubmitted(
        aggregate_id=talk_id,
        aggregate_version=version,
        occurred_at="2025-01-01T10:00:00+01:00",
        conference_id="conf-1",
        title="Scaling Python",
        abstract="How to scale.",
        speakers=[{"name": "Ada", "company": "ACME"}, {"name": "Bob"}],
        tags=["python"],
        level="beginner",
        format="talk",
        duration_minutes=40,
        language="en",
    )


@pytest.fixture
def talk_id() -> str:
    return f"talk-{uuid.uuid4()}"


def test_submitted_creates_details_and_lifecycle(talk_id: str) -> None:
    doc = project_talk_event(_submitted(talk_id), None)
    assert doc is not None
    assert doc.details is not None
    assert doc.details.title == "Scaling Python"
    assert doc.details.speakers[1].company is None
    assert doc.status == "submitted"
    assert doc.talk_version == 1
    assert doc.submitted_at == "2025-01-01T09:00:00+00:00"
    assert doc.is_visible


def test_submitted_keeps_an_earlier_slot_and_rating(talk_id: str) -> None:
    partial = TalkDocument(id=talk_id, rating=RatingSummary(2, 9, 4.5), rating_version=2)
    assert not partial.is_visible
    doc = project_talk_event(_submitted(talk_id), partial)
    assert doc is not None
    assert doc.rating == RatingSummary(2, 9, 4.5)
    assert doc.rating_version == 2


def test_edit_replaces_details_but_keeps_the_conference(talk_id: str) -> None:
    doc = project_talk_event(_submitted(talk_id), None)
    edited = TalkEdited(
        aggregate_id=talk_id,
        aggregate_version=2,
        title="Scaling Rust",
        abstract="",
        speakers=[{"name": "Cy", "company": None}],
        tags=[],
        level="advanced",
        format="workshop",
        duration_minutes=120,
        language="fr",
    )
    after = project_talk_event(edited, doc)
    assert after is not None
    assert after.details is not None
    assert after.details.title == "Scaling Rust"
    assert after.details.language == "fr"
    assert after.details.conference_id == "conf-1"
    assert after.talk_version == 2


@pytest.mark.parametrize(
    ("event_class", "status"),
    [(TalkAccepted, "accepted"), (TalkWithdrawn, "withdrawn")],
)
def test_lifecycle_events_set_the_status(
    talk_id: str, event_class: type[TalkAccepted | TalkWithdrawn], status: str
) -> None:
    doc = project_talk_event(_submitted(talk_id), None)
    after = project_talk_event(event_class(aggregate_id=talk_id, aggregate_version=2), doc)
    assert after is not None
    assert after.status == status


def test_rejected(talk_id: str) -> None:
    doc = project_talk_event(_submitted(talk_id), None)
    rejected = TalkRejected(aggregate_id=talk_id, aggregate_version=2, reason="off topic")
    after = project_talk_event(rejected, doc)
    assert after is not None
    assert after.status == "rejected"


def test_a_duplicate_is_skipped(talk_id: str) -> None:
    doc = project_talk_event(_submitted(talk_id), None)
    accepted = project_talk_event(TalkAccepted(aggregate_id=talk_id, aggregate_version=2), doc)
    assert project_talk_event(_submitted(talk_id), accepted) is None
    again = TalkAccepted(aggregate_id=talk_id, aggregate_version=2)
    assert project_talk_event(again, accepted) is None


def test_an_event_beyond_a_gap_is_refused(talk_id: str) -> None:
    doc = project_talk_event(_submitted(talk_id), None)
    with pytest.raises(EventNotYetApplicable) as refused:
        project_talk_event(TalkAccepted(aggregate_id=talk_id, aggregate_version=3), doc)
    assert refused.value.applied == 1
    assert refused.value.received == 3


def test_a_later_event_without_details_is_a_gap(talk_id: str) -> None:
    with pytest.raises(EventNotYetApplicable):
        project_talk_event(TalkAccepted(aggregate_id=talk_id, aggregate_version=2), None)


def test_malformed_details_are_refused(talk_id: str) -> None:
    bad = replace(_submitted(talk_id), speakers=[{"company": "no name"}])
    with pytest.raises(ProjectionError):
        project_talk_event(bad, None)
