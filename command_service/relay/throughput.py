"""Logging how fast the relay publishes, every few seconds while it is busy.

One INFO line per interval (not per batch) tells an operator the relay is alive and keeping
up, without flooding the log; an idle relay says nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

LOG_EVERY_SECONDS = 5.0


class ThroughputLog:
    def __init__(
        self,
        logger: logging.Logger,
        every: float = LOG_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger = logger
        self._every = every
        self._clock = clock
        self._since = clock()
        self._count = 0
        self.total = 0

    def add(self, published: int) -> None:
        self._count += published
        self.total += published
        now = self._clock()
        elapsed = now - self._since
        if elapsed < self._every:
            return
        if self._count:
            self._logger.info(
                "published %d events in %.1fs (%.0f events/s; %d since start)",
                self._count,
                elapsed,
                self._count / elapsed,
                self.total,
            )
        self._since, self._count = now, 0
