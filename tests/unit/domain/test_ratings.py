"""The TalkRatings aggregate: one rating per attendee and talk, and an exact summary."""

from __future__ import annotations

import pytest

from shared_domain.errors import InvalidInput, RatingNotFound, TalkNotAccepted
from shared_domain.events import TalkRated, TalkRatingRemoved
from shared_domain.ratings import TalkRatings, average
from shared_domain.talk import Talk
from tests.unit.domain.conftest import MakeRatings, MakeTalk, Recorded, Refused


@pytest.fixture
def talk(make_talk: MakeTalk) -> Talk:
    return make_talk(status="accepted")


def rated(ratings: TalkRatings, talk: Talk, stars_list: list[int]) -> TalkRatings:
    """Rate ``talk`` once per entry, each by another attendee."""
    for index, stars in enumerate(stars_list):
        ratings.rate(talk, f"attendee-{index}", stars, None)
    return ratings


def test_start_has_no_ratings() -> None:
    ratings = TalkRatings.start("talk-1")
    assert (ratings.id, ratings.version, ratings.count, ratings.total) == ("talk-1", 0, 0, 0)
    assert ratings.average == 0.0
    assert ratings.pull_events() == []


def test_rate_records_talk_rated_with_the_new_summary(talk: Talk, recorded: Recorded) -> None:
    ratings = TalkRatings.start(talk.id)
    ratings.rate(talk, "ada@example.org", 4, None)

    assert (ratings.count, ratings.total, ratings.average) == (1, 4, 4.0)
    recorded(
        ratings,
        TalkRated,
        1,
        {
            "attendee_id": "ada@example.org",
            "stars": 4,
            "previous_stars": None,
            "count": 1,
            "total": 4,
            "average": 4.0,
        },
    )


def test_rating_does_not_touch_the_talk(talk: Talk) -> None:
    version = talk.version
    ratings = TalkRatings.start(talk.id)
    ratings.rate(talk, "ada", 5, None)
    assert talk.version == version
    assert talk.pull_events() == []


@pytest.mark.parametrize("attendee", ["a", "x" * 64, "Ada.L_42@example-1.org"])
def test_attendee_id_1_to_64_allowed_characters(talk: Talk, attendee: str) -> None:
    ratings = TalkRatings.start(talk.id)
    ratings.rate(talk, attendee, 3, None)
    assert ratings.pull_events()[0].data()["attendee_id"] == attendee


@pytest.mark.parametrize("attendee", ["", "x" * 65, "ada lovelace", "ädä", None])
def test_invalid_attendee_id_is_refused(
    make_ratings: MakeRatings, talk: Talk, refused: Refused, attendee: str | None
) -> None:
    ratings = make_ratings(version=3, count=2, total=7)
    with refused(ratings, InvalidInput, "attendee_id"):
        ratings.rate(talk, attendee, 3, None)  # type: ignore[arg-type]  # wrong type on purpose


@pytest.mark.parametrize("stars", [1, 2, 3, 4, 5])
def test_stars_1_to_5(talk: Talk, stars: int) -> None:
    ratings = TalkRatings.start(talk.id)
    ratings.rate(talk, "ada", stars, None)
    assert (ratings.count, ratings.total) == (1, stars)


@pytest.mark.parametrize("stars", [0, 6, True, 4.0, "4", None])
def test_stars_outside_1_to_5_or_not_int_are_refused(
    make_ratings: MakeRatings, talk: Talk, refused: Refused, stars: int | float | str | None
) -> None:
    ratings = make_ratings(version=3, count=2, total=7)
    with refused(ratings, InvalidInput, "stars"):
        ratings.rate(talk, "ada", stars, None)  # type: ignore[arg-type]  # wrong type on purpose


@pytest.mark.parametrize("status", ["submitted", "rejected", "withdrawn"])
def test_only_accepted_talks_can_be_rated(
    make_talk: MakeTalk, make_ratings: MakeRatings, refused: Refused, status: str
) -> None:
    talk = make_talk(status=status)
    ratings = make_ratings(version=3, count=2, total=7)
    with refused(ratings, TalkNotAccepted):
        ratings.rate(talk, "ada", 4, None)


def test_rating_again_replaces_the_previous_rating(
    make_ratings: MakeRatings, talk: Talk, recorded: Recorded
) -> None:
    ratings = make_ratings(version=3, count=2, total=7)  # e.g. ada 4, bob 3

    ratings.rate(talk, "ada", 1, 4)

    assert (ratings.count, ratings.total) == (2, 4)
    recorded(
        ratings,
        TalkRated,
        4,
        {
            "attendee_id": "ada",
            "stars": 1,
            "previous_stars": 4,
            "count": 2,
            "total": 4,
            "average": 2.0,
        },
    )


def test_remove_records_talk_rating_removed(make_ratings: MakeRatings, recorded: Recorded) -> None:
    ratings = make_ratings(version=3, count=3, total=12)

    ratings.remove("ada", 5)

    assert (ratings.count, ratings.total) == (2, 7)
    recorded(
        ratings,
        TalkRatingRemoved,
        4,
        {"attendee_id": "ada", "previous_stars": 5, "count": 2, "total": 7, "average": 3.5},
    )


def test_removing_the_last_rating_brings_the_average_to_zero(make_ratings: MakeRatings) -> None:
    ratings = make_ratings(version=1, count=1, total=4)
    ratings.remove("ada", 4)
    assert (ratings.count, ratings.total, ratings.average) == (0, 0, 0.0)
    assert ratings.pull_events()[0].data()["average"] == 0.0


def test_remove_without_a_rating_is_refused(make_ratings: MakeRatings, refused: Refused) -> None:
    ratings = make_ratings(version=3, count=2, total=7)
    with refused(ratings, RatingNotFound) as info:
        ratings.remove("ada", None)
    assert "ada" in info.value.detail


def test_remove_with_an_invalid_attendee_is_refused(
    make_ratings: MakeRatings, refused: Refused
) -> None:
    ratings = make_ratings(version=3, count=2, total=7)
    with refused(ratings, InvalidInput, "attendee_id"):
        ratings.remove("not valid", 4)


@pytest.mark.parametrize(
    ("stars", "expected"),
    [
        ([5], 5.0),
        ([1, 2], 1.5),
        ([4, 4, 5], 4.33),
        ([1, 2, 2], 1.67),
        ([1, 1, 2], 1.33),
        ([5, 5, 5, 4, 4, 4, 3, 3], 4.13),  # 33 / 8 = 4.125 exactly: half up, not to even
        ([3] * 27 + [2] * 13, 2.68),  # 107 / 40 = 2.675 exactly (a float would give 2.67)
        ([1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2], 1.63),  # 26 / 16 = 1.625
    ],
)
def test_average_is_exact_to_two_decimals_rounded_half_up(
    talk: Talk, stars: list[int], expected: float
) -> None:
    ratings = rated(TalkRatings.start(talk.id), talk, stars)
    assert ratings.average == expected
    assert ratings.pull_events()[-1].data()["average"] == expected


@pytest.mark.parametrize(
    ("total", "count", "expected"),
    [(0, 0, 0.0), (33, 8, 4.13), (107, 40, 2.68), (2, 3, 0.67), (1, 8, 0.13), (10, 2, 5.0)],
)
def test_average_of_totals(total: int, count: int, expected: float) -> None:
    assert average(total, count) == expected


def test_each_event_advances_the_version_by_one_and_pull_events_clears(talk: Talk) -> None:
    ratings = TalkRatings.start(talk.id)
    ratings.rate(talk, "ada", 5, None)
    ratings.rate(talk, "bob", 2, None)
    ratings.rate(talk, "ada", 3, 5)
    ratings.remove("bob", 2)

    events = ratings.pull_events()

    assert [type(e) for e in events] == [TalkRated, TalkRated, TalkRated, TalkRatingRemoved]
    assert [e.aggregate_version for e in events] == [1, 2, 3, 4]
    assert [(e.data()["count"], e.data()["total"]) for e in events] == [
        (1, 5),
        (2, 7),
        (2, 5),
        (1, 3),
    ]
    assert {e.aggregate_id for e in events} == {talk.id}
    assert ratings.version == 4
    assert ratings.pull_events() == []


def test_state_round_trip(talk: Talk) -> None:
    ratings = rated(TalkRatings.start(talk.id), talk, [4, 4, 5])
    state = ratings.to_state()
    assert state == {"count": 3, "total": 13}

    restored = TalkRatings.from_state(talk.id, ratings.version, state)

    assert (restored.id, restored.version, restored.count, restored.total) == (
        talk.id,
        3,
        3,
        13,
    )
    assert restored.average == 4.33
    assert restored.pull_events() == []
