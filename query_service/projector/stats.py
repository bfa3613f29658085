"""What a projector replica did, counted per outcome: logged at shutdown, read by tests, and
counted on ``conference_projector_events_total`` as it happens (children bound once, so a
count is one locked add)."""

from __future__ import annotations

from dataclasses import dataclass

from query_service.projector.batch import Outcome
from service_conventions.metrics.catalog import PROJECTOR_EVENTS

_APPLIED = PROJECTOR_EVENTS.labels("applied")
_DUPLICATE = PROJECTOR_EVENTS.labels("duplicate")
_SKIPPED = PROJECTOR_EVENTS.labels("skipped")
_RETRIED = PROJECTOR_EVENTS.labels("retried")
_PARKED = PROJECTOR_EVENTS.labels("parked")
_HELD = PROJECTOR_EVENTS.labels("held")


@dataclass
class ProjectorStats:
    applied: int = 0
    duplicates: int = 0
    skipped: int = 0
    dead_lettered: int = 0
    held: int = 0
    """Events beyond a version gap sent to wait in the held queue (broker only)."""
    retries: int = 0

    def count(self, kind: Outcome) -> None:
        """Count one event that was settled without a retry."""
        if kind is Outcome.APPLIED:
            self.applied += 1
            _APPLIED.inc()
        elif kind is Outcome.DUPLICATE:
            self.duplicates += 1
            _DUPLICATE.inc()
        elif kind is Outcome.SKIPPED:
            self.skipped += 1
            _SKIPPED.inc()
        elif kind in (Outcome.DEAD_LETTER, Outcome.BLOCKED):
            self.parked()

    def parked(self) -> None:
        """One event went to the dead letters."""
        self.dead_lettered += 1
        _PARKED.inc()

    def retried(self) -> None:
        """One failed attempt that will be tried again."""
        self.retries += 1
        _RETRIED.inc()

    def held_back(self) -> None:
        """One event beyond a gap sent to the held queue."""
        self.held += 1
        _HELD.inc()
