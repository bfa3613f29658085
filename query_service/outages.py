"""One line when a dependency goes away and one when it is back, nothing in between.

An outage of the search engine or the broker is expected weather, not a bug: logging a
traceback per request or per reconnect attempt buries the one fact an operator needs
(what went away, when, and for how long) under thousands of identical lines. Tracebacks
stay for the unexpected.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable


class OutageLog:
    def __init__(
        self, what: str, logger: logging.Logger, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._what = what
        self._log = logger
        self._monotonic = monotonic
        self._since: float | None = None
        self._failures = 0
        self._lock = threading.Lock()

    @property
    def is_down(self) -> bool:
        return self._since is not None

    def down(self, error: object) -> None:
        """A call failed because the dependency is away; only the first one is logged."""
        with self._lock:
            self._failures += 1
            if self._since is not None:
                return
            self._since = self._monotonic()
        self._log.warning("%s unavailable: %s", self._what, error)

    def up(self) -> None:
        """A call succeeded; if the dependency was away, say for how long."""
        if self._since is None:  # the common case, without the lock
            return
        with self._lock:
            if self._since is None:
                return
            gone, failures = self._monotonic() - self._since, self._failures
            self._since, self._failures = None, 0
        self._log.warning(
            "%s is back after %.1fs (%d failed call(s) meanwhile)", self._what, gone, failures
        )
