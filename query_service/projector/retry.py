"""Bounded retries with exponential back-off for events a projection refuses.

The back-off itself is the shared one (``service_conventions/retry.py``); this module says
how many times a refused event is tried and which failures are the store's, not the event's.
"""

from __future__ import annotations

from dataclasses import dataclass

from query_service.read_store.port import ReadStoreUnavailable
from service_conventions.retry import Backoff, BackoffPolicy

__all__ = ["Backoff", "RetryPolicy", "is_transient"]


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

    @property
    def backoff(self) -> BackoffPolicy:
        """The waits between attempts: doubling from ``first_delay``, no jitter."""
        return BackoffPolicy(first=self.first_delay, maximum=self.max_delay)

    def delays(self) -> list[float]:
        """The waits before each retry after the first failure (``attempts - 1`` of them)."""
        return self.backoff.delays(max(self.attempts - 1, 0))
