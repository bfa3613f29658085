"""Bounded retries with exponential back-off for events a projection refuses."""

from __future__ import annotations

import random
from dataclasses import dataclass

from query_service.read_store.port import ReadStoreUnavailable


def is_transient(error: Exception) -> bool:
    """A store failure that says nothing about the events: wait and write them again,
    without counting it as an attempt of theirs (ADR 061). The adapters raise the port's
    ``ReadStoreUnavailable``; the built-in network errors are the same thing unwrapped."""
    return isinstance(error, ReadStoreUnavailable | ConnectionError | TimeoutError | OSError)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_delay: float = 0.05
    max_delay: float = 2.0

    def delays(self) -> list[float]:
        """The waits before each retry after the first failure (``attempts - 1`` of them)."""
        return [
            min(self.first_delay * 2**i, self.max_delay) for i in range(max(self.attempts - 1, 0))
        ]


class Backoff:
    """Exponential back-off with jitter, for reconnecting to a broker or a store that is down.

    Doubling keeps a projector from hammering a restarting broker; jitter keeps replicas from
    reconnecting in lock step; the cap bounds how late recovery is noticed.
    """

    def __init__(self, initial: float = 0.2, maximum: float = 15.0) -> None:
        self._initial = initial
        self._maximum = maximum
        self._next = initial

    def next_delay(self) -> float:
        delay = self._next * (0.5 + random.random() / 2)
        self._next = min(self._next * 2, self._maximum)
        return delay

    def reset(self) -> None:
        self._next = self._initial
