"""Create a conference with its days, timezone and stages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from command_service.handlers.expected_version import ExpectedVersion, check_absent
from command_service.handlers.result import CommandResult
from command_service.ports import UnitOfWork
from shared_domain.conference import Conference


@dataclass(frozen=True)
class CreateConference:
    conference_id: str
    name: str
    starts_on: date
    ends_on: date
    stages: tuple[str, ...]
    timezone: str = "UTC"
    expected_version: ExpectedVersion | None = None


def create_conference(command: CreateConference, uow: UnitOfWork) -> CommandResult:
    check_absent(command.expected_version)
    conference = Conference.create(
        command.conference_id,
        name=command.name,
        starts_on=command.starts_on,
        ends_on=command.ends_on,
        timezone=command.timezone,
        stages=command.stages,
    )
    uow.conferences.add(conference)
    return CommandResult(conference.id, conference.version)
