"""The schedule grid of a conference: days -> stages -> slots in time order.

Every day of the conference (or the one asked for) and every stage appear, even when
empty, so that a client can draw the grid without knowing the conference's shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from query_service.documents import ConferenceDocument, DocumentSpeaker, TalkDocument
from query_service.views.local_time import local_iso


@dataclass(frozen=True)
class ScheduleSlot:
    talk_id: str
    title: str
    speakers: tuple[DocumentSpeaker, ...]
    starts_at: str
    ends_at: str


@dataclass(frozen=True)
class ScheduleStage:
    name: str
    slots: tuple[ScheduleSlot, ...]


@dataclass(frozen=True)
class ScheduleDay:
    date: str
    stages: tuple[ScheduleStage, ...]


@dataclass(frozen=True)
class Schedule:
    conference_id: str
    timezone: str
    days: tuple[ScheduleDay, ...]


def conference_days(conference: ConferenceDocument) -> list[str]:
    first = date.fromisoformat(conference.starts_on)
    last = date.fromisoformat(conference.ends_on)
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def build_schedule(
    conference: ConferenceDocument, talks: Sequence[TalkDocument], day: date | None
) -> Schedule:
    days = conference_days(conference)
    if day is not None:
        days = [d for d in days if d == day.isoformat()]
    stage_names = list(conference.stages)
    for talk in talks:
        if talk.slot is not None and talk.slot.stage not in stage_names:
            stage_names.append(talk.slot.stage)
    ordered = sorted(
        (t for t in talks if t.slot is not None and t.details is not None),
        key=lambda t: (t.slot.starts_at if t.slot else "", t.id),
    )
    return Schedule(
        conference_id=conference.id,
        timezone=conference.timezone,
        days=tuple(
            ScheduleDay(
                date=d,
                stages=tuple(
                    ScheduleStage(name=stage, slots=_slots(ordered, d, stage, conference.timezone))
                    for stage in stage_names
                ),
            )
            for d in days
        ),
    )


def _slots(
    talks: Sequence[TalkDocument], day: str, stage: str, timezone: str
) -> tuple[ScheduleSlot, ...]:
    return tuple(
        ScheduleSlot(
            talk_id=t.id,
            title=t.details.title,
            speakers=t.details.speakers,
            starts_at=local_iso(t.slot.starts_at, timezone),
            ends_at=local_iso(t.slot.ends_at, timezone),
        )
        for t in talks
        if t.slot is not None
        and t.details is not None
        and t.slot.day == day
        and t.slot.stage == stage
    )
