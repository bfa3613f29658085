"""``rate_talk``: an attendee rates an accepted talk, or changes their rating."""

from __future__ import annotations

import pytest

from command_service.errors import PreconditionFailed
from command_service.handlers.rate_talk import rate_talk
from shared_domain.errors import InvalidInput, TalkNotAccepted, TalkNotFound
from tests.unit.command import builders as build
from tests.unit.command.fakes import InMemoryStore
from tests.unit.command.handling import event_data, execute, recorded, refused


def test_a_first_rating_starts_the_summary(store: InMemoryStore) -> None:
    store.given(build.talk(status="accepted"))

    result = execute(store, rate_talk, build.rate_talk("ann", 4))

    assert (result.id, result.version, result.extras) == ("talk-1", 1, {"count": 1, "average": 4.0})
    assert store.ratings == {("talk-1", "ann"): 4}
    assert store.summary("talk-1").version == 1
    assert store.talk("talk-1").version == 2, "a rating never changes the talk"
    assert recorded(store) == [("TalkRated", "talk-1", 1)]
    assert event_data(store)[0]["previous_stars"] is None


def test_rating_again_replaces_the_attendees_rating(store: InMemoryStore) -> None:
    accepted = build.talk(status="accepted")
    store.given(accepted, build.rated("talk-1", accepted, ann=4, bob=3))

    result = execute(store, rate_talk, build.rate_talk("ann", 1))

    assert (result.version, result.extras) == (3, {"count": 2, "average": 2.0})
    assert store.ratings == {("talk-1", "ann"): 1, ("talk-1", "bob"): 3}
    assert recorded(store) == [("TalkRated", "talk-1", 3)]
    assert event_data(store)[0]["previous_stars"] == 4


@pytest.mark.parametrize("status", ["submitted", "rejected", "withdrawn"])
def test_only_an_accepted_talk_is_rated(store: InMemoryStore, status: str) -> None:
    store.given(build.talk(status=status))
    refused(store, rate_talk, build.rate_talk(), TalkNotAccepted)


@pytest.mark.parametrize(("attendee", "stars"), [("ann", 6), ("ann", 0), ("not an id!", 3)])
def test_stars_and_attendee_are_validated(store: InMemoryStore, attendee: str, stars: int) -> None:
    store.given(build.talk(status="accepted"))
    refused(store, rate_talk, build.rate_talk(attendee, stars), InvalidInput)


def test_an_unknown_talk_is_not_found(store: InMemoryStore) -> None:
    refused(store, rate_talk, build.rate_talk(), TalkNotFound)


def test_if_match_applies_to_the_summary_not_to_the_talk(store: InMemoryStore) -> None:
    store.given(build.talk(status="accepted"))  # the talk is at version 2, the summary at 0
    refused(store, rate_talk, build.rate_talk(expected=build.expect(2)), PreconditionFailed)
    assert execute(store, rate_talk, build.rate_talk(expected=build.expect(0))).version == 1
