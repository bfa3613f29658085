"""Version guards: the idempotency and ordering rules every projection applies first."""

from __future__ import annotations

from query_service.projections.errors import EventNotYetApplicable


def next_in_stream(stream: str, applied: int, received: int) -> bool:
    """For a contiguous stream: True to apply, False for a duplicate; raises beyond a gap."""
    if received <= applied:
        return False
    if received == applied + 1:
        return True
    raise EventNotYetApplicable(stream, applied, received)


def newer_than(applied: int, received: int) -> bool:
    """For a monotonic mark (one stream writing many documents, each seeing only some
    of its versions): apply anything newer, skip the rest."""
    return received > applied
