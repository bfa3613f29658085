"""Ratings over HTTP: rate, re-rate, remove, versioned apart from the talk."""

from __future__ import annotations

import pytest

from tests.command_api.conftest import Api, assert_problem, fields_of, new_id


def test_rate_re_rate_and_remove_keep_an_exact_summary(api: Api) -> None:
    talk_id = api.talk(api.conference(), accepted=True)

    assert api.ok("PUT", f"/talks/{talk_id}/ratings/ann", {"stars": 5}) == {
        "id": talk_id,
        "version": 1,
        "count": 1,
        "average": 5.0,
    }
    api.ok("PUT", f"/talks/{talk_id}/ratings/bob@example.org", {"stars": 4})
    api.ok("PUT", f"/talks/{talk_id}/ratings/carl_1.x", {"stars": 4})
    rerated = api.ok("PUT", f"/talks/{talk_id}/ratings/ann", {"stars": 2})
    assert (rerated["count"], rerated["average"], rerated["version"]) == (3, 3.33, 4)

    removed = api.ok("DELETE", f"/talks/{talk_id}/ratings/bob@example.org")

    assert (removed["count"], removed["average"], removed["version"]) == (2, 3.0, 5)
    last = api.outbox(talk_id)[-1]
    assert last["type"] == "conference.talk_ratings.rating_removed.v1"
    assert last["aggregatetype"] == "talk_ratings"
    assert last["data"]["previous_stars"] == 4


def test_ratings_never_bump_the_talk_nor_trip_its_if_match(api: Api) -> None:
    talk_id = api.talk(api.conference(), accepted=True)
    api.ok("PUT", f"/talks/{talk_id}/ratings/ann", {"stars": 3})

    edited = api.ok("PATCH", f"/talks/{talk_id}", {"title": "Renamed"}, **{"If-Match": '"2"'})

    assert edited["version"] == 3


def test_if_match_on_ratings_checks_the_ratings_version(api: Api) -> None:
    talk_id = api.talk(api.conference(), accepted=True)
    path = f"/talks/{talk_id}/ratings/ann"

    assert api.ok("PUT", path, {"stars": 3}, **{"If-Match": '"0"'})["version"] == 1
    assert_problem(
        api.send("PUT", path, {"stars": 4}, **{"If-Match": '"0"'}), 412, "precondition-failed"
    )
    assert api.ok("DELETE", path, **{"If-Match": '"1"'})["version"] == 2


@pytest.mark.parametrize("action", [[], ["reject"], ["accept", "withdraw"]])
def test_only_accepted_talks_are_rated(api: Api, action: list[str]) -> None:
    talk_id = api.talk(api.conference())
    for step in action:
        api.ok("POST", f"/talks/{talk_id}/{step}")
    response = api.send("PUT", f"/talks/{talk_id}/ratings/ann", {"stars": 3})
    assert_problem(response, 409, "talk-not-accepted")


@pytest.mark.parametrize(
    ("attendee", "body", "fields"),
    [
        ("ann", {"stars": 0}, {"stars"}),
        ("ann", {"stars": 6}, {"stars"}),
        ("ann", {"stars": 4.5}, {"stars"}),
        ("ann", {"stars": "5"}, {"stars"}),
        ("ann", {}, {"stars"}),
        ("ann", {"stars": 5, "comment": "great"}, {"comment"}),
        ("not%20valid", {"stars": 5}, {"attendee_id"}),
        ("x" * 65, {"stars": 5}, {"attendee_id"}),
    ],
)
def test_invalid_ratings_are_refused_naming_the_fields(
    api: Api, attendee: str, body: dict[str, object], fields: set[str]
) -> None:
    talk_id = api.talk(api.conference(), accepted=True)
    response = api.send("PUT", f"/talks/{talk_id}/ratings/{attendee}", body)
    assert fields_of(assert_problem(response, 422, "invalid-input")) == fields


def test_removing_a_rating_that_does_not_exist_is_404(api: Api) -> None:
    talk_id = api.talk(api.conference(), accepted=True)
    api.ok("PUT", f"/talks/{talk_id}/ratings/ann", {"stars": 3})
    response = api.send("DELETE", f"/talks/{talk_id}/ratings/bob")
    assert_problem(response, 404, "rating-not-found")


def test_rating_an_unknown_talk_is_404(api: Api) -> None:
    assert_problem(
        api.send("PUT", f"/talks/{new_id()}/ratings/ann", {"stars": 3}), 404, "talk-not-found"
    )
    assert_problem(api.send("DELETE", f"/talks/{new_id()}/ratings/ann"), 404, "talk-not-found")
