"""A read document against the one its write model implies, field by field."""

from __future__ import annotations

import dataclasses

from query_service.consistency.compare import (
    Difference,
    Kind,
    compare_conference,
    compare_talk,
)
from query_service.documents import (
    ConferenceDocument,
    DocumentSlot,
    DocumentSpeaker,
    DocumentTalkDetails,
    RatingSummary,
    TalkDocument,
)

DETAILS = DocumentTalkDetails(
    conference_id="c-1",
    title="Event sourcing in practice",
    abstract="What we learned.",
    speakers=(DocumentSpeaker("Ada", "Initech"),),
    tags=("ddd",),
    level="advanced",
    format="talk",
    duration_minutes=40,
)
SLOT = DocumentSlot(
    conference_id="c-1",
    stage="Main",
    starts_at="2027-02-03T08:00:00+00:00",
    ends_at="2027-02-03T08:40:00+00:00",
    day="2027-02-03",
    timezone="Europe/Berlin",
)
TALK = TalkDocument(
    id="t-1",
    details=DETAILS,
    lifecycle="accepted",
    talk_version=3,
    slot=SLOT,
    rating=RatingSummary(2, 9, 4.5),
    rating_version=2,
)
CONFERENCE = ConferenceDocument(
    id="c-1",
    version=4,
    name="DDD Days",
    starts_on="2027-02-03",
    ends_on="2027-02-04",
    timezone="Europe/Berlin",
    stages=("Main",),
)


def test_an_equal_talk_is_equal_whatever_the_marks_the_write_model_does_not_hold() -> None:
    read = dataclasses.replace(TALK, submitted_at="2026-12-01T10:00:00+00:00", schedule_version=4)
    assert compare_talk(TALK, read).kind is Kind.EQUAL


def test_every_differing_field_is_named_by_its_path() -> None:
    read = dataclasses.replace(
        TALK,
        details=dataclasses.replace(DETAILS, title="Tampered", tags=("ddd", "cqrs")),
        rating=RatingSummary(3, 12, 4.0),
    )
    verdict = compare_talk(TALK, read)
    assert verdict.kind is Kind.DIFFERENT
    assert verdict.aggregate == "talk/t-1"
    assert {d.field for d in verdict.differences} == {
        "details.title",
        "details.tags",
        "rating.count",
        "rating.total",
        "rating.average",
    }
    assert Difference("details.title", DETAILS.title, "Tampered") in verdict.differences


def test_a_missing_slot_is_a_status_and_a_slot_difference() -> None:
    verdict = compare_talk(TALK, dataclasses.replace(TALK, slot=None))
    assert [d.field for d in verdict.differences] == ["status", "slot"]


def test_a_talk_behind_on_a_version_mark_is_behind_not_different() -> None:
    read = dataclasses.replace(
        TALK, talk_version=2, details=dataclasses.replace(DETAILS, title="x")
    )
    verdict = compare_talk(TALK, read)
    assert verdict.kind is Kind.BEHIND
    assert verdict.differences == (Difference("version", 3, 2),)
    assert compare_talk(TALK, dataclasses.replace(TALK, rating_version=1)).kind is Kind.BEHIND


def test_a_talk_whose_conference_is_behind_is_behind() -> None:
    read = dataclasses.replace(TALK, slot=None)
    assert compare_talk(TALK, read, conference_behind=True).kind is Kind.BEHIND


def test_a_read_talk_ahead_of_the_write_model_is_different() -> None:
    verdict = compare_talk(TALK, dataclasses.replace(TALK, talk_version=4))
    assert verdict.kind is Kind.DIFFERENT
    assert verdict.differences == (Difference("version", 3, 4),)


def test_an_absent_or_partial_talk_is_missing() -> None:
    assert compare_talk(TALK, None).kind is Kind.MISSING
    partial = TalkDocument(id="t-1", rating=RatingSummary(1, 5, 5.0), rating_version=1)
    assert compare_talk(TALK, partial).kind is Kind.MISSING


def test_a_conference_is_compared_with_its_talk_counts() -> None:
    counts = {"scheduled": 1, "submitted": 2}
    assert compare_conference(CONFERENCE, CONFERENCE, counts, dict(counts)).kind is Kind.EQUAL
    verdict = compare_conference(
        CONFERENCE,
        dataclasses.replace(CONFERENCE, stages=("Main", "Side")),
        counts,
        {"scheduled": 1, "submitted": 1, "rejected": 1},
    )
    assert verdict.kind is Kind.DIFFERENT
    assert [d.field for d in verdict.differences] == [
        "stages",
        "counts.rejected",
        "counts.submitted",
    ]


def test_a_conference_behind_or_absent() -> None:
    older = dataclasses.replace(CONFERENCE, version=3, name="Old name")
    assert compare_conference(CONFERENCE, older, {}, {}).kind is Kind.BEHIND
    assert compare_conference(CONFERENCE, None, {}, {}).kind is Kind.MISSING
