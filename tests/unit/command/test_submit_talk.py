"""``submit_talk``: a new talk in an existing conference, its input validated first."""

from __future__ import annotations

from command_service.errors import ConcurrencyConflict, PreconditionFailed
from command_service.handlers.submit_talk import submit_talk
from shared_domain.errors import InvalidInput, UnknownConference
from tests.unit.command import builders as build
from tests.unit.command.fakes import InMemoryStore
from tests.unit.command.handling import event_data, execute, recorded, refused


def test_submits_the_talk_with_its_format_default_duration(store: InMemoryStore) -> None:
    store.given(build.conference())

    result = execute(store, submit_talk, build.submit_talk(format=build.talk_format("lightning")))

    assert (result.id, result.version, result.extras) == ("talk-1", 1, {"status": "submitted"})
    saved = store.talk("talk-1")
    assert (saved.conference_id, saved.status, saved.version) == ("conf-1", "submitted", 1)
    assert saved.details.duration_minutes == 10
    assert recorded(store) == [("TalkSubmitted", "talk-1", 1)]
    assert event_data(store)[0]["speakers"] == [
        {"name": "Ada Lovelace", "company": "Analytical Engines"}
    ]


def test_every_invalid_field_is_named_and_nothing_saved(store: InMemoryStore) -> None:
    store.given(build.conference())
    command = build.submit_talk(title=build.text("no"), level=build.level("expert"))
    error = refused(store, submit_talk, command, InvalidInput)
    assert [e.field for e in error.errors] == ["title", "level"]


def test_invalid_input_is_reported_before_an_unknown_conference(store: InMemoryStore) -> None:
    refused(store, submit_talk, build.submit_talk(title=build.text("no")), InvalidInput)


def test_an_unknown_conference_is_invalid_input_of_its_own(store: InMemoryStore) -> None:
    error = refused(store, submit_talk, build.submit_talk(), UnknownConference)
    assert [e.field for e in error.errors] == ["conference_id"]


def test_a_precondition_cannot_match_a_talk_not_submitted_yet(store: InMemoryStore) -> None:
    store.given(build.conference())
    refused(store, submit_talk, build.submit_talk(expected=build.expect(1)), PreconditionFailed)


def test_an_id_that_exists_already_loses_the_race(store: InMemoryStore) -> None:
    store.given(build.conference(), build.talk("talk-1"))
    refused(store, submit_talk, build.submit_talk("talk-1"), ConcurrencyConflict)
