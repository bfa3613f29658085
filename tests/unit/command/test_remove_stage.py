"""``remove_stage``: refused while a talk is scheduled on it, and for the last stage."""

from __future__ import annotations

import pytest

from command_service.errors import PreconditionFailed
from command_service.handlers.remove_stage import remove_stage
from shared_domain.errors import ConferenceNotFound, LastStage, StageInUse, StageUnknown
from tests.unit.command import builders as build
from tests.unit.command.fakes import InMemoryStore
from tests.unit.command.handling import event_data, execute, recorded, refused


def test_removes_the_stage_in_its_stored_spelling(store: InMemoryStore) -> None:
    store.given(build.conference())

    result = execute(store, remove_stage, build.remove_stage(" side "))

    assert (result.version, result.extras) == (2, {"stages": ["Main"]})
    assert store.conference("conf-1").stages == ["Main"]
    assert recorded(store) == [("StageRemoved", "conf-1", 2)]
    assert event_data(store) == [{"stage": "Side"}]


def test_a_stage_in_use_stays(store: InMemoryStore) -> None:
    accepted = build.talk(status="accepted")
    on = build.scheduled(build.conference(), (accepted, "Side", "2026-06-01T09:00:00+00:00"))
    store.given(on, accepted)
    refused(store, remove_stage, build.remove_stage("Side"), StageInUse)


@pytest.mark.parametrize(
    ("stages", "name", "error"),
    [(("Main",), "Main", LastStage), (("Main", "Side"), "Garden", StageUnknown)],
)
def test_a_broken_rule_saves_nothing(
    store: InMemoryStore, stages: tuple[str, ...], name: str, error: type[Exception]
) -> None:
    store.given(build.conference(stages=stages))
    refused(store, remove_stage, build.remove_stage(name), error)


def test_an_unknown_conference_is_not_found(store: InMemoryStore) -> None:
    refused(store, remove_stage, build.remove_stage("Side"), ConferenceNotFound)


def test_a_stale_if_match_is_refused(store: InMemoryStore) -> None:
    store.given(build.conference())
    refused(
        store,
        remove_stage,
        build.remove_stage("Side", expected=build.expect(7)),
        PreconditionFailed,
    )
