"""Why a projection may refuse an event."""

from __future__ import annotations


class ProjectionError(Exception):
    """An event that cannot be applied to the current documents."""


class EventNotYetApplicable(ProjectionError):
    """The event lies beyond a gap in its stream: an earlier event has not been applied yet.

    Transient by nature on a broker (the missing event may still arrive), so the projector
    retries it with back-off before parking it as a dead letter.
    """

    def __init__(self, stream: str, applied: int, received: int) -> None:
        super().__init__(
            f"{stream}: version {received} arrived but only {applied} is applied "
            f"(waiting for {applied + 1})"
        )
        self.stream = stream
        self.applied = applied
        self.received = received
