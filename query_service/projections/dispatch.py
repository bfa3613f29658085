"""One entry point for the projector: which documents an event needs, and its changes.

Keeping the routing here lets the projector stay ignorant of event classes, and lets the
projections stay ignorant of storage: both sides meet on ``DocumentKeys`` and ``Changes``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from query_service.documents import ConferenceDocument, TalkDocument
from query_service.projections.conference import project_conference_event
from query_service.projections.ratings import project_rating_event
from query_service.projections.talk import project_talk_event
from shared_domain.events import (
    ConferenceCreated,
    ConferenceRenamed,
    DomainEvent,
    StageAdded,
    StageRemoved,
    TalkAccepted,
    TalkEdited,
    TalkRated,
    TalkRatingRemoved,
    TalkRejected,
    TalkScheduled,
    TalkSubmitted,
    TalkUnscheduled,
    TalkWithdrawn,
)

PROJECTED_AGGREGATE_TYPES = frozenset({"conference", "talk", "talk_ratings"})


@dataclass(frozen=True)
class DocumentKeys:
    talk_ids: frozenset[str] = frozenset()
    conference_ids: frozenset[str] = frozenset()

    def overlaps(self, other: DocumentKeys) -> bool:
        return bool(self.talk_ids & other.talk_ids or self.conference_ids & other.conference_ids)


@dataclass(frozen=True)
class Changes:
    """Documents to write; empty when the event was a duplicate."""

    talks: tuple[TalkDocument, ...] = field(default=())
    conferences: tuple[ConferenceDocument, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.talks and not self.conferences


def required_documents(event: DomainEvent) -> DocumentKeys:
    if isinstance(event, TalkScheduled | TalkUnscheduled):
        return DocumentKeys(frozenset({event.talk_id}), frozenset({event.aggregate_id}))
    if event.aggregate_type == "conference":
        return DocumentKeys(conference_ids=frozenset({event.aggregate_id}))
    return DocumentKeys(talk_ids=frozenset({event.aggregate_id}))


def documents_of(events: Iterable[DomainEvent]) -> DocumentKeys:
    """Every document these events read (and so may write)."""
    keys = [required_documents(event) for event in events]
    return DocumentKeys(
        frozenset().union(*(k.talk_ids for k in keys)),
        frozenset().union(*(k.conference_ids for k in keys)),
    )


def created_talks(events: Iterable[DomainEvent]) -> frozenset[str]:
    """Talks whose stream begins in ``events`` (a ``TalkSubmitted`` at version 1): their
    document is expected not to exist yet, so a store that guards its writes can create
    it without reading it first."""
    return frozenset(
        e.aggregate_id for e in events if isinstance(e, TalkSubmitted) and e.aggregate_version == 1
    )


def project(
    event: DomainEvent,
    talks: Mapping[str, TalkDocument],
    conferences: Mapping[str, ConferenceDocument],
) -> Changes:
    """Apply ``event`` to the documents it needs (absent ones are treated as new)."""
    if isinstance(
        event,
        ConferenceCreated
        | ConferenceRenamed
        | StageAdded
        | StageRemoved
        | TalkScheduled
        | TalkUnscheduled,
    ):
        talk_id = event.talk_id if isinstance(event, TalkScheduled | TalkUnscheduled) else None
        change = project_conference_event(
            event,
            conferences.get(event.aggregate_id),
            None if talk_id is None else talks.get(talk_id),
        )
        if change is None:
            return Changes()
        return Changes(
            talks=() if change.talk is None else (change.talk,),
            conferences=(change.conference,),
        )
    if isinstance(event, TalkSubmitted | TalkEdited | TalkAccepted | TalkRejected | TalkWithdrawn):
        doc = project_talk_event(event, talks.get(event.aggregate_id))
    elif isinstance(event, TalkRated | TalkRatingRemoved):
        doc = project_rating_event(event, talks.get(event.aggregate_id))
    else:
        raise TypeError(f"no projection for {event.event_type()}")
    return Changes() if doc is None else Changes(talks=(doc,))
