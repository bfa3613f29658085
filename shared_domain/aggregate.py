"""The aggregate base: a consistency boundary with a version and the events it caused."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from shared_domain.events import DomainEvent

E = TypeVar("E", bound=DomainEvent)


class Aggregate:
    """Every accepted change records exactly one event and advances the version by one.

    The version is what optimistic concurrency checks when the aggregate is saved, and what
    consumers use to apply each aggregate's events once and in order.
    """

    def __init__(self, id: str, version: int) -> None:
        self.id = id
        self.version = version
        self._pending: list[DomainEvent] = []

    def _record(self, make: Callable[..., E], **fields: object) -> E:
        event = make(aggregate_id=self.id, aggregate_version=self.version + 1, **fields)
        self.version += 1
        self._pending.append(event)
        return event

    def pull_events(self) -> list[DomainEvent]:
        """Hand over the events recorded since the last call (the unit of work stores them)."""
        events, self._pending = self._pending, []
        return events
