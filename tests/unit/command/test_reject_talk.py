"""``reject_talk``: a submitted talk becomes rejected, with an optional reason."""

from __future__ import annotations

from command_service.errors import PreconditionFailed
from command_service.handlers.reject_talk import reject_talk
from shared_domain.errors import IllegalTalkTransition, InvalidInput, TalkNotFound
from tests.unit.command import builders as build
from tests.unit.command.fakes import InMemoryStore
from tests.unit.command.handling import event_data, execute, recorded, refused


def test_rejects_with_the_reason(store: InMemoryStore) -> None:
    store.given(build.talk())

    result = execute(store, reject_talk, build.reject_talk(reason=" Full program "))

    assert (result.version, result.extras) == (2, {"status": "rejected"})
    assert store.talk("talk-1").status == "rejected"
    assert recorded(store) == [("TalkRejected", "talk-1", 2)]
    assert event_data(store) == [{"reason": "Full program"}]


def test_an_accepted_talk_cannot_be_rejected(store: InMemoryStore) -> None:
    store.given(build.talk(status="accepted"))
    refused(store, reject_talk, build.reject_talk(), IllegalTalkTransition)


def test_a_reason_over_1000_characters_is_invalid(store: InMemoryStore) -> None:
    store.given(build.talk())
    refused(store, reject_talk, build.reject_talk(reason="r" * 1001), InvalidInput)


def test_an_unknown_talk_is_not_found(store: InMemoryStore) -> None:
    refused(store, reject_talk, build.reject_talk(), TalkNotFound)


def test_a_stale_if_match_is_refused(store: InMemoryStore) -> None:
    store.given(build.talk())
    refused(store, reject_talk, build.reject_talk(expected=build.expect(3)), PreconditionFailed)
