"""Fill a generation from the retained outbox, then catch it up to everything final.

The main pass reads until it finds nothing more; the catch-up, after a switch-over, reads
until the position horizon has passed every position taken before it began. Only then
has every event committed before the switch reached the generation (on PostgreSQL an open
transaction may still hold a lower position: ADR 081); events committed after the switch
reach it through the live projectors, and version marks make the overlap harmless.
"""

from __future__ import annotations

import threading

from query_service.consumers.outbox_log import OutboxLog
from query_service.projector.projector import Projector, ProjectorStats
from query_service.read_store.port import ProjectionStore
from query_service.rebuild.progress import Progress

HORIZON_POLL = 0.05
"""Seconds between two looks at the horizon while an open transaction holds it back."""


class Replay:
    """A projector pinned to one generation, reading the outbox by position."""

    def __init__(
        self, log: OutboxLog, target: ProjectionStore, progress: Progress, batch_size: int
    ) -> None:
        self._log = log
        self._projector = Projector(log, target, batch_size=batch_size)
        self._progress = progress
        self._total: int | None = None
        """The log's size when the replay began (counted once: a count reads the table)."""
        self.events = 0

    @property
    def stats(self) -> ProjectorStats:
        return self._projector.stats

    def run(self, stop: threading.Event) -> bool:
        """Read until the log has nothing more below the horizon; False if stopped."""
        if self._total is None:
            self._total = self._log.count()
        while not stop.is_set() and (batch := self._projector.step(stop)):
            self.events += batch
            self._progress.replayed(self.events, max(self._total, self.events))
        return not stop.is_set()

    def catch_up(self, stop: threading.Event) -> bool:
        """Read until every position taken before this call is final and read; False if
        stopped first."""
        wanted = self._log.last_position()
        waiting = False
        while not stop.is_set():
            settled = self._log.settled_position()
            if not self.run(stop):
                return False
            if settled >= wanted:
                return True
            if not waiting:
                self._progress.phase("waiting for open write transactions to finish")
                waiting = True
            stop.wait(HORIZON_POLL)
        return False

    def close(self) -> None:
        self._projector.close()
