"""Back-off: how long to wait before trying again something that failed.

A call retried until it succeeds uses tenacity (a command that lost a race, in
``command_service/handlers/runner.py``). The loops that use this policy are not such
calls, which is why tenacity does not fit them: they wait on a stop event, so that a
shutdown cuts the wait short; they start again from the first delay after a success in
the middle of a long call (a broker connection that worked for hours, then dropped); or
they hand the delay to someone else (a message the broker delivers again later, a child
process restarted by the supervisor's poll loop). Doubling keeps them from hammering a
restarting server; the jitter keeps replicas from retrying in lock step; the cap bounds
how late recovery is noticed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

Draw = Callable[[], float]
"""A uniform random number in [0, 1); injected by tests."""


@dataclass(frozen=True)
class BackoffPolicy:
    """Exponential delays: ``first``, then ``factor`` times longer, at most ``maximum``."""

    first: float
    maximum: float
    factor: float = 2.0
    jitter: float = 0.0
    """The share of each delay drawn at random: 0 waits exactly; 0.5 waits between half
    of the delay and all of it."""

    def delay(self, attempt: int, draw: Draw = random.random) -> float:
        """The wait before retry ``attempt`` (1: the first retry after the first failure)."""
        if attempt < 1:
            raise ValueError(f"attempts count from 1, not {attempt}")
        try:
            grown = self.first * self.factor ** (attempt - 1)
        except OverflowError:  # a long outage: far past the cap
            grown = math.inf if self.first > 0 else 0.0
        capped = min(grown, self.maximum)
        if not self.jitter:
            return capped
        return capped * (1 - self.jitter + self.jitter * draw())

    def delays(self, retries: int, draw: Draw = random.random) -> list[float]:
        """The waits before each of ``retries`` retries."""
        return [self.delay(attempt, draw) for attempt in range(1, retries + 1)]


class Backoff:
    """One run of failures: ``next_delay()`` after each failure, ``reset()`` after a success.

    The defaults are the reconnect policy of the relay and of the projectors: from 0.2 s
    up to 15 s, each delay between half and all of its nominal value.
    """

    def __init__(
        self,
        initial: float = 0.2,
        maximum: float = 15.0,
        factor: float = 2.0,
        *,
        jitter: float = 0.5,
        draw: Draw = random.random,
    ) -> None:
        self.policy = BackoffPolicy(initial, maximum, factor, jitter)
        self._draw = draw
        self._failures = 0

    def next_delay(self) -> float:
        """The wait after one more failure; the next one grows."""
        self._failures += 1
        return self.policy.delay(self._failures, self._draw)

    def reset(self) -> None:
        self._failures = 0
