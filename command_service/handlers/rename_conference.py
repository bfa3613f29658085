"""Rename a conference (renaming to the current name changes nothing)."""

from __future__ import annotations

from dataclasses import dataclass

from command_service.handlers.expected_version import ExpectedVersion, check_version
from command_service.handlers.result import CommandResult
from command_service.ports import UnitOfWork


@dataclass(frozen=True)
class RenameConference:
    conference_id: str
    name: str
    expected_version: ExpectedVersion | None = None


def rename_conference(command: RenameConference, uow: UnitOfWork) -> CommandResult:
    conference = uow.conferences.get(command.conference_id)
    check_version(command.expected_version, conference)
    conference.rename(command.name)
    return CommandResult(conference.id, conference.version)
