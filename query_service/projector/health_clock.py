"""A clock that runs only while the projector's dependencies answer (ADR 061).

The gap timeout asks "has this event's predecessor been missing for long while we could
have applied it?". Wall time cannot answer that: during a search-engine or broker outage
nothing is applied, by anyone, so a predecessor that is merely delayed would look missing.
This clock stops when a dependency goes away and goes on when it is back, so the time a
waiting event spent in an outage never counts toward its gap.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class HealthClock:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._stopped_at: float | None = None
        self._lost = 0.0
        """Seconds spent stopped, taken off every reading."""

    @property
    def running(self) -> bool:
        return self._stopped_at is None

    def now(self) -> float:
        """Seconds of healthy time (an arbitrary origin, like ``time.monotonic``)."""
        end = self._monotonic() if self._stopped_at is None else self._stopped_at
        return end - self._lost

    def stop(self) -> None:
        """A dependency went away: time stops counting (a second call changes nothing)."""
        if self._stopped_at is None:
            self._stopped_at = self._monotonic()

    def go_on(self) -> None:
        """The dependencies answer again: time counts again, from where it stopped."""
        if self._stopped_at is not None:
            self._lost += self._monotonic() - self._stopped_at
            self._stopped_at = None
