"""Passing over a dropped event moves its stream's mark on and changes nothing else."""

from __future__ import annotations

import pytest

from query_service.documents import ConferenceDocument, RatingSummary, TalkDocument
from query_service.projections.errors import EventNotYetApplicable, ProjectionError
from query_service.projections.pass_over import pass_over

CONF = ConferenceDocument("c1", 4, "DevConf", "2025-05-01", "2025-05-02", "UTC", ("Main",))
TALK = TalkDocument(id="t1", talk_version=2, rating=RatingSummary(1, 5, 5.0), rating_version=1)


def test_the_conference_mark_moves_on_alone() -> None:
    changes = pass_over("conference", "c1", 5, {}, {"c1": CONF})
    assert changes.conferences == (ConferenceDocument(**{**vars(CONF), "version": 5}),)
    assert changes.talks == ()


@pytest.mark.parametrize(
    ("aggregate_type", "version", "expected"),
    [
        ("talk", 3, TalkDocument(**{**vars(TALK), "talk_version": 3})),
        ("talk_ratings", 2, TalkDocument(**{**vars(TALK), "rating_version": 2})),
    ],
)
def test_a_talk_mark_moves_on_alone(
    aggregate_type: str, version: int, expected: TalkDocument
) -> None:
    assert pass_over(aggregate_type, "t1", version, {"t1": TALK}, {}).talks == (expected,)


def test_a_version_already_applied_or_passed_changes_nothing() -> None:
    assert pass_over("talk", "t1", 2, {"t1": TALK}, {}).is_empty
    assert pass_over("conference", "c1", 3, {}, {"c1": CONF}).is_empty


def test_a_version_beyond_a_gap_cannot_be_passed_over() -> None:
    with pytest.raises(EventNotYetApplicable):
        pass_over("talk", "t1", 4, {"t1": TALK}, {})


def test_a_conference_that_was_never_created_has_no_mark_to_move() -> None:
    with pytest.raises(ProjectionError, match="creation cannot be passed over"):
        pass_over("conference", "c9", 1, {}, {})


def test_a_talk_without_a_document_starts_one_at_the_passed_version() -> None:
    [talk] = pass_over("talk", "t9", 1, {}, {}).talks
    assert (talk.id, talk.talk_version, talk.is_visible) == ("t9", 1, False)
