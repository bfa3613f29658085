"""The Talk aggregate: a submission, its details, and its review lifecycle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared_domain import values
from shared_domain.aggregate import Aggregate
from shared_domain.errors import (
    FieldErrors,
    IllegalTalkTransition,
    ScheduledDurationLocked,
    TalkNotEditable,
    invalid,
)
from shared_domain.events import (
    TalkAccepted,
    TalkEdited,
    TalkRejected,
    TalkSubmitted,
    TalkWithdrawn,
)
from shared_domain.values import DEFAULT_DURATION_MINUTES, Format, Level, Speaker

DETAIL_FIELDS = ("title", "abstract", "speakers", "tags", "level", "format", "duration_minutes")
REASON_MAX = 1000


class TalkStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


_ALLOWED: Mapping[TalkStatus, frozenset[TalkStatus]] = {
    TalkStatus.SUBMITTED: frozenset(
        {TalkStatus.ACCEPTED, TalkStatus.REJECTED, TalkStatus.WITHDRAWN}
    ),
    TalkStatus.ACCEPTED: frozenset({TalkStatus.WITHDRAWN}),
    TalkStatus.REJECTED: frozenset(),
    TalkStatus.WITHDRAWN: frozenset(),
}


@dataclass(frozen=True)
class TalkDetails:
    """What a speaker can edit; always valid once built."""

    title: str
    abstract: str
    speakers: tuple[Speaker, ...]
    tags: tuple[str, ...]
    level: str
    format: str
    duration_minutes: int

    @classmethod
    def parse(
        cls,
        *,
        title: Any,
        abstract: Any = "",
        speakers: Any,
        tags: Any = (),
        level: Any,
        format: Any,
        duration_minutes: Any = None,
    ) -> TalkDetails:
        """Validate raw input, naming every offending field at once."""
        errors = FieldErrors()
        parsed: dict[str, Any] = {}
        with errors.field("title"):
            parsed["title"] = values.text("title", title, min_len=3, max_len=200)
        with errors.field("abstract"):
            parsed["abstract"] = values.text("abstract", abstract, min_len=0, max_len=5000)
        with errors.field("speakers"):
            parsed["speakers"] = values.speakers(speakers)
        with errors.field("tags"):
            parsed["tags"] = values.tags(tags)
        with errors.field("level"):
            parsed["level"] = values.choice("level", level, Level)
        with errors.field("format"):
            parsed["format"] = values.choice("format", format, Format)
        with errors.field("duration_minutes"):
            if duration_minutes is not None:
                parsed["duration_minutes"] = values.integer(
                    "duration_minutes", duration_minutes, low=5, high=480
                )
        errors.raise_if_any()
        parsed.setdefault("duration_minutes", DEFAULT_DURATION_MINUTES[Format(parsed["format"])])
        return cls(**parsed)

    def revise(self, changes: Mapping[str, Any]) -> TalkDetails:
        """Apply a partial change (PATCH): fields not named keep their current value."""
        unknown = sorted(set(changes) - set(DETAIL_FIELDS))
        if unknown:
            raise invalid(unknown[0], "is not a talk detail that can be edited")
        current = self.to_data()
        return TalkDetails.parse(**{**current, **changes})

    def to_data(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "abstract": self.abstract,
            "speakers": [speaker.to_data() for speaker in self.speakers],
            "tags": list(self.tags),
            "level": self.level,
            "format": self.format,
            "duration_minutes": self.duration_minutes,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> TalkDetails:
        """Restore trusted, already validated data (from storage), without re-validating."""
        return cls(
            title=data["title"],
            abstract=data["abstract"],
            speakers=tuple(Speaker(s["name"], s.get("company")) for s in data["speakers"]),
            tags=tuple(data["tags"]),
            level=data["level"],
            format=data["format"],
            duration_minutes=data["duration_minutes"],
        )

    def speaker_keys(self) -> frozenset[str]:
        return frozenset(speaker.key for speaker in self.speakers)


class Talk(Aggregate):
    def __init__(
        self,
        id: str,
        version: int,
        *,
        conference_id: str,
        details: TalkDetails,
        status: TalkStatus,
    ) -> None:
        super().__init__(id, version)
        self.conference_id = conference_id
        self.details = details
        self.status = status

    @classmethod
    def submit(cls, talk_id: str, conference_id: str, details: TalkDetails) -> Talk:
        talk = cls(
            talk_id, 0, conference_id=conference_id, details=details, status=TalkStatus.SUBMITTED
        )
        talk._record(TalkSubmitted, conference_id=conference_id, **details.to_data())
        return talk

    @property
    def is_accepted(self) -> bool:
        return self.status is TalkStatus.ACCEPTED

    def edit(self, details: TalkDetails, *, scheduled: bool) -> None:
        """Replace the details; an edit that changes nothing records nothing."""
        if self.status not in (TalkStatus.SUBMITTED, TalkStatus.ACCEPTED):
            raise TalkNotEditable(f"A {self.status} talk can no longer be edited.")
        if scheduled and details.duration_minutes != self.details.duration_minutes:
            raise ScheduledDurationLocked(
                "The talk holds a slot: unschedule it before changing its duration."
            )
        if details == self.details:
            return
        self.details = details
        self._record(TalkEdited, **details.to_data())

    def accept(self) -> None:
        self._move_to(TalkStatus.ACCEPTED)
        self._record(TalkAccepted)

    def reject(self, reason: Any = "") -> None:
        clean = values.text("reason", reason, min_len=0, max_len=REASON_MAX)
        self._move_to(TalkStatus.REJECTED)
        self._record(TalkRejected, reason=clean)

    def withdraw(self) -> None:
        self._move_to(TalkStatus.WITHDRAWN)
        self._record(TalkWithdrawn)

    def _move_to(self, target: TalkStatus) -> None:
        if target not in _ALLOWED[self.status]:
            raise IllegalTalkTransition(f"A {self.status} talk cannot become {target}.")
        self.status = target

    def to_state(self) -> dict[str, Any]:
        return {
            "conference_id": self.conference_id,
            "status": self.status.value,
            "details": self.details.to_data(),
        }

    @classmethod
    def from_state(cls, id: str, version: int, state: Mapping[str, Any]) -> Talk:
        return cls(
            id,
            version,
            conference_id=state["conference_id"],
            details=TalkDetails.from_data(state["details"]),
            status=TalkStatus(state["status"]),
        )


def speakers_of(talks: Sequence[Talk]) -> dict[str, tuple[Speaker, ...]]:
    """The speaker lookup ``Conference.schedule`` needs, built from loaded talks."""
    return {talk.id: talk.details.speakers for talk in talks}


__all__ = ["Talk", "TalkDetails", "TalkStatus", "speakers_of"]
