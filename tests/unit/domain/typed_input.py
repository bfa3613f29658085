"""Input as the domain tests write it, typed as the domain takes it.

Tests write days, times and speakers as JSON has them (ISO strings, objects); these turn
them into ``date``, ``datetime`` and ``Speaker`` and leave anything that is no such value
as it is, for the domain to refuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from shared_domain.values import Speaker


def _day(raw: Any) -> Any:
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        return raw


def moment(raw: Any) -> Any:
    """An ISO date-time string as a ``datetime``; anything else as it is."""
    try:
        return datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        return raw


def speaker(raw: Any) -> Any:
    """``{"name", "company"}`` as a ``Speaker``; anything else as it is."""
    if isinstance(raw, Mapping) and "name" in raw and set(raw) <= {"name", "company"}:
        return Speaker(raw["name"], raw.get("company"))
    return raw


def typed(**arguments: Any) -> dict[str, Any]:
    """Keyword arguments of ``Conference.create`` or ``TalkDetails.parse``, typed."""
    for field in ("starts_on", "ends_on"):
        if field in arguments:
            arguments[field] = _day(arguments[field])
    if isinstance(arguments.get("speakers"), list):
        arguments["speakers"] = [speaker(raw) for raw in arguments["speakers"]]
    return arguments
