"""Reject a submitted talk, with an optional reason for its speakers."""

from __future__ import annotations

from dataclasses import dataclass

from command_service.handlers.expected_version import ExpectedVersion, check_version
from command_service.handlers.result import CommandResult
from command_service.ports import UnitOfWork


@dataclass(frozen=True)
class RejectTalk:
    talk_id: str
    reason: str = ""
    expected_version: ExpectedVersion | None = None


def reject_talk(command: RejectTalk, uow: UnitOfWork) -> CommandResult:
    talk = uow.talks.get(command.talk_id)
    check_version(command.expected_version, talk)
    talk.reject(command.reason)
    return CommandResult(talk.id, talk.version, {"status": talk.status.value})
