"""Rate an accepted talk, or change one's rating of it.

The precondition applies to the talk's ratings summary, never to the talk: ratings must not
conflict with an organizer's edits.
"""

from __future__ import annotations

from dataclasses import dataclass

from command_service.handlers.expected_version import ExpectedVersion, check_version
from command_service.handlers.result import CommandResult
from command_service.ports import UnitOfWork
from shared_domain.ratings import TalkRatings


@dataclass(frozen=True)
class RateTalk:
    talk_id: str
    attendee_id: str
    stars: int
    expected_version: ExpectedVersion | None = None


def rate_talk(command: RateTalk, uow: UnitOfWork) -> CommandResult:
    talk = uow.talks.get(command.talk_id)
    summary = uow.talk_ratings.get(command.talk_id)
    check_version(command.expected_version, summary)
    previous = uow.talk_ratings.stars_of(command.talk_id, command.attendee_id)
    summary.rate(talk, command.attendee_id, command.stars, previous)
    return summary_result(summary)


def summary_result(summary: TalkRatings) -> CommandResult:
    return CommandResult(
        summary.id, summary.version, {"count": summary.count, "average": summary.average}
    )
