"""Running one handler in one fake transaction, and what the handler tests assert after it."""

from __future__ import annotations

from typing import Any, TypeVar

import pytest

from command_service.handlers.result import CommandResult
from command_service.handlers.runner import Handler
from tests.unit.command.fakes import InMemoryStore

C = TypeVar("C")
E = TypeVar("E", bound=Exception)


def execute(store: InMemoryStore, handler: Handler[C], command: C) -> CommandResult:
    """Run ``handler`` and commit, as ``runner.run`` does; the handler itself never commits."""
    with store.unit_of_work() as uow:
        commits = store.commits
        result = handler(command, uow)
        assert store.commits == commits, "a handler committed on its own"
        uow.commit()
    return result


def refused(store: InMemoryStore, handler: Handler[C], command: C, error: type[E]) -> E:
    """The command raises exactly ``error``, and nothing at all was saved."""
    before = store.state()
    with pytest.raises(error) as info:
        execute(store, handler, command)
    assert type(info.value) is error
    assert store.state() == before, "a refused command saved something"
    return info.value


def recorded(store: InMemoryStore) -> list[tuple[str, str, int]]:
    """The outbox as (event class, aggregate id, aggregate version), in order."""
    return [(type(e).__name__, e.aggregate_id, e.aggregate_version) for e in store.outbox]


def event_data(store: InMemoryStore) -> list[dict[str, Any]]:
    return [event.data() for event in store.outbox]
