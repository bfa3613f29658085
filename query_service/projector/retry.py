"""Bounded retries with exponential back-off for events a projection refuses."""

from __future__ import annotations

from dataclasses import dataclass


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
