"""``runner.run``: one transaction per attempt, retries of lost races, idempotent replays."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from command_service.errors import ConcurrencyConflict, IdempotencyKeyReused, PreconditionFailed
from command_service.handlers import runner
from command_service.handlers.add_stage import add_stage
from command_service.handlers.rename_conference import RenameConference, rename_conference
from command_service.handlers.result import CommandResult
from command_service.handlers.runner import CommandRun, IdempotencyClaim, run
from command_service.ports import UnitOfWork
from shared_domain.errors import ConferenceNotFound
from tests.unit.command import builders as build
from tests.unit.command.fakes import InMemoryStore
from tests.unit.command.handling import recorded

KEY = IdempotencyClaim("key-1", "fingerprint-1")


@pytest.fixture
def delays() -> list[float]:
    return []


def losing(
    store: InMemoryStore, times: int
) -> Callable[[RenameConference, UnitOfWork], CommandResult]:
    """``rename_conference``, but another writer renames the conference first, ``times`` times:
    after the handler loaded it, before it commits."""
    races = iter(range(1, times + 1))

    def handler(command: RenameConference, uow: UnitOfWork) -> CommandResult:
        result = rename_conference(command, uow)
        race = next(races, None)
        if race is not None:
            with store.unit_of_work() as rival:
                rival.conferences.get(command.conference_id).rename(build.text(f"Rival {race}"))
                rival.commit()
        return result

    return handler


def test_runs_the_command_in_one_committed_transaction(
    store: InMemoryStore, delays: list[float]
) -> None:
    store.given(build.conference())

    outcome = run(
        rename_conference, build.rename_conference("New"), store.unit_of_work, sleep=delays.append
    )

    assert outcome == CommandRun(CommandResult("conf-1", 2))
    assert store.commits == 1
    assert recorded(store) == [("ConferenceRenamed", "conf-1", 2)]
    assert delays == []


def test_a_refused_command_commits_nothing(store: InMemoryStore) -> None:
    with pytest.raises(ConferenceNotFound):
        run(rename_conference, build.rename_conference("New"), store.unit_of_work)
    assert store.commits == 0


def test_a_lost_race_is_run_again_on_fresh_state(store: InMemoryStore, delays: list[float]) -> None:
    store.given(build.conference())

    outcome = run(
        losing(store, 2), build.rename_conference("New"), store.unit_of_work, sleep=delays.append
    )

    assert outcome.result.version == 4  # after both rivals' renames
    assert store.conference("conf-1").name == "New"
    assert [v for _, _, v in recorded(store)] == [2, 3, 4]
    assert len(delays) == 2
    for attempt, delay in enumerate(delays, start=1):
        assert runner.BACKOFF_SECONDS * attempt <= delay <= 2 * runner.BACKOFF_SECONDS * attempt


def test_it_gives_up_after_max_attempts(store: InMemoryStore, delays: list[float]) -> None:
    store.given(build.conference())
    handler = losing(store, runner.MAX_ATTEMPTS)
    with pytest.raises(ConcurrencyConflict):
        run(handler, build.rename_conference("New"), store.unit_of_work, sleep=delays.append)
    assert len(delays) == runner.MAX_ATTEMPTS - 1
    assert store.conference("conf-1").name.startswith("Rival")


def test_a_lost_race_under_if_match_fails_the_precondition(store: InMemoryStore) -> None:
    store.given(build.conference())
    with pytest.raises(PreconditionFailed):
        run(
            losing(store, 1),
            build.rename_conference("New", expected=build.expect(1)),
            store.unit_of_work,
            sleep=lambda _: None,
        )
    assert store.conference("conf-1").name.startswith("Rival")


def test_an_idempotency_key_stores_the_answer_with_the_effects(store: InMemoryStore) -> None:
    store.given(build.conference())

    first = run(
        rename_conference, build.rename_conference("New"), store.unit_of_work, idempotency=KEY
    )
    again = run(
        rename_conference, build.rename_conference("Newer"), store.unit_of_work, idempotency=KEY
    )

    assert first == CommandRun(CommandResult("conf-1", 2))
    assert again == CommandRun(CommandResult("conf-1", 2), replayed=True)
    assert store.idempotency == {"key-1": ("fingerprint-1", {"id": "conf-1", "version": 2})}
    assert store.conference("conf-1").name == "New", "the replay did not run the command"
    assert len(recorded(store)) == 1


def test_extras_come_back_in_a_replay(store: InMemoryStore) -> None:
    store.given(build.conference())
    first = run(add_stage, build.add_stage("Garden"), store.unit_of_work, idempotency=KEY)
    again = run(add_stage, build.add_stage("Other"), store.unit_of_work, idempotency=KEY)
    assert again.result == first.result
    assert again.result.extras == {"stages": ["Main", "Side", "Garden"]}


def test_a_key_reused_for_another_request_is_refused(store: InMemoryStore) -> None:
    store.given(build.conference())
    run(rename_conference, build.rename_conference("New"), store.unit_of_work, idempotency=KEY)
    before = store.state()
    with pytest.raises(IdempotencyKeyReused):
        run(
            rename_conference,
            build.rename_conference("New"),
            store.unit_of_work,
            idempotency=IdempotencyClaim("key-1", "other"),
        )
    assert store.state() == before


def test_a_refused_command_stores_no_key(store: InMemoryStore) -> None:
    with pytest.raises(ConferenceNotFound):
        run(rename_conference, build.rename_conference("New"), store.unit_of_work, idempotency=KEY)
    assert store.idempotency == {}


def test_a_concurrent_request_with_the_same_key_is_replayed(store: InMemoryStore) -> None:
    """The rival finished first with the same key: our attempt conflicts, the retry replays."""
    store.given(build.conference())
    rival_done = False

    def handler(command: RenameConference, uow: UnitOfWork) -> CommandResult:
        nonlocal rival_done
        if not rival_done:
            rival_done = True
            run(rename_conference, command, store.unit_of_work, idempotency=KEY)
        return rename_conference(command, uow)

    outcome = run(
        handler,
        build.rename_conference("New"),
        store.unit_of_work,
        idempotency=KEY,
        sleep=lambda _: None,
    )

    assert outcome == CommandRun(CommandResult("conf-1", 2), replayed=True)
    assert len(recorded(store)) == 1
