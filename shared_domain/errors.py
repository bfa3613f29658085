"""Domain errors.

Each rule has its own error class with a stable ``code``; the HTTP edge turns the code into
a problem ``type`` URI and the class family into a status (invalid input 422, not found 404,
rule broken against current state 409). The domain itself knows nothing about HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    code: ClassVar[str] = "domain-error"
    title: ClassVar[str] = "The request breaks a domain rule"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class FieldError:
    """One offending field, named by its dotted path (``speakers.0.name``)."""

    field: str
    message: str


class InvalidInput(DomainError):
    """Input that breaks a constraint on its own, whatever the current state."""

    code = "invalid-input"
    title = "The input is invalid"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


class UnknownConference(InvalidInput):
    """A talk names a conference that does not exist."""

    code = "unknown-conference"
    title = "The referenced conference does not exist"

    def __init__(self, conference_id: str) -> None:
        super().__init__([FieldError("conference_id", f"no conference with id {conference_id!r}")])


class FieldErrors:
    """Collects every field error of one input, so that a client learns all of them at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    @contextmanager
    def field(self, prefix: str) -> Iterator[None]:
        """Record an ``InvalidInput`` raised inside under ``prefix`` instead of propagating it."""
        try:
            yield
        except InvalidInput as error:
            for e in error.errors:
                if not e.field:
                    name = prefix
                elif e.field == prefix or e.field.startswith(f"{prefix}."):
                    name = e.field  # already named from the root: do not prefix it twice
                else:
                    name = f"{prefix}.{e.field}"
                self.errors.append(FieldError(name, e.message))

    def add(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(list(self.errors))


def invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput([FieldError(field, message)])


# --- 404: the aggregate named in the request does not exist ---------------------------


class NotFound(DomainError):
    code = "not-found"
    title = "Not found"


class ConferenceNotFound(NotFound):
    code = "conference-not-found"
    title = "Conference not found"

    def __init__(self, conference_id: str) -> None:
        super().__init__(f"There is no conference with id {conference_id!r}.")


class TalkNotFound(NotFound):
    code = "talk-not-found"
    title = "Talk not found"

    def __init__(self, talk_id: str) -> None:
        super().__init__(f"There is no talk with id {talk_id!r}.")


class RatingNotFound(NotFound):
    code = "rating-not-found"
    title = "Rating not found"

    def __init__(self, talk_id: str, attendee_id: str) -> None:
        super().__init__(f"Attendee {attendee_id!r} has not rated talk {talk_id!r}.")


# --- 409: a rule that depends on the current state ---------------------------------------


class RuleViolation(DomainError):
    code = "rule-violation"
    title = "The command conflicts with the current state"


class IllegalTalkTransition(RuleViolation):
    code = "illegal-talk-transition"
    title = "The talk cannot make this status change"


class TalkNotEditable(RuleViolation):
    code = "talk-not-editable"
    title = "The talk can no longer be edited"


class ScheduledDurationLocked(RuleViolation):
    code = "scheduled-duration-locked"
    title = "The duration of a scheduled talk cannot change"


class TalkNotAccepted(RuleViolation):
    code = "talk-not-accepted"
    title = "The talk is not accepted"


class TalkOfOtherConference(RuleViolation):
    code = "talk-of-other-conference"
    title = "The talk belongs to another conference"


class TalkNotScheduled(RuleViolation):
    code = "talk-not-scheduled"
    title = "The talk is not scheduled"


class StageUnknown(RuleViolation):
    code = "stage-unknown"
    title = "The conference has no such stage"


class StageExists(RuleViolation):
    code = "stage-exists"
    title = "The conference already has this stage"


class StageInUse(RuleViolation):
    code = "stage-in-use"
    title = "A talk is scheduled on this stage"


class StageLimitReached(RuleViolation):
    code = "stage-limit-reached"
    title = "A conference has at most 20 stages"


class LastStage(RuleViolation):
    code = "last-stage"
    title = "A conference keeps at least one stage"


class SlotOutsideConference(RuleViolation):
    code = "slot-outside-conference"
    title = "The slot does not lie within the conference's days"


class StageSlotTaken(RuleViolation):
    code = "stage-slot-taken"
    title = "The slot overlaps another talk on the same stage"


class SpeakerDoubleBooked(RuleViolation):
    code = "speaker-double-booked"
    title = "A speaker would be in two places at once"
