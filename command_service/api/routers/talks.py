"""Talks: submit, edit, and the review decisions (accept, reject, withdraw)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import StrictStr

from command_service.api.authentication import AUTHENTICATED
from command_service.api.command_request import Commands
from command_service.api.fields import (
    Abstract,
    DurationMinutes,
    Language,
    NotNull,
    Reason,
    Speakers,
    Tags,
    Title,
)
from command_service.api.json_body import CommandBody, example, require_json, require_no_body
from command_service.api.openapi import CHANGES, CREATES
from command_service.api.parameters import TalkId
from command_service.api.schemas import CommandAnswer
from command_service.handlers.accept_talk import AcceptTalk, accept_talk
from command_service.handlers.edit_talk import EditTalk, edit_talk
from command_service.handlers.reject_talk import RejectTalk, reject_talk
from command_service.handlers.result import CommandResult
from command_service.handlers.submit_talk import SubmitTalk, submit_talk
from command_service.handlers.withdraw_talk import WithdrawTalk, withdraw_talk
from shared_domain.talk import DetailChanges
from shared_domain.values import DEFAULT_LANGUAGE, Format, Level

router = APIRouter(prefix="/talks", tags=["talks"], dependencies=AUTHENTICATED)


class SubmitTalkBody(CommandBody):
    model_config = example(
        conference_id="3f1c2b9e-8d4a-4c53-9a57-0b6f1e2d7c10",
        title="Event sourcing in anger",
        abstract="What two years of an event store taught us.",
        speakers=[{"name": "Ada Lovelace", "company": "ACME"}],
        tags=["cqrs", "python"],
        level="intermediate",
        format="talk",
        duration_minutes=40,
        language="en",
    )

    conference_id: StrictStr
    title: Title
    abstract: Abstract = ""
    speakers: Speakers
    tags: Tags = ()
    level: Level
    format: Format
    duration_minutes: DurationMinutes | None = None
    language: Language = DEFAULT_LANGUAGE


class EditTalkBody(CommandBody):
    """Only the fields sent change (PATCH); ``duration_minutes: null`` means the default."""

    model_config = example(title="Event sourcing, two years on", tags=["cqrs"])

    title: Annotated[Title | None, NotNull] = None
    abstract: Annotated[Abstract | None, NotNull] = None
    speakers: Annotated[Speakers | None, NotNull] = None
    tags: Annotated[Tags | None, NotNull] = None
    level: Annotated[Level | None, NotNull] = None
    format: Annotated[Format | None, NotNull] = None
    duration_minutes: DurationMinutes | None = None
    language: Annotated[Language | None, NotNull] = None

    def changes(self) -> DetailChanges:
        """The details sent (a field left out keeps its value; only the duration may be null)."""
        changes: DetailChanges = {}
        if self.title is not None:
            changes["title"] = self.title
        if self.abstract is not None:
            changes["abstract"] = self.abstract
        if self.speakers is not None:
            changes["speakers"] = tuple(speaker.to_speaker() for speaker in self.speakers)
        if self.tags is not None:
            changes["tags"] = self.tags
        if self.level is not None:
            changes["level"] = self.level
        if self.format is not None:
            changes["format"] = self.format
        if "duration_minutes" in self.model_fields_set:
            changes["duration_minutes"] = self.duration_minutes
        if self.language is not None:
            changes["language"] = self.language
        return changes


class RejectTalkBody(CommandBody):
    model_config = example(reason="Out of scope for this year's programme")

    reason: Reason = ""


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
    responses=CREATES,
    dependencies=[Depends(require_json)],
    summary="Submit a talk",
)
def submit(body: SubmitTalkBody, commands: Commands) -> JSONResponse:
    command = SubmitTalk(
        talk_id=commands.new_id(),
        conference_id=_canonical_id(body.conference_id),
        title=body.title,
        abstract=body.abstract,
        speakers=tuple(speaker.to_speaker() for speaker in body.speakers),
        tags=body.tags,
        level=body.level,
        format=body.format,
        duration_minutes=body.duration_minutes,
        language=body.language,
        expected_version=commands.expected_version,
        submitted_by=commands.principal.subject,
    )
    return commands.run(submit_talk, command, created_at=_location)


@router.patch(
    "/{talk_id}",
    response_model=CommandAnswer,
    responses=CHANGES,
    dependencies=[Depends(require_json)],
    summary="Edit a talk's details",
)
def edit(talk_id: TalkId, body: EditTalkBody, commands: Commands) -> JSONResponse:
    command = EditTalk(str(talk_id), body.changes(), commands.expected_version)
    return commands.run(edit_talk, command)


@router.post(
    "/{talk_id}/accept",
    response_model=CommandAnswer,
    responses=CHANGES,
    dependencies=[Depends(require_no_body)],
    summary="Accept a talk",
)
def accept(talk_id: TalkId, commands: Commands) -> JSONResponse:
    return commands.run(accept_talk, AcceptTalk(str(talk_id), commands.expected_version))


@router.post(
    "/{talk_id}/reject",
    response_model=CommandAnswer,
    responses=CHANGES,
    dependencies=[Depends(require_json)],
    summary="Reject a talk",
)
def reject(talk_id: TalkId, commands: Commands, body: RejectTalkBody | None = None) -> JSONResponse:
    reason = body.reason if body is not None else ""
    return commands.run(reject_talk, RejectTalk(str(talk_id), reason, commands.expected_version))


@router.post(
    "/{talk_id}/withdraw",
    response_model=CommandAnswer,
    dependencies=[Depends(require_no_body)],
    responses=CHANGES,
    summary="Withdraw a talk (a scheduled one also loses its slot)",
)
def withdraw(talk_id: TalkId, commands: Commands) -> JSONResponse:
    return commands.run(withdraw_talk, WithdrawTalk(str(talk_id), commands.expected_version))
