"""Exponential back-off with jitter, for reconnecting to a broker or database that is down.

Doubling delays keep a relay from hammering a restarting broker; the jitter keeps several
relays from reconnecting in lock step; the cap bounds how late a relay notices recovery.
"""

from __future__ import annotations

import random


class Backoff:
    def __init__(self, initial: float = 0.2, maximum: float = 15.0, factor: float = 2.0) -> None:
        self._initial = initial
        self._maximum = maximum
        self._factor = factor
        self._next = initial

    def next_delay(self) -> float:
        """The delay to wait now (full jitter over the upper half); the next one grows."""
        delay = self._next * (0.5 + random.random() / 2)
        self._next = min(self._next * self._factor, self._maximum)
        return delay

    def reset(self) -> None:
        self._next = self._initial
