"""``add_stage``: one more stage, unique ignoring case, at most 20."""

from __future__ import annotations

import pytest

from command_service.errors import PreconditionFailed
from command_service.handlers.add_stage import add_stage
from shared_domain.errors import ConferenceNotFound, InvalidInput, StageExists, StageLimitReached
from tests.unit.command import builders as build
from tests.unit.command.fakes import InMemoryStore
from tests.unit.command.handling import event_data, execute, recorded, refused


def test_adds_the_stage_and_answers_the_stages(store: InMemoryStore) -> None:
    store.given(build.conference())

    result = execute(store, add_stage, build.add_stage("Garden"))

    assert (result.version, result.extras) == (2, {"stages": ["Main", "Side", "Garden"]})
    assert store.conference("conf-1").stages == ["Main", "Side", "Garden"]
    assert recorded(store) == [("StageAdded", "conf-1", 2)]
    assert event_data(store) == [{"stage": "Garden"}]


@pytest.mark.parametrize(
    ("stages", "name", "error"),
    [
        (("Main", "Side"), "main", StageExists),
        (tuple(f"Stage {n}" for n in range(20)), "Garden", StageLimitReached),
        (("Main",), "", InvalidInput),
    ],
)
def test_a_broken_rule_saves_nothing(
    store: InMemoryStore, stages: tuple[str, ...], name: str, error: type[Exception]
) -> None:
    store.given(build.conference(stages=stages))
    refused(store, add_stage, build.add_stage(name), error)


def test_an_unknown_conference_is_not_found(store: InMemoryStore) -> None:
    refused(store, add_stage, build.add_stage("Garden"), ConferenceNotFound)


def test_a_stale_if_match_is_refused(store: InMemoryStore) -> None:
    store.given(build.conference())
    refused(
        store, add_stage, build.add_stage("Garden", expected=build.expect(0, 2)), PreconditionFailed
    )
