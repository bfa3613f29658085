"""``withdraw_talk``: a talk withdrawn, and its slot freed in the same transaction."""

from __future__ import annotations

from command_service.errors import PreconditionFailed
from command_service.handlers.withdraw_talk import WithdrawTalk, withdraw_talk
from shared_domain.errors import IllegalTalkTransition, TalkNotFound
from tests.unit.command import builders as build
from tests.unit.command.fakes import InMemoryStore
from tests.unit.command.handling import event_data, execute, recorded, refused


def test_withdraws_a_submitted_talk(store: InMemoryStore) -> None:
    store.given(build.conference(), build.talk())

    result = execute(store, withdraw_talk, WithdrawTalk("talk-1"))

    assert (result.version, result.extras) == (2, {"status": "withdrawn"})
    assert store.talk("talk-1").status == "withdrawn"
    assert recorded(store) == [("TalkWithdrawn", "talk-1", 2)]
    assert store.conference("conf-1").version == 1


def test_a_scheduled_talk_also_loses_its_slot_after_its_withdrawal(store: InMemoryStore) -> None:
    accepted = build.talk(status="accepted")
    on = build.scheduled(build.conference(), (accepted, "Main", "2026-06-01T09:00:00+00:00"))
    store.given(on, accepted)

    result = execute(store, withdraw_talk, WithdrawTalk("talk-1"))

    assert result.version == 3
    assert recorded(store) == [("TalkWithdrawn", "talk-1", 3), ("TalkUnscheduled", "conf-1", 3)]
    assert event_data(store)[1] == {"talk_id": "talk-1", "reason": "withdrawn"}
    assert store.conference("conf-1").slot_of("talk-1") is None


def test_a_withdrawn_talk_cannot_be_withdrawn_again(store: InMemoryStore) -> None:
    store.given(build.conference(), build.talk(status="withdrawn"))
    refused(store, withdraw_talk, WithdrawTalk("talk-1"), IllegalTalkTransition)


def test_an_unknown_talk_is_not_found(store: InMemoryStore) -> None:
    refused(store, withdraw_talk, WithdrawTalk("talk-1"), TalkNotFound)


def test_a_stale_if_match_is_refused(store: InMemoryStore) -> None:
    store.given(build.conference(), build.talk())
    refused(store, withdraw_talk, WithdrawTalk("talk-1", build.expect(2)), PreconditionFailed)
