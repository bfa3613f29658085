"""Read-model documents: what the projector writes and the search API reads.

Each field group of a talk document is owned by exactly one source stream, and carries that
stream's version mark, so redelivered or reordered events can be recognised and skipped:

- details and lifecycle <- the talk stream (``talk_version``),
- slot                  <- the conference stream (``schedule_version``),
- rating                <- the talk_ratings stream (``rating_version``).

A talk document may exist partially (a slot or rating seen before the talk's details, as a
broker may deliver). Only documents with details are visible to searches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from shared_domain.values import DEFAULT_LANGUAGE


class DocumentTalkStatus(StrEnum):
    """Statuses shown by the read side: the write side's four plus ``scheduled``."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class DocumentSpeaker:
    name: str
    company: str | None = None


@dataclass(frozen=True)
class DocumentTalkDetails:
    """The talk's own fields, replaced whole by each submit or edit."""

    conference_id: str
    title: str
    abstract: str
    speakers: tuple[DocumentSpeaker, ...]
    tags: tuple[str, ...]
    level: str
    format: str
    duration_minutes: int
    language: str = DEFAULT_LANGUAGE
    """ISO 639-1; documents stored before languages read as English, as v1 events do."""


@dataclass(frozen=True)
class DocumentSlot:
    """Where and when a talk runs; times are UTC, ``day`` is the local date of the start.

    The conference's time zone travels with the slot (it never changes), so a slot can be
    shown in local time without loading the conference.
    """

    conference_id: str
    stage: str
    starts_at: str
    ends_at: str
    day: str
    timezone: str


@dataclass(frozen=True)
class RatingSummary:
    """Exactly as computed by the write side; the read side never recomputes it."""

    count: int = 0
    total: int = 0
    average: float = 0.0


@dataclass(frozen=True)
class TalkDocument:
    id: str
    details: DocumentTalkDetails | None = None
    lifecycle: str | None = None
    submitted_at: str | None = None
    talk_version: int = 0
    slot: DocumentSlot | None = None
    schedule_version: int = 0
    rating: RatingSummary = field(default_factory=RatingSummary)
    rating_version: int = 0

    @property
    def status(self) -> str | None:
        """``scheduled`` for an accepted talk holding a slot, else the lifecycle status."""
        if self.lifecycle == DocumentTalkStatus.ACCEPTED and self.slot is not None:
            return DocumentTalkStatus.SCHEDULED.value
        return self.lifecycle

    @property
    def is_visible(self) -> bool:
        """Searchable once its details exist; a slot or rating alone is not a talk yet."""
        return self.details is not None and self.lifecycle is not None


@dataclass(frozen=True)
class ConferenceDocument:
    id: str
    version: int
    name: str
    starts_on: str
    ends_on: str
    timezone: str
    stages: tuple[str, ...]
