"""Why a projection may refuse an event."""

from __future__ import annotations


class ProjectionError(Exception):
    """An event that cannot be applied to the current documents."""


class EventNotYetApplicable(ProjectionError):
    """The event lies beyond a gap in its stream: an earlier event has not been applied yet.

    Transient by nature on a broker (the missing event may still arrive, or be in another
    replica's hands), so the projector retries it, then holds it until its predecessor has
    applied: it is never parked as poison (ADR 061).
    """

    def __init__(self, stream: str, applied: int, received: int) -> None:
        super().__init__(
            f"{stream}: version {received} arrived but only {applied} is applied "
            f"(waiting for {applied + 1})"
        )
        self.stream = stream
        self.applied = applied
        self.received = received
