"""Withdraw a talk; a scheduled one also loses its slot, in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass

from command_service.handlers.expected_version import ExpectedVersion, check_version
from command_service.handlers.result import CommandResult
from command_service.ports import UnitOfWork

WITHDRAWN_REASON = "withdrawn"


@dataclass(frozen=True)
class WithdrawTalk:
    talk_id: str
    expected_version: ExpectedVersion | None = None


def withdraw_talk(command: WithdrawTalk, uow: UnitOfWork) -> CommandResult:
    talk = uow.talks.get(command.talk_id)
    check_version(command.expected_version, talk)
    talk.withdraw()
    conference = uow.conferences.get(talk.conference_id)
    if conference.slot_of(talk.id) is not None:
        conference.unschedule(talk.id, reason=WITHDRAWN_REASON)
    return CommandResult(talk.id, talk.version, {"status": talk.status.value})
