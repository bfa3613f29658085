"""Remove an attendee's rating of a talk."""

from __future__ import annotations

from dataclasses import dataclass

from command_service.handlers.expected_version import ExpectedVersion, check_version
from command_service.handlers.rate_talk import summary_result
from command_service.handlers.result import CommandResult
from command_service.ports import UnitOfWork


@dataclass(frozen=True)
class RemoveRating:
    talk_id: str
    attendee_id: str
    expected_version: ExpectedVersion | None = None


def remove_rating(command: RemoveRating, uow: UnitOfWork) -> CommandResult:
    uow.talks.get(command.talk_id)  # an unknown talk is a 404 of its own
    summary = uow.talk_ratings.get(command.talk_id)
    check_version(command.expected_version, summary)
    previous = uow.talk_ratings.stars_of(command.talk_id, command.attendee_id)
    summary.remove(command.attendee_id, previous)
    return summary_result(summary)
