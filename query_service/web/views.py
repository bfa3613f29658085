"""What the templates draw, built from port results: facets, the day grid, time labels.

Pure functions of read-store results and the request's query, no I/O, so that every
rule of the page (which facet is ticked, which slot lands in which cell) is unit-tested.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from query_service.documents import TalkDocument
from query_service.read_store.port import FACET_FIELDS, FacetCount, TalkQuery
from query_service.views.schedule import ScheduleDay, ScheduleSlot

FACET_LABELS = {
    "tag": "Tag",
    "level": "Level",
    "format": "Format",
    "language": "Language",
    "status": "Status",
    "stage": "Stage",
    "day": "Day",
}


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass(frozen=True)
class FacetGroup:
    field: str
    label: str
    values: tuple[FacetValue, ...]


def selected_values(query: TalkQuery) -> dict[str, tuple[str, ...]]:
    """The query's filters by facet name (the URL parameter each facet filters by)."""
    return {
        "tag": query.tags,
        "level": query.levels,
        "format": query.formats,
        "language": query.languages,
        "status": query.statuses,
        "stage": query.stages,
        "day": tuple(d.isoformat() for d in query.days),
    }


def facet_groups(facets: Mapping[str, Sequence[FacetCount]], query: TalkQuery) -> list[FacetGroup]:
    """Every facet with its counts; a ticked value the results no longer hold stays listed
    (with 0) so that it can be unticked."""
    chosen = selected_values(query)
    groups = []
    for name in FACET_FIELDS:
        counts = {c.value: c.count for c in facets.get(name, ())}
        values = [FacetValue(v, n, v in chosen[name]) for v, n in counts.items()]
        values += [FacetValue(v, 0, True) for v in chosen[name] if v not in counts]
        if values:
            groups.append(FacetGroup(name, FACET_LABELS[name], tuple(values)))
    return groups


def search_params(query: TalkQuery) -> list[tuple[str, str]]:
    """The query as URL parameters, without the cursor: what a shared link reproduces."""
    params: list[tuple[str, str]] = []
    if query.text:
        params.append(("q", query.text))
    if query.conference_id:
        params.append(("conference_id", query.conference_id))
    for name, values in selected_values(query).items():
        params.extend((name, value) for value in values)
    return params


def search_url(query: TalkQuery, cursor: str | None = None) -> str:
    params = search_params(query)
    if cursor is not None:
        params.append(("cursor", cursor))
    return "/?" + urlencode(params) if params else "/"


def clock(local_iso: str) -> str:
    """``2025-05-02T09:50:00+02:00`` -> ``09:50``."""
    return datetime.fromisoformat(local_iso).strftime("%H:%M")


def day_label(number: int, day: str) -> str:
    return f"Day {number} · {date.fromisoformat(day).strftime('%a %-d %b')}"


@dataclass(frozen=True)
class GridSlot:
    slot: ScheduleSlot
    talk: TalkDocument | None


@dataclass(frozen=True)
class GridRow:
    starts: str
    ends: str
    cells: tuple[tuple[GridSlot, ...], ...]
    """One cell per stage, in the grid's stage order (empty where nothing runs)."""


@dataclass(frozen=True)
class Grid:
    stages: tuple[str, ...]
    rows: tuple[GridRow, ...]


def day_grid(day: ScheduleDay, talks: Mapping[str, TalkDocument]) -> Grid:
    """Stages as columns, start times as rows; slots sharing a stage and start share a cell."""
    stages = tuple(stage.name for stage in day.stages)
    times = sorted({(s.starts_at, s.ends_at) for stage in day.stages for s in stage.slots})
    starts = sorted({start for start, _ in times})
    rows = []
    for start in starts:
        ends = max(end for s, end in times if s == start)
        cells = tuple(
            tuple(GridSlot(s, talks.get(s.talk_id)) for s in stage.slots if s.starts_at == start)
            for stage in day.stages
        )
        rows.append(GridRow(clock(start), clock(ends), cells))
    return Grid(stages, tuple(rows))
