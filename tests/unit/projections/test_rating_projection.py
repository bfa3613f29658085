"""Talk-ratings stream -> the rating summary, copied exactly, never added up."""

from __future__ import annotations

import uuid

import pytest

from query_service.documents import RatingSummary
from query_service.projections.errors import EventNotYetApplicable
from query_service.projections.ratings import project_rating_event
from shared_domain.events import TalkRated, TalkRatingRemoved


def _rated(talk_id: str, version: int, count: int, total: int) -> TalkRated:
    return TalkRated(
        aggregate_id=talk_id,
        aggregate_version=version,
        attendee_id=f"a{version}",
        stars=5,
        previous_stars=None,
        count=count,
        total=total,
        average=round(total / count, 2),
    )


def test_a_rating_before_the_talk_creates_a_partial_document() -> None:
    talk_id = str(uuid.uuid4())
    doc = project_rating_event(_rated(talk_id, 1, 1, 5), None)
    assert doc is not None
    assert doc.rating == RatingSummary(1, 5, 5.0)
    assert doc.rating_version == 1
    assert not doc.is_visible


def test_ratings_carry_the_write_sides_summary() -> None:
    talk_id = str(uuid.uuid4())
    doc = project_rating_event(_rated(talk_id, 1, 1, 5), None)
    doc = project_rating_event(_rated(talk_id, 2, 2, 8), doc)
    removed = TalkRatingRemoved(
        aggregate_id=talk_id,
        aggregate_version=3,
        attendee_id="a1",
        previous_stars=5,
        count=1,
        total=3,
        average=3.0,
    )
    doc = project_rating_event(removed, doc)
    assert doc is not None
    assert doc.rating == RatingSummary(1, 3, 3.0)
    assert doc.rating_version == 3


def test_a_redelivered_rating_is_not_counted_twice() -> None:
    talk_id = str(uuid.uuid4())
    doc = project_rating_event(_rated(talk_id, 1, 1, 5), None)
    assert project_rating_event(_rated(talk_id, 1, 1, 5), doc) is None


def test_a_rating_beyond_a_gap_waits() -> None:
    talk_id = str(uuid.uuid4())
    doc = project_rating_event(_rated(talk_id, 1, 1, 5), None)
    with pytest.raises(EventNotYetApplicable):
        project_rating_event(_rated(talk_id, 3, 3, 12), doc)
