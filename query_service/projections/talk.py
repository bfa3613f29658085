"""Talk stream -> the details and lifecycle of a talk document (mark: ``talk_version``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from query_service.documents import (
    DocumentSpeaker,
    DocumentTalkDetails,
    DocumentTalkStatus,
    TalkDocument,
)
from query_service.projections.errors import ProjectionError
from query_service.projections.guards import next_in_stream
from query_service.projections.timestamps import utc
from shared_domain.events import (
    TalkAccepted,
    TalkEdited,
    TalkRejected,
    TalkSubmitted,
    TalkWithdrawn,
)

TalkEvent = TalkSubmitted | TalkEdited | TalkAccepted | TalkRejected | TalkWithdrawn

_LIFECYCLE: dict[type[Any], DocumentTalkStatus] = {
    TalkAccepted: DocumentTalkStatus.ACCEPTED,
    TalkRejected: DocumentTalkStatus.REJECTED,
    TalkWithdrawn: DocumentTalkStatus.WITHDRAWN,
}


def project_talk_event(event: TalkEvent, doc: TalkDocument | None) -> TalkDocument | None:
    """The talk document after ``event``, or None when the event was already applied."""
    current = doc or TalkDocument(id=event.aggregate_id)
    stream = f"talk/{event.aggregate_id}"
    if not next_in_stream(stream, current.talk_version, event.aggregate_version):
        return None
    if isinstance(event, TalkSubmitted):
        return replace(
            current,
            details=_details(event.conference_id, event),
            lifecycle=DocumentTalkStatus.SUBMITTED.value,
            submitted_at=utc(event.occurred_at).isoformat(),
            talk_version=event.aggregate_version,
        )
    if current.details is None:
        raise ProjectionError(f"{stream}: {event.event_type()} before the talk was submitted")
    if isinstance(event, TalkEdited):
        return replace(
            current,
            details=_details(current.details.conference_id, event),
            talk_version=event.aggregate_version,
        )
    return replace(
        current,
        lifecycle=_LIFECYCLE[type(event)].value,
        talk_version=event.aggregate_version,
    )


def _details(conference_id: str, event: TalkSubmitted | TalkEdited) -> DocumentTalkDetails:
    """Copy the details, refusing shapes the write side never produces (a poison message)."""
    texts = (event.title, event.abstract, event.level, event.format, event.language)
    if not all(isinstance(value, str) for value in texts):
        raise ProjectionError(f"talk/{event.aggregate_id}: a text field is not a string")
    if not isinstance(event.duration_minutes, int) or not isinstance(event.tags, list):
        raise ProjectionError(f"talk/{event.aggregate_id}: malformed duration or tags")
    if not isinstance(event.speakers, list) or not all(
        isinstance(s, dict) and isinstance(s.get("name"), str) for s in event.speakers
    ):
        raise ProjectionError(f"talk/{event.aggregate_id}: malformed speakers")
    return DocumentTalkDetails(
        conference_id=conference_id,
        title=event.title,
        abstract=event.abstract,
        speakers=tuple(
            DocumentSpeaker(name=s["name"], company=s.get("company") or None)
            for s in event.speakers
        ),
        tags=tuple(str(tag) for tag in event.tags),
        level=event.level,
        format=event.format,
        duration_minutes=event.duration_minutes,
        language=event.language,
    )
