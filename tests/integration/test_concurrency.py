"""Concurrent writers: optimistic concurrency, lost-race retries, idempotency under races.

Threads start together behind a barrier and go through the same code path as the API
(``CommandService.run``, or the ASGI app itself).
"""

from __future__ import annotations

import json
import threading
import uuid
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
import sqlalchemy as sa

from command_service.adapters.tables import outbox
from command_service.api.app import create_app
from command_service.bootstrap import CommandService, bootstrap
from command_service.errors import ConcurrencyConflict, PreconditionFailed
from command_service.handlers.create_conference import CreateConference, create_conference
from command_service.handlers.expected_version import ExpectedVersion
from command_service.handlers.rename_conference import RenameConference, rename_conference
from command_service.handlers.result import CommandResult
from command_service.handlers.runner import CommandRun, IdempotencyClaim, run
from command_service.ports import UnitOfWork
from command_service.settings import load_settings
from tests.integration.conftest import new_conference, store, trace
from tests.tokens import RoleTokens

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

T = TypeVar("T")
WRITERS = 8


@pytest.fixture
def service(database_url: str) -> Iterator[CommandService]:
    service = bootstrap(load_settings(database_url=database_url))
    yield service
    service.close()


def together(count: int, work: Callable[[int], T]) -> list[T | Exception]:
    """Run ``work(0..count-1)`` in threads released at once; results or raised errors."""
    barrier = threading.Barrier(count)

    def start(index: int) -> T | Exception:
        barrier.wait(timeout=10)
        try:
            return work(index)
        except Exception as error:
            return error

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(start, range(count)))


def versions_in_outbox(engine: sa.Engine, aggregate_id: str) -> list[int]:
    with engine.connect() as connection:
        envelopes = connection.scalars(
            sa.select(outbox.c.envelope)
            .where(outbox.c.aggregate_id == aggregate_id)
            .order_by(outbox.c.position)
        )
        return [json.loads(envelope)["aggregateversion"] for envelope in envelopes]


def test_writers_with_the_same_if_match_one_wins_the_others_get_412(
    service: CommandService,
) -> None:
    conference = new_conference()
    store(service.engine, conference)

    def rename(index: int) -> CommandRun:
        command = RenameConference(conference.id, f"Name {index}", ExpectedVersion.exactly(1))
        return service.run(rename_conference, command, trace())

    results = together(WRITERS, rename)

    winners = [r for r in results if isinstance(r, CommandRun)]
    assert len(winners) == 1, results
    assert all(isinstance(r, PreconditionFailed) for r in results if r not in winners)
    assert winners[0].result.version == 2
    assert versions_in_outbox(service.engine, conference.id) == [1, 2]


def test_writers_without_if_match_all_succeed_with_contiguous_versions(
    service: CommandService,
) -> None:
    conference = new_conference()
    store(service.engine, conference)

    def rename(index: int) -> CommandRun:
        return service.run(
            rename_conference, RenameConference(conference.id, f"Name {index}"), trace()
        )

    results = together(WRITERS, rename)

    assert all(isinstance(r, CommandRun) for r in results), results
    versions = sorted(r.result.version for r in results if isinstance(r, CommandRun))
    assert versions == list(range(2, WRITERS + 2))
    assert versions_in_outbox(service.engine, conference.id) == list(range(1, WRITERS + 2))


def test_concurrent_requests_with_one_idempotency_key_do_the_work_once(
    service: CommandService,
) -> None:
    claim = IdempotencyClaim(key=f"key-{uuid.uuid4()}", fingerprint="f" * 64)
    command = CreateConference(
        conference_id=str(uuid.uuid4()),
        name="Once",
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 6, 1),
        stages=("Main",),
    )

    results = together(WRITERS, lambda _: service.run(create_conference, command, trace(), claim))

    outcomes = [r for r in results if isinstance(r, CommandRun)]
    assert len(outcomes) == WRITERS, results
    assert sum(not outcome.replayed for outcome in outcomes) == 1
    assert all(o.result == CommandResult(command.conference_id, 1) for o in outcomes)
    assert versions_in_outbox(service.engine, command.conference_id) == [1]


def test_concurrent_http_requests_with_one_idempotency_key_do_the_work_once(
    service: CommandService, tmp_path: Path
) -> None:
    settings = load_settings(auth_signing_key_file=tmp_path / "auth-key.pem")
    app = create_app(settings, service=service)
    body = {"name": "Once", "starts_on": "2026-06-01", "ends_on": "2026-06-01", "stages": ["A"]}
    headers = {"Idempotency-Key": f"key-{uuid.uuid4()}"}

    def post(_: int) -> tuple[int, str, bool]:
        client = TestClient(app)
        client.auth = RoleTokens(settings)
        response: httpx.Response = client.post("/conferences", json=body, headers=headers)
        return (
            response.status_code,
            response.json()["id"],
            "Idempotent-Replayed" in response.headers,
        )

    results = together(4, post)

    assert all(not isinstance(r, Exception) for r in results), results
    answers = [r for r in results if not isinstance(r, Exception)]
    assert {status for status, _, _ in answers} == {201}
    assert len({conference_id for _, conference_id, _ in answers}) == 1
    assert sorted(replayed for _, _, replayed in answers) == [False, True, True, True]
    with service.engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(outbox)) == 1


def test_a_lost_race_is_retried_on_fresh_state(service: CommandService) -> None:
    conference = new_conference()
    store(service.engine, conference)
    attempts: list[int] = []

    def loses_once(command: RenameConference, uow: UnitOfWork) -> CommandResult:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConcurrencyConflict("another writer saved first")
        return rename_conference(command, uow)

    outcome = run(
        loses_once,
        RenameConference(conference.id, "Retried"),
        lambda: service.unit_of_work(trace()),
        sleep=lambda _: None,
    )

    assert (len(attempts), outcome.result.version) == (2, 2)


def test_a_race_lost_every_time_surfaces_as_a_conflict(service: CommandService) -> None:
    def always_loses(command: RenameConference, uow: UnitOfWork) -> CommandResult:
        raise ConcurrencyConflict("another writer saved first")

    with pytest.raises(ConcurrencyConflict):
        run(
            always_loses,
            RenameConference(str(uuid.uuid4()), "x"),
            lambda: service.unit_of_work(trace()),
            sleep=lambda _: None,
        )
