"""The Talk aggregate: a submission, its details, and its review lifecycle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict

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
    JsonDict,
    JsonObject,
    TalkAccepted,
    TalkEdited,
    TalkRejected,
    TalkSubmitted,
    TalkWithdrawn,
)
from shared_domain.limits import ABSTRACT, DURATION_MINUTES, REASON, TITLE
from shared_domain.values import (
    DEFAULT_DURATION_MINUTES,
    DEFAULT_LANGUAGE,
    Format,
    Level,
    Speaker,
)

DETAIL_FIELDS = (
    "title",
    "abstract",
    "speakers",
    "tags",
    "level",
    "format",
    "duration_minutes",
    "language",
)


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


class DetailChanges(TypedDict, total=False):
    """A partial edit (PATCH): the fields named change; ``duration_minutes: None`` means
    the default of the format."""

    title: str
    abstract: str
    speakers: Sequence[Speaker]
    tags: Sequence[str]
    level: Level
    format: Format
    duration_minutes: int | None
    language: str


@dataclass(frozen=True)
class TalkDetails:
    """What a speaker can edit; always valid once built by ``parse``."""

    title: str
    abstract: str
    speakers: tuple[Speaker, ...]
    tags: tuple[str, ...]
    level: Level
    format: Format
    duration_minutes: int
    language: str = DEFAULT_LANGUAGE
    """ISO 639-1, lower-cased."""

    @classmethod
    def parse(
        cls,
        *,
        title: str,
        abstract: str = "",
        speakers: Sequence[Speaker],
        tags: Sequence[str] = (),
        level: Level,
        format: Format,
        duration_minutes: int | None = None,
        language: str = DEFAULT_LANGUAGE,
    ) -> TalkDetails:
        """Check and normalize the details, naming every offending field at once."""
        errors = FieldErrors()
        with errors.field("title"):
            clean_title = values.text("title", title, min_len=TITLE.low, max_len=TITLE.high)
        with errors.field("abstract"):
            clean_abstract = values.text(
                "abstract", abstract, min_len=ABSTRACT.low, max_len=ABSTRACT.high
            )
        with errors.field("speakers"):
            clean_speakers = values.speakers(speakers)
        with errors.field("tags"):
            clean_tags = values.tags(tags)
        with errors.field("level"):
            clean_level = values.choice("level", level, Level)
        with errors.field("format"):
            clean_format = values.choice("format", format, Format)
        with errors.field("duration_minutes"):
            if duration_minutes is not None:
                duration_minutes = values.integer(
                    "duration_minutes",
                    duration_minutes,
                    low=DURATION_MINUTES.low,
                    high=DURATION_MINUTES.high,
                )
        with errors.field("language"):
            clean_language = values.language(language)
        errors.raise_if_any()
        return cls(
            title=clean_title,
            abstract=clean_abstract,
            speakers=clean_speakers,
            tags=clean_tags,
            level=clean_level,
            format=clean_format,
            duration_minutes=(
                DEFAULT_DURATION_MINUTES[clean_format]
                if duration_minutes is None
                else duration_minutes
            ),
            language=clean_language,
        )

    def revise(self, changes: DetailChanges) -> TalkDetails:
        """Apply a partial change (PATCH): fields not named keep their current value."""
        unknown = sorted(set(changes) - set(DETAIL_FIELDS))
        if unknown:
            raise invalid(unknown[0], "is not a talk detail that can be edited")
        return TalkDetails.parse(
            title=changes.get("title", self.title),
            abstract=changes.get("abstract", self.abstract),
            speakers=changes.get("speakers", self.speakers),
            tags=changes.get("tags", self.tags),
            level=changes.get("level", self.level),
            format=changes.get("format", self.format),
            duration_minutes=changes.get("duration_minutes", self.duration_minutes),
            language=changes.get("language", self.language),
        )

    def to_data(self) -> JsonDict:
        return {
            "title": self.title,
            "abstract": self.abstract,
            "speakers": [speaker.to_data() for speaker in self.speakers],
            "tags": list(self.tags),
            "level": self.level.value,
            "format": self.format.value,
            "duration_minutes": self.duration_minutes,
            "language": self.language,
        }

    @classmethod
    def from_data(cls, data: JsonObject) -> TalkDetails:
        """Restore trusted, already validated data (from storage), without re-validating."""
        return cls(
            title=data["title"],
            abstract=data["abstract"],
            speakers=tuple(Speaker(s["name"], s.get("company")) for s in data["speakers"]),
            tags=tuple(data["tags"]),
            level=Level(data["level"]),
            format=Format(data["format"]),
            duration_minutes=data["duration_minutes"],
            language=data.get("language", DEFAULT_LANGUAGE),  # snapshots from before v2 lack it
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
        submitted_by: str | None = None,
    ) -> None:
        super().__init__(id, version)
        self.conference_id = conference_id
        self.details = details
        self.status = status
        self.submitted_by = submitted_by
        """Who submitted the talk (an identity's subject); ``None`` if not known."""

    @classmethod
    def submit(
        cls,
        talk_id: str,
        conference_id: str,
        details: TalkDetails,
        *,
        submitted_by: str | None = None,
    ) -> Talk:
        talk = cls(
            talk_id,
            0,
            conference_id=conference_id,
            details=details,
            status=TalkStatus.SUBMITTED,
            submitted_by=submitted_by,
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

    def reject(self, reason: str = "") -> None:
        clean = values.text("reason", reason, min_len=REASON.low, max_len=REASON.high)
        self._move_to(TalkStatus.REJECTED)
        self._record(TalkRejected, reason=clean)

    def withdraw(self) -> None:
        self._move_to(TalkStatus.WITHDRAWN)
        self._record(TalkWithdrawn)

    def _move_to(self, target: TalkStatus) -> None:
        if target not in _ALLOWED[self.status]:
            raise IllegalTalkTransition(f"A {self.status} talk cannot become {target}.")
        self.status = target

    def to_state(self) -> JsonDict:
        return {
            "conference_id": self.conference_id,
            "status": self.status.value,
            "details": self.details.to_data(),
        }

    @classmethod
    def from_state(
        cls, id: str, version: int, state: JsonObject, *, submitted_by: str | None = None
    ) -> Talk:
        """Restore a snapshot; the submitter is stored beside it (a column of its own)."""
        return cls(
            id,
            version,
            conference_id=state["conference_id"],
            details=TalkDetails.from_data(state["details"]),
            status=TalkStatus(state["status"]),
            submitted_by=submitted_by,
        )


def speakers_of(talks: Sequence[Talk]) -> dict[str, tuple[Speaker, ...]]:
    """The speaker lookup ``Conference.schedule`` needs, built from loaded talks."""
    return {talk.id: talk.details.speakers for talk in talks}


__all__ = ["DetailChanges", "Talk", "TalkDetails", "TalkStatus", "speakers_of"]
