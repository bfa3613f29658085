"""Accept a submitted talk."""

from __future__ import annotations

from dataclasses import dataclass

from command_service.handlers.expected_version import ExpectedVersion, check_version
from command_service.handlers.result import CommandResult
from command_service.ports import UnitOfWork


@dataclass(frozen=True)
class AcceptTalk:
    talk_id: str
    expected_version: ExpectedVersion | None = None


def accept_talk(command: AcceptTalk, uow: UnitOfWork) -> CommandResult:
    talk = uow.talks.get(command.talk_id)
    check_version(command.expected_version, talk)
    talk.accept()
    return CommandResult(talk.id, talk.version, {"status": talk.status.value})
