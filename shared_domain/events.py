"""Domain events: the published language of the write side.

Events are immutable facts named in the past tense. Their ``data`` holds only JSON types
(dates and times as ISO 8601 strings), so an event is its own wire schema: what the
envelope carries is exactly the dataclass fields below. Each class is the newest version
of its type; any change of its fields means a new ``schema_version``, with the old shape
kept in ``shared_domain.upcasting`` beside the upcaster that turns it into this one
(``contracts/events/`` publishes every version; its check refuses a changed one).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

JsonDict = dict[str, Any]
"""A JSON object (an event's data, an envelope, an aggregate's snapshot): its values are
whatever JSON holds, so they stay ``Any`` here, the one place the domain spells it."""
JsonObject = Mapping[str, Any]
"""A JSON object read, never changed."""

_ENVELOPE_FIELDS = frozenset({"aggregate_id", "aggregate_version", "event_id", "occurred_at"})


def _new_id() -> str:
    return str(uuid.uuid4())


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every event: who it happened to, at which version, and when."""

    aggregate_type: ClassVar[str]
    event_name: ClassVar[str]
    schema_version: ClassVar[int] = 1

    aggregate_id: str
    aggregate_version: int
    event_id: str = field(default_factory=_new_id)
    occurred_at: str = field(default_factory=_now)

    @classmethod
    def event_type(cls) -> str:
        """The CloudEvents ``type``, e.g. ``conference.talk.accepted.v1``."""
        return f"conference.{cls.aggregate_type}.{cls.event_name}.v{cls.schema_version}"

    def data(self) -> JsonDict:
        """The event's own fields, as JSON-ready values."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in _ENVELOPE_FIELDS
        }


# --- Conference (aggregate type "conference") -------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ConferenceCreated(DomainEvent):
    aggregate_type = "conference"
    event_name = "created"

    name: str
    starts_on: str
    ends_on: str
    timezone: str
    stages: list[str]


@dataclass(frozen=True, kw_only=True)
class ConferenceRenamed(DomainEvent):
    aggregate_type = "conference"
    event_name = "renamed"

    name: str


@dataclass(frozen=True, kw_only=True)
class StageAdded(DomainEvent):
    aggregate_type = "conference"
    event_name = "stage_added"

    stage: str


@dataclass(frozen=True, kw_only=True)
class StageRemoved(DomainEvent):
    aggregate_type = "conference"
    event_name = "stage_removed"

    stage: str


@dataclass(frozen=True, kw_only=True)
class TalkScheduled(DomainEvent):
    """A talk got a slot, or moved to another one (the event carries the new slot)."""

    aggregate_type = "conference"
    event_name = "talk_scheduled"

    talk_id: str
    stage: str
    starts_at: str
    ends_at: str


@dataclass(frozen=True, kw_only=True)
class TalkUnscheduled(DomainEvent):
    """A talk lost its slot: unscheduled by an organizer, or withdrawn by its speakers."""

    aggregate_type = "conference"
    event_name = "talk_unscheduled"

    talk_id: str
    reason: str


# --- Talk (aggregate type "talk") --------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TalkDetailsRecorded(DomainEvent):
    """Base of the events that carry a talk's details in full (consumers never merge
    partial changes). v2 added ``language`` (ISO 639-1); v1 envelopes are upcast to it
    with ``"en"`` (``shared_domain.upcasting``)."""

    aggregate_type = "talk"
    schema_version = 2

    title: str
    abstract: str
    speakers: list[JsonDict]
    tags: list[str]
    level: str
    format: str
    duration_minutes: int
    language: str


@dataclass(frozen=True, kw_only=True)
class TalkSubmitted(TalkDetailsRecorded):
    """A talk was submitted to a conference, with its details in full."""

    event_name = "submitted"

    conference_id: str


@dataclass(frozen=True, kw_only=True)
class TalkEdited(TalkDetailsRecorded):
    """A talk's details were edited: all of them after the edit, not only the changes."""

    event_name = "edited"


@dataclass(frozen=True, kw_only=True)
class TalkAccepted(DomainEvent):
    aggregate_type = "talk"
    event_name = "accepted"


@dataclass(frozen=True, kw_only=True)
class TalkRejected(DomainEvent):
    aggregate_type = "talk"
    event_name = "rejected"

    reason: str


@dataclass(frozen=True, kw_only=True)
class TalkWithdrawn(DomainEvent):
    aggregate_type = "talk"
    event_name = "withdrawn"


# --- Ratings of one talk (aggregate type "talk_ratings", id = the talk's id) -------------


@dataclass(frozen=True, kw_only=True)
class TalkRated(DomainEvent):
    """An attendee rated or re-rated a talk; carries the talk's new summary, exact."""

    aggregate_type = "talk_ratings"
    event_name = "rated"

    attendee_id: str
    stars: int
    previous_stars: int | None
    count: int
    total: int
    average: float


@dataclass(frozen=True, kw_only=True)
class TalkRatingRemoved(DomainEvent):
    aggregate_type = "talk_ratings"
    event_name = "rating_removed"

    attendee_id: str
    previous_stars: int
    count: int
    total: int
    average: float


EVENT_CLASSES: tuple[type[DomainEvent], ...] = (
    ConferenceCreated,
    ConferenceRenamed,
    StageAdded,
    StageRemoved,
    TalkScheduled,
    TalkUnscheduled,
    TalkSubmitted,
    TalkEdited,
    TalkAccepted,
    TalkRejected,
    TalkWithdrawn,
    TalkRated,
    TalkRatingRemoved,
)

EVENT_TYPES: dict[str, type[DomainEvent]] = {cls.event_type(): cls for cls in EVENT_CLASSES}
