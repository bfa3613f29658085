"""Timestamps in events are ISO 8601 with an offset; projections store them in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from query_service.projections.errors import ProjectionError


def utc(value: object) -> datetime:
    """Parse an ISO 8601 timestamp with offset into UTC; ``ProjectionError`` otherwise."""
    if not isinstance(value, str):
        raise ProjectionError(f"timestamp {value!r} is not a string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ProjectionError(f"timestamp {value!r} is not ISO 8601") from None
    if moment.tzinfo is None:
        raise ProjectionError(f"timestamp {value!r} has no UTC offset")
    return moment.astimezone(UTC)
