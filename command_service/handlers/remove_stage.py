"""Remove a stage from a conference; refused while a talk is scheduled on it."""

from __future__ import annotations

from dataclasses import dataclass

from command_service.handlers.expected_version import ExpectedVersion, check_version
from command_service.handlers.result import CommandResult
from command_service.ports import UnitOfWork


@dataclass(frozen=True)
class RemoveStage:
    conference_id: str
    name: str
    expected_version: ExpectedVersion | None = None


def remove_stage(command: RemoveStage, uow: UnitOfWork) -> CommandResult:
    conference = uow.conferences.get(command.conference_id)
    check_version(command.expected_version, conference)
    conference.remove_stage(command.name)
    return CommandResult(conference.id, conference.version, {"stages": list(conference.stages)})
