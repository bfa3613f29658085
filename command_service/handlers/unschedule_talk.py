"""Free a talk's slot in its conference's schedule."""

from __future__ import annotations

from dataclasses import dataclass

from command_service.handlers.expected_version import ExpectedVersion, check_version
from command_service.handlers.result import CommandResult
from command_service.ports import UnitOfWork


@dataclass(frozen=True)
class UnscheduleTalk:
    conference_id: str
    talk_id: str
    expected_version: ExpectedVersion | None = None


def unschedule_talk(command: UnscheduleTalk, uow: UnitOfWork) -> CommandResult:
    conference = uow.conferences.get(command.conference_id)
    check_version(command.expected_version, conference)
    uow.talks.get(command.talk_id)  # an unknown talk in the path is a 404, not "not scheduled"
    conference.unschedule(command.talk_id)
    return CommandResult(conference.id, conference.version)
