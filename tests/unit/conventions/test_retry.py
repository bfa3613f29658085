"""The back-off policy every retry loop uses, and the lost-race retries run through tenacity.

Nothing here sleeps: the random draw and the sleep are injected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import pytest

from command_service.errors import ConcurrencyConflict
from command_service.handlers.result import CommandResult
from command_service.handlers.runner import BACKOFF_SECONDS, MAX_ATTEMPTS, run
from command_service.ports import UnitOfWork
from conference_cli.supervisor import Role
from query_service.projector.retry import RetryPolicy
from service_conventions.retry import Backoff, BackoffPolicy


def test_delays_double_up_to_the_cap() -> None:
    policy = BackoffPolicy(first=0.5, maximum=3.0)
    assert policy.delays(5) == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert BackoffPolicy(first=0.1, maximum=10.0, factor=3.0).delays(3) == pytest.approx(
        [0.1, 0.3, 0.9]
    )


def test_jitter_draws_a_share_of_each_delay() -> None:
    policy = BackoffPolicy(first=2.0, maximum=8.0, jitter=0.5)
    assert policy.delay(1, draw=lambda: 0.0) == 1.0
    assert policy.delay(1, draw=lambda: 0.5) == 1.5
    assert policy.delay(3, draw=lambda: 1.0) == 8.0
    assert policy.delay(9, draw=lambda: 0.0) == 4.0


def test_a_long_outage_stays_at_the_cap() -> None:
    assert BackoffPolicy(first=0.2, maximum=15.0).delay(100_000) == 15.0
    assert BackoffPolicy(first=0.0, maximum=15.0).delay(100_000) == 0.0
    with pytest.raises(ValueError, match="from 1"):
        BackoffPolicy(first=0.2, maximum=15.0).delay(0)


def test_a_run_of_failures_starts_again_after_a_success() -> None:
    reconnect = Backoff(draw=lambda: 1.0)
    assert [reconnect.next_delay() for _ in range(8)] == pytest.approx(
        [0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 15.0]
    )
    reconnect.reset()
    assert reconnect.next_delay() == pytest.approx(0.2)
    halves = Backoff(initial=0.5, maximum=30.0, draw=lambda: 0.0)
    assert [halves.next_delay() for _ in range(3)] == [0.25, 0.5, 1.0]


def test_a_refused_event_is_retried_on_the_projector_schedule() -> None:
    assert RetryPolicy().delays() == [0.05, 0.1, 0.2, 0.4]
    assert RetryPolicy(attempts=6, first_delay=0.5, max_delay=2.0).delays() == [
        0.5,
        1.0,
        2.0,
        2.0,
        2.0,
    ]
    assert RetryPolicy(attempts=1).delays() == []


def test_a_failing_role_is_restarted_later_each_time() -> None:
    role = Role("projector", ["projector"])
    assert [role.backoff.next_delay() for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    role.backoff.reset()
    assert role.backoff.next_delay() == 1


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.committed = False

    def __enter__(self) -> FakeUnitOfWork:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def commit(self) -> list[object]:
        self.committed = True
        return []


def _losing(
    times: int, error: Exception
) -> tuple[list[FakeUnitOfWork], Callable[[str, UnitOfWork], CommandResult]]:
    opened: list[FakeUnitOfWork] = []

    def handler(command: str, uow: UnitOfWork) -> CommandResult:
        if len(opened) <= times:
            raise error
        return CommandResult(command, 1)

    return opened, handler


def _start(opened: list[FakeUnitOfWork]) -> UnitOfWork:
    opened.append(FakeUnitOfWork())
    return cast(UnitOfWork, opened[-1])


def test_a_lost_race_is_retried_on_a_fresh_unit_of_work() -> None:
    opened, handler = _losing(2, ConcurrencyConflict("saved first"))
    slept: list[float] = []

    outcome = run(handler, "c-1", lambda: _start(opened), sleep=slept.append)

    assert outcome.result == CommandResult("c-1", 1)
    assert [uow.committed for uow in opened] == [False, False, True]
    assert len(slept) == 2
    assert BACKOFF_SECONDS <= slept[0] < 2 * BACKOFF_SECONDS
    assert 2 * BACKOFF_SECONDS <= slept[1] < 4 * BACKOFF_SECONDS


def test_a_race_lost_every_time_raises_the_conflict_itself() -> None:
    opened, handler = _losing(99, ConcurrencyConflict("saved first"))
    slept: list[float] = []

    with pytest.raises(ConcurrencyConflict, match="saved first"):
        run(handler, "c-1", lambda: _start(opened), sleep=slept.append)

    assert (len(opened), len(slept)) == (MAX_ATTEMPTS, MAX_ATTEMPTS - 1)


def test_other_errors_are_not_retried() -> None:
    opened, handler = _losing(99, ValueError("a bug"))
    slept: list[float] = []

    with pytest.raises(ValueError, match="a bug"):
        run(handler, "c-1", lambda: _start(opened), sleep=slept.append)

    assert (len(opened), slept) == (1, [])
