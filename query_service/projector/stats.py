"""What a projector replica did, counted per outcome (logged at shutdown, read by tests)."""

from __future__ import annotations

from dataclasses import dataclass

from query_service.projector.batch import Outcome


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
        elif kind is Outcome.DUPLICATE:
            self.duplicates += 1
        elif kind is Outcome.SKIPPED:
            self.skipped += 1
        elif kind in (Outcome.DEAD_LETTER, Outcome.BLOCKED):
            self.dead_lettered += 1
