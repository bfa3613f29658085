"""``remove_rating``: an attendee's rating of a talk is removed from its summary."""

from __future__ import annotations

from command_service.errors import PreconditionFailed
from command_service.handlers.remove_rating import RemoveRating, remove_rating
from shared_domain.errors import RatingNotFound, TalkNotFound
from tests.unit.command import builders as build
from tests.unit.command.fakes import InMemoryStore
from tests.unit.command.handling import event_data, execute, recorded, refused


def given_rated(store: InMemoryStore) -> None:
    accepted = build.talk(status="accepted")
    store.given(accepted, build.rated("talk-1", accepted, ann=4, bob=3))


def test_removes_the_rating_and_updates_the_summary(store: InMemoryStore) -> None:
    given_rated(store)

    result = execute(store, remove_rating, RemoveRating("talk-1", "ann"))

    assert (result.version, result.extras) == (3, {"count": 1, "average": 3.0})
    assert store.ratings == {("talk-1", "bob"): 3}
    assert recorded(store) == [("TalkRatingRemoved", "talk-1", 3)]
    assert event_data(store)[0]["previous_stars"] == 4


def test_an_attendee_who_did_not_rate_has_no_rating_to_remove(store: InMemoryStore) -> None:
    given_rated(store)
    refused(store, remove_rating, RemoveRating("talk-1", "carl"), RatingNotFound)


def test_an_unknown_talk_is_not_found(store: InMemoryStore) -> None:
    refused(store, remove_rating, RemoveRating("talk-1", "ann"), TalkNotFound)


def test_a_stale_if_match_is_refused(store: InMemoryStore) -> None:
    given_rated(store)
    stale = RemoveRating("talk-1", "ann", build.expect(1))
    refused(store, remove_rating, stale, PreconditionFailed)
