"""``accept_talk``: a submitted talk becomes accepted."""

from __future__ import annotations

import pytest

from command_service.errors import PreconditionFailed
from command_service.handlers.accept_talk import AcceptTalk, accept_talk
from shared_domain.errors import IllegalTalkTransition, TalkNotFound
from tests.unit.command import builders as build
from tests.unit.command.fakes import InMemoryStore
from tests.unit.command.handling import execute, recorded, refused


def test_accepts_a_submitted_talk(store: InMemoryStore) -> None:
    store.given(build.talk())

    result = execute(store, accept_talk, AcceptTalk("talk-1"))

    assert (result.version, result.extras) == (2, {"status": "accepted"})
    assert store.talk("talk-1").status == "accepted"
    assert recorded(store) == [("TalkAccepted", "talk-1", 2)]


@pytest.mark.parametrize("status", ["accepted", "rejected", "withdrawn"])
def test_only_a_submitted_talk_can_be_accepted(store: InMemoryStore, status: str) -> None:
    store.given(build.talk(status=status))
    refused(store, accept_talk, AcceptTalk("talk-1"), IllegalTalkTransition)


def test_an_unknown_talk_is_not_found(store: InMemoryStore) -> None:
    refused(store, accept_talk, AcceptTalk("talk-1"), TalkNotFound)


def test_a_stale_if_match_is_refused(store: InMemoryStore) -> None:
    store.given(build.talk())
    refused(store, accept_talk, AcceptTalk("talk-1", build.expect(2)), PreconditionFailed)
