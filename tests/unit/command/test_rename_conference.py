"""``rename_conference``: a new name, or nothing when it is the same."""

from __future__ import annotations

from command_service.errors import PreconditionFailed
from command_service.handlers.rename_conference import rename_conference
from shared_domain.errors import ConferenceNotFound, InvalidInput
from tests.unit.command import builders as build
from tests.unit.command.fakes import InMemoryStore
from tests.unit.command.handling import event_data, execute, recorded, refused


def test_renames_and_records_it(store: InMemoryStore) -> None:
    store.given(build.conference())

    result = execute(store, rename_conference, build.rename_conference("PyCon Somewhere"))

    assert (result.id, result.version) == ("conf-1", 2)
    assert store.conference("conf-1").name == "PyCon Somewhere"
    assert recorded(store) == [("ConferenceRenamed", "conf-1", 2)]
    assert event_data(store) == [{"name": "PyCon Somewhere"}]


def test_the_same_name_changes_nothing(store: InMemoryStore) -> None:
    store.given(build.conference())

    result = execute(store, rename_conference, build.rename_conference("  PyCon Nowhere "))

    assert result.version == 1
    assert store.conference("conf-1").version == 1
    assert recorded(store) == []


def test_an_empty_name_is_invalid(store: InMemoryStore) -> None:
    store.given(build.conference())
    refused(store, rename_conference, build.rename_conference("  "), InvalidInput)


def test_an_unknown_conference_is_not_found(store: InMemoryStore) -> None:
    refused(store, rename_conference, build.rename_conference("New"), ConferenceNotFound)


def test_if_match_names_the_current_version(store: InMemoryStore) -> None:
    store.given(build.conference())
    stale = build.rename_conference("New", expected=build.expect(2))
    refused(store, rename_conference, stale, PreconditionFailed)
    assert (
        execute(
            store, rename_conference, build.rename_conference("New", expected=build.expect(1))
        ).version
        == 2
    )
