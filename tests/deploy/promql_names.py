"""The metric series that dashboards, alert rules and autoscalers name."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SERIES = re.compile(r"\bconference_\w+")


def series_names(expressions: Iterable[str]) -> set[str]:
    """Every ``conference_…`` identifier in PromQL ``expressions``."""
    return {name for expr in expressions for name in _SERIES.findall(expr)}


def unknown_series(expressions: Iterable[str], exported: Iterable[str]) -> set[str]:
    """The names in ``expressions`` that no role exports."""
    return series_names(expressions) - set(exported)
