"""``unschedule_talk``: a scheduled talk's slot is freed."""

from __future__ import annotations

from command_service.errors import PreconditionFailed
from command_service.handlers.unschedule_talk import UnscheduleTalk, unschedule_talk
from shared_domain.errors import ConferenceNotFound, TalkNotFound, TalkNotScheduled
from tests.unit.command import builders as build
from tests.unit.command.fakes import InMemoryStore
from tests.unit.command.handling import event_data, execute, recorded, refused

NINE = "2026-06-01T09:00:00+00:00"


def given_scheduled(store: InMemoryStore) -> None:
    accepted = build.talk(status="accepted")
    store.given(build.scheduled(build.conference(), (accepted, "Main", NINE)), accepted)


def test_frees_the_slot(store: InMemoryStore) -> None:
    given_scheduled(store)

    result = execute(store, unschedule_talk, UnscheduleTalk("conf-1", "talk-1"))

    assert (result.id, result.version) == ("conf-1", 3)
    assert store.conference("conf-1").slot_of("talk-1") is None
    assert recorded(store) == [("TalkUnscheduled", "conf-1", 3)]
    assert event_data(store) == [{"talk_id": "talk-1", "reason": "unscheduled"}]


def test_a_talk_without_a_slot_is_not_scheduled(store: InMemoryStore) -> None:
    store.given(build.conference(), build.talk(status="accepted"))
    refused(store, unschedule_talk, UnscheduleTalk("conf-1", "talk-1"), TalkNotScheduled)


def test_an_unknown_talk_is_not_found_rather_than_not_scheduled(store: InMemoryStore) -> None:
    store.given(build.conference())
    refused(store, unschedule_talk, UnscheduleTalk("conf-1", "talk-1"), TalkNotFound)


def test_an_unknown_conference_is_not_found(store: InMemoryStore) -> None:
    refused(store, unschedule_talk, UnscheduleTalk("conf-1", "talk-1"), ConferenceNotFound)


def test_a_stale_if_match_is_refused(store: InMemoryStore) -> None:
    given_scheduled(store)
    stale = UnscheduleTalk("conf-1", "talk-1", build.expect(1))
    refused(store, unschedule_talk, stale, PreconditionFailed)
