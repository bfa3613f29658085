"""Running one command: a transaction, the idempotency record, and retries of lost races.

Every handler runs through ``run``. A ``guard`` (the API's authorization policy) runs first
in the transaction, before anything is looked up or replayed. The idempotency key is looked
up and recorded inside the command's own transaction, so a key is stored exactly when the
command's effects are. A ``ConcurrencyConflict`` (another writer saved the same aggregate
first) re-runs the whole command on fresh state; a command with ``If-Match`` then fails its
precondition instead.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from command_service.errors import ConcurrencyConflict, ConnectionLost, IdempotencyKeyReused
from command_service.handlers.result import CommandResult
from command_service.ports import UnitOfWork
from shared_domain.events import DomainEvent

C = TypeVar("C")
Handler = Callable[[C, UnitOfWork], CommandResult]
Guard = Callable[[UnitOfWork], None]
"""Raises if the command may not run; sees the command's own unit of work."""

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 0.01


@dataclass(frozen=True)
class IdempotencyClaim:
    """A client's ``Idempotency-Key`` and the fingerprint of the request it came with."""

    key: str
    fingerprint: str


@dataclass(frozen=True)
class CommandRun:
    """What running one command gave the API: its result, fresh or replayed."""

    result: CommandResult
    replayed: bool = False
    """True when the result is the stored answer of an earlier request with the same key."""
    events: Sequence[DomainEvent] = field(default=(), compare=False)
    """What the command recorded (none on a replay, or when it changed nothing)."""


def run(
    handler: Handler[C],
    command: C,
    start: Callable[[], UnitOfWork],
    *,
    idempotency: IdempotencyClaim | None = None,
    guard: Guard | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> CommandRun:
    """Run ``handler`` in a fresh unit of work from ``start``, retrying lost races."""
    retrying = Retrying(
        retry=retry_if_exception_type((ConcurrencyConflict, ConnectionLost)),
        stop=stop_after_attempt(MAX_ATTEMPTS),
        wait=_after_lost_race,
        sleep=sleep,
        reraise=True,
    )
    try:
        return retrying(_attempt, handler, command, start, idempotency, guard)
    except ConnectionLost as lost:  # every attempt: the database is really gone
        raise lost.error from None


def _after_lost_race(state: RetryCallState) -> float:
    """``BACKOFF_SECONDS`` more for each lost race, plus up to as much again at random:
    writers that collided spread out at once, and a retry waits milliseconds."""
    return BACKOFF_SECONDS * state.attempt_number * (1 + random.random())


def _attempt(
    handler: Handler[C],
    command: C,
    start: Callable[[], UnitOfWork],
    idempotency: IdempotencyClaim | None,
    guard: Guard | None,
) -> CommandRun:
    with start() as uow:
        if guard is not None:
            guard(uow)
        if idempotency is not None:
            stored = uow.idempotency.find(idempotency.key)
            if stored is not None:
                fingerprint, answer = stored
                if fingerprint != idempotency.fingerprint:
                    raise IdempotencyKeyReused(
                        f"Idempotency-Key {idempotency.key!r} was first used for a different "
                        "request; use a new key for a new request."
                    )
                return CommandRun(CommandResult.from_data(answer), replayed=True)
        result = handler(command, uow)
        if idempotency is not None:
            uow.idempotency.record(idempotency.key, idempotency.fingerprint, result.to_data())
        events = uow.commit()
        return CommandRun(result, events=tuple(events))
