"""``create_conference``: a new conference and its ``ConferenceCreated``."""

from __future__ import annotations

from command_service.errors import ConcurrencyConflict, PreconditionFailed
from command_service.handlers.create_conference import create_conference
from shared_domain.errors import InvalidInput
from tests.unit.command import builders as build
from tests.unit.command.fakes import InMemoryStore
from tests.unit.command.handling import event_data, execute, recorded, refused


def test_creates_the_conference_and_records_its_creation(store: InMemoryStore) -> None:
    result = execute(store, create_conference, build.create_conference())

    assert (result.id, result.version, dict(result.extras)) == ("conf-1", 1, {})
    saved = store.conference("conf-1")
    assert (saved.version, saved.name, saved.stages) == (1, "PyCon Nowhere", ["Main", "Side"])
    assert saved.timezone == "Europe/Berlin"
    assert recorded(store) == [("ConferenceCreated", "conf-1", 1)]
    assert event_data(store)[0]["starts_on"] == "2026-06-01"


def test_invalid_input_saves_nothing(store: InMemoryStore) -> None:
    command = build.create_conference(ends_on=build.day("2026-05-31"))
    error = refused(store, create_conference, command, InvalidInput)
    assert [e.field for e in error.errors] == ["ends_on"]


def test_a_precondition_cannot_match_a_conference_not_created_yet(store: InMemoryStore) -> None:
    refused(
        store,
        create_conference,
        build.create_conference(expected=build.expect()),
        PreconditionFailed,
    )


def test_an_id_that_exists_already_loses_the_race(store: InMemoryStore) -> None:
    store.given(build.conference("conf-1"))
    refused(store, create_conference, build.create_conference("conf-1"), ConcurrencyConflict)
