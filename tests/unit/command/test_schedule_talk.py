"""``schedule_talk``: an accepted talk gets a free slot within the conference's days."""

from __future__ import annotations

import pytest

from command_service.errors import PreconditionFailed
from command_service.handlers.schedule_talk import ScheduleTalk, schedule_talk
from shared_domain.errors import (
    ConferenceNotFound,
    InvalidInput,
    SlotOutsideConference,
    SpeakerDoubleBooked,
    StageSlotTaken,
    StageUnknown,
    TalkNotAccepted,
    TalkNotFound,
    TalkOfOtherConference,
)
from tests.unit.command import builders as build
from tests.unit.command.fakes import InMemoryStore
from tests.unit.command.handling import event_data, execute, recorded, refused

NINE = "2026-06-01T09:00:00+00:00"


def test_gives_the_talk_a_slot_on_the_conference(store: InMemoryStore) -> None:
    store.given(build.conference(), build.talk(status="accepted"))

    result = execute(store, schedule_talk, build.schedule_talk(NINE, on_stage="main"))

    slot = {
        "talk_id": "talk-1",
        "stage": "Main",
        "starts_at": NINE,
        "ends_at": "2026-06-01T09:40:00+00:00",
    }
    assert (result.id, result.version, result.extras) == ("conf-1", 2, {"slot": slot})
    assert store.conference("conf-1").slot_of("talk-1") is not None
    assert store.talk("talk-1").version == 2, "the talk itself is not changed"
    assert recorded(store) == [("TalkScheduled", "conf-1", 2)]
    assert event_data(store) == [slot]


def test_the_same_slot_again_changes_nothing(store: InMemoryStore) -> None:
    accepted = build.talk(status="accepted")
    store.given(build.scheduled(build.conference(), (accepted, "Main", NINE)), accepted)
    assert execute(store, schedule_talk, build.schedule_talk(NINE)).version == 2
    assert recorded(store) == []


def test_a_talk_can_move_to_another_slot(store: InMemoryStore) -> None:
    accepted = build.talk(status="accepted")
    store.given(build.scheduled(build.conference(), (accepted, "Main", NINE)), accepted)
    later = "2026-06-02T14:00:00+00:00"
    assert execute(store, schedule_talk, build.schedule_talk(later, on_stage="Side")).version == 3
    assert recorded(store) == [("TalkScheduled", "conf-1", 3)]


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (build.schedule_talk(NINE, on_stage="Garden"), StageUnknown),
        (build.schedule_talk("2026-06-03T09:00:00+00:00"), SlotOutsideConference),
        (build.schedule_talk("2026-05-31T23:30:00+00:00"), SlotOutsideConference),
        (build.schedule_talk("at nine"), InvalidInput),
        (build.schedule_talk("2026-06-01T09:20:00+00:00", talk_id="talk-2"), StageSlotTaken),
        (build.schedule_talk(NINE, talk_id="talk-3", on_stage="Side"), SpeakerDoubleBooked),
    ],
)
def test_a_slot_that_breaks_a_rule_saves_nothing(
    store: InMemoryStore, command: ScheduleTalk, error: type[Exception]
) -> None:
    first = build.talk("talk-1", status="accepted", speakers=("Ada Lovelace",))
    second = build.talk("talk-2", status="accepted", speakers=("Grace Hopper",))
    third = build.talk("talk-3", status="accepted", speakers=("Ada Lovelace",))
    store.given(build.scheduled(build.conference(), (first, "Main", NINE)), first, second, third)
    refused(store, schedule_talk, command, error)


@pytest.mark.parametrize("status", ["submitted", "rejected", "withdrawn"])
def test_only_an_accepted_talk_is_scheduled(store: InMemoryStore, status: str) -> None:
    store.given(build.conference(), build.talk(status=status))
    refused(store, schedule_talk, build.schedule_talk(NINE), TalkNotAccepted)


def test_a_talk_of_another_conference_is_refused(store: InMemoryStore) -> None:
    store.given(build.conference(), build.conference("conf-2"))
    store.given(build.talk(status="accepted", conference_id="conf-2"))
    refused(store, schedule_talk, build.schedule_talk(NINE), TalkOfOtherConference)


def test_an_unknown_conference_or_talk_is_not_found(store: InMemoryStore) -> None:
    refused(store, schedule_talk, build.schedule_talk(NINE), ConferenceNotFound)
    store.given(build.conference())
    refused(store, schedule_talk, build.schedule_talk(NINE), TalkNotFound)


def test_if_match_applies_to_the_conference(store: InMemoryStore) -> None:
    store.given(build.conference(), build.talk(status="accepted"))
    talk_version = build.schedule_talk(NINE, expected=build.expect(2))
    refused(store, schedule_talk, talk_version, PreconditionFailed)
    assert (
        execute(store, schedule_talk, build.schedule_talk(NINE, expected=build.expect(1))).version
        == 2
    )
