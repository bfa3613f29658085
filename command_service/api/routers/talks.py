"""Talks: submit, edit, and the review decisions (accept, reject, withdraw)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import Field, StrictInt, StrictStr

from command_service.api.command_request import Commands
from command_service.api.json_body import CommandBody, require_json
from command_service.api.parameters import TalkId
from command_service.api.problems import PROBLEM_RESPONSES
from command_service.api.schemas import CommandAnswer
from command_service.handlers.accept_talk import AcceptTalk, accept_talk
from command_service.handlers.edit_talk import EditTalk, edit_talk
from command_service.handlers.reject_talk import RejectTalk, reject_talk
from command_service.handlers.result import CommandResult
from command_service.handlers.submit_talk import SubmitTalk, submit_talk
from command_service.handlers.withdraw_talk import WithdrawTalk, withdraw_talk

router = APIRouter(prefix="/talks", tags=["talks"], responses=PROBLEM_RESPONSES)


class SpeakerBody(CommandBody):
    name: StrictStr
    company: StrictStr | None = None


class SubmitTalkBody(CommandBody):
    conference_id: StrictStr
    title: StrictStr
    abstract: StrictStr = ""
    speakers: list[SpeakerBody]
    tags: list[StrictStr] = Field(default_factory=list)
    level: StrictStr
    format: StrictStr
    duration_minutes: StrictInt | None = None


class EditTalkBody(CommandBody):
    """Only the fields sent change (PATCH); ``duration_minutes: null`` means the default."""

    title: StrictStr | None = None
    abstract: StrictStr | None = None
    speakers: list[SpeakerBody] | None = None
    tags: list[StrictStr] | None = None
    level: StrictStr | None = None
    format: StrictStr | None = None
    duration_minutes: StrictInt | None = None


class RejectTalkBody(CommandBody):
    reason: StrictStr = ""


def _canonical_id(value: str) -> str:
    """A UUID in its canonical spelling; anything else as sent (then unknown to the domain)."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return value


def _location(result: CommandResult) -> str:
    return f"/talks/{result.id}"


@router.post(
    "",
    status_code=201,
    response_model=CommandAnswer,
    dependencies=[Depends(require_json)],
    summary="Submit a talk",
)
def submit(body: SubmitTalkBody, commands: Commands) -> JSONResponse:
    command = SubmitTalk(
        talk_id=commands.new_id(),
        conference_id=_canonical_id(body.conference_id),
        title=body.title,
        abstract=body.abstract,
        speakers=tuple(speaker.model_dump() for speaker in body.speakers),
        tags=tuple(body.tags),
        level=body.level,
        format=body.format,
        duration_minutes=body.duration_minutes,
        expected_version=commands.expected_version,
    )
    return commands.run(submit_talk, command, created_at=_location)


@router.patch(
    "/{talk_id}",
    response_model=CommandAnswer,
    dependencies=[Depends(require_json)],
    summary="Edit a talk's details",
)
def edit(talk_id: TalkId, body: EditTalkBody, commands: Commands) -> JSONResponse:
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    command = EditTalk(str(talk_id), changes, commands.expected_version)
    return commands.run(edit_talk, command)


@router.post("/{talk_id}/accept", response_model=CommandAnswer, summary="Accept a talk")
def accept(talk_id: TalkId, commands: Commands) -> JSONResponse:
    return commands.run(accept_talk, AcceptTalk(str(talk_id), commands.expected_version))


@router.post(
    "/{talk_id}/reject",
    response_model=CommandAnswer,
    dependencies=[Depends(require_json)],
    summary="Reject a talk",
)
def reject(talk_id: TalkId, commands: Commands, body: RejectTalkBody | None = None) -> JSONResponse:
    reason = body.reason if body is not None else ""
    return commands.run(reject_talk, RejectTalk(str(talk_id), reason, commands.expected_version))


@router.post(
    "/{talk_id}/withdraw",
    response_model=CommandAnswer,
    summary="Withdraw a talk (a scheduled one also loses its slot)",
)
def withdraw(talk_id: TalkId, commands: Commands) -> JSONResponse:
    return commands.run(withdraw_talk, WithdrawTalk(str(talk_id), commands.expected_version))
