"""Add a stage to a conference."""

from __future__ import annotations

from dataclasses import dataclass

from command_service.handlers.expected_version import ExpectedVersion, check_version
from command_service.handlers.result import CommandResult
from command_service.ports import UnitOfWork


@dataclass(frozen=True)
class AddStage:
    conference_id: str
    name: str
    expected_version: ExpectedVersion | None = None


def add_stage(command: AddStage, uow: UnitOfWork) -> CommandResult:
    conference = uow.conferences.get(command.conference_id)
    check_version(command.expected_version, conference)
    conference.add_stage(command.name)
    return CommandResult(conference.id, conference.version, {"stages": list(conference.stages)})
