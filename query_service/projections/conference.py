"""Conference stream -> the conference document (mark: ``version``) and, for schedule
events, the slot of one talk document (mark: ``schedule_version``, monotonic).

The conference document is the contiguity guard of the whole stream; a talk's schedule
mark only has to be monotonic because it sees just the conference versions that touch it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from query_service.documents import ConferenceDocument, DocumentSlot, TalkDocument
from query_service.projections.errors import ProjectionError
from query_service.projections.guards import newer_than, next_in_stream
from query_service.projections.timestamps import utc
from shared_domain.events import (
    ConferenceCreated,
    ConferenceRenamed,
    StageAdded,
    StageRemoved,
    TalkScheduled,
    TalkUnscheduled,
)

ConferenceEvent = (
    ConferenceCreated
    | ConferenceRenamed
    | StageAdded
    | StageRemoved
    | TalkScheduled
    | TalkUnscheduled
)


@dataclass(frozen=True)
class ConferenceChange:
    """The documents one conference event rewrites (the talk only for schedule events)."""

    conference: ConferenceDocument
    talk: TalkDocument | None = None


def project_conference_event(
    event: ConferenceEvent,
    conference: ConferenceDocument | None,
    talk: TalkDocument | None = None,
) -> ConferenceChange | None:
    """The documents after ``event``, or None when the event was already applied."""
    stream = f"conference/{event.aggregate_id}"
    applied = 0 if conference is None else conference.version
    if not next_in_stream(stream, applied, event.aggregate_version):
        return None
    if isinstance(event, ConferenceCreated):
        return ConferenceChange(
            ConferenceDocument(
                id=event.aggregate_id,
                version=event.aggregate_version,
                name=event.name,
                starts_on=event.starts_on,
                ends_on=event.ends_on,
                timezone=event.timezone,
                stages=tuple(event.stages),
            )
        )
    if conference is None:
        raise ProjectionError(f"{stream}: {event.event_type()} before the conference exists")
    bumped = replace(conference, version=event.aggregate_version)
    if isinstance(event, ConferenceRenamed):
        return ConferenceChange(replace(bumped, name=event.name))
    if isinstance(event, StageAdded):
        return ConferenceChange(replace(bumped, stages=(*conference.stages, event.stage)))
    if isinstance(event, StageRemoved):
        key = event.stage.casefold()
        stages = tuple(s for s in conference.stages if s.casefold() != key)
        return ConferenceChange(replace(bumped, stages=stages))
    return ConferenceChange(bumped, _project_slot(event, conference, talk))


def _project_slot(
    event: TalkScheduled | TalkUnscheduled,
    conference: ConferenceDocument,
    talk: TalkDocument | None,
) -> TalkDocument | None:
    current = talk or TalkDocument(id=event.talk_id)
    if not newer_than(current.schedule_version, event.aggregate_version):
        return None
    slot = _slot(event, conference) if isinstance(event, TalkScheduled) else None
    return replace(current, slot=slot, schedule_version=event.aggregate_version)


def _slot(event: TalkScheduled, conference: ConferenceDocument) -> DocumentSlot:
    starts_at = utc(event.starts_at)
    return DocumentSlot(
        conference_id=conference.id,
        stage=event.stage,
        starts_at=starts_at.isoformat(),
        ends_at=utc(event.ends_at).isoformat(),
        day=starts_at.astimezone(ZoneInfo(conference.timezone)).date().isoformat(),
        timezone=conference.timezone,
    )
