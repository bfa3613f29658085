"""``edit_talk``: PATCH the details; a scheduled talk keeps its duration and free speakers."""

from __future__ import annotations

from typing import Any

import pytest

from command_service.errors import PreconditionFailed
from command_service.handlers.edit_talk import edit_talk
from shared_domain.errors import (
    InvalidInput,
    ScheduledDurationLocked,
    SpeakerDoubleBooked,
    TalkNotEditable,
    TalkNotFound,
)
from tests.unit.command import builders as build
from tests.unit.command.fakes import InMemoryStore
from tests.unit.command.handling import event_data, execute, recorded, refused

NINE = "2026-06-01T09:00:00+00:00"


def scheduled_pair(store: InMemoryStore) -> None:
    """talk-1 (Ada) on Main and talk-2 (Grace) on Side, both at nine."""
    first = build.talk("talk-1", status="accepted", speakers=("Ada Lovelace",))
    second = build.talk("talk-2", status="accepted", speakers=("Grace Hopper",))
    on = build.scheduled(build.conference(), (first, "Main", NINE), (second, "Side", NINE))
    store.given(on, first, second)


def test_changes_only_the_fields_named(store: InMemoryStore) -> None:
    store.given(build.conference(), build.talk())

    result = execute(store, edit_talk, build.edit_talk(title=build.text("Events, in practice")))

    assert (result.version, result.extras) == (2, {"status": "submitted"})
    saved = store.talk("talk-1").details
    assert (saved.title, saved.abstract) == ("Events, in practice", "What we learned.")
    assert recorded(store) == [("TalkEdited", "talk-1", 2)]
    assert event_data(store)[0]["title"] == "Events, in practice"


def test_an_edit_that_changes_nothing_records_nothing(store: InMemoryStore) -> None:
    store.given(build.conference(), build.talk())
    result = execute(
        store, edit_talk, build.edit_talk(title=build.text("Event sourcing in practice"))
    )
    assert result.version == 1
    assert recorded(store) == []


def test_a_scheduled_talk_may_change_to_speakers_who_are_free(store: InMemoryStore) -> None:
    scheduled_pair(store)
    command = build.edit_talk(speakers=[build.speaker("Barbara Liskov")])
    assert execute(store, edit_talk, command).version == 3
    assert recorded(store) == [("TalkEdited", "talk-1", 3)]
    assert store.conference("conf-1").version == 3, "the schedule is not changed by an edit"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"speakers": [build.speaker("Grace Hopper")]}, SpeakerDoubleBooked),
        ({"duration_minutes": 60}, ScheduledDurationLocked),
    ],
)
def test_a_scheduled_talk_keeps_its_duration_and_free_speakers(
    store: InMemoryStore, fields: dict[str, Any], error: type[Exception]
) -> None:
    scheduled_pair(store)
    refused(store, edit_talk, build.edit_talk(**fields), error)


@pytest.mark.parametrize("fields", [{"title": "no"}, {"room": "B"}])
def test_invalid_or_unknown_fields_are_invalid_input(
    store: InMemoryStore, fields: dict[str, Any]
) -> None:
    store.given(build.conference(), build.talk())
    refused(store, edit_talk, build.edit_talk(**fields), InvalidInput)


@pytest.mark.parametrize("status", ["rejected", "withdrawn"])
def test_a_decided_talk_cannot_be_edited(store: InMemoryStore, status: str) -> None:
    store.given(build.conference(), build.talk(status=status))
    refused(store, edit_talk, build.edit_talk(title=build.text("A new title")), TalkNotEditable)


def test_an_unknown_talk_is_not_found(store: InMemoryStore) -> None:
    refused(store, edit_talk, build.edit_talk(title=build.text("A new title")), TalkNotFound)


def test_a_stale_if_match_is_refused(store: InMemoryStore) -> None:
    store.given(build.conference(), build.talk())
    command = build.edit_talk(expected=build.expect(2), title=build.text("A new title"))
    refused(store, edit_talk, command, PreconditionFailed)
