"""Conferences: create, rename, add and remove stages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse

from command_service.api.authentication import AUTHENTICATED
from command_service.api.command_request import Commands
from command_service.api.fields import ConferenceName, Day, StageName, Stages, Timezone
from command_service.api.json_body import CommandBody, example, require_json, require_no_body
from command_service.api.openapi import CHANGES, CREATES
from command_service.api.parameters import ConferenceId, StagePath
from command_service.api.schemas import CommandAnswer
from command_service.handlers.add_stage import AddStage, add_stage
from command_service.handlers.create_conference import CreateConference, create_conference
from command_service.handlers.remove_stage import RemoveStage, remove_stage
from command_service.handlers.rename_conference import RenameConference, rename_conference
from command_service.handlers.result import CommandResult

router = APIRouter(prefix="/conferences", tags=["conferences"], dependencies=AUTHENTICATED)


class CreateConferenceBody(CommandBody):
    model_config = example(
        name="PyCon Berlin",
        starts_on="2026-06-01",
        ends_on="2026-06-03",
        timezone="Europe/Berlin",
        stages=["Main", "Side"],
    )

    name: ConferenceName
    starts_on: Day
    ends_on: Day
    timezone: Timezone = "UTC"
    stages: Stages


class RenameConferenceBody(CommandBody):
    model_config = example(name="PyCon Berlin 2026")

    name: ConferenceName


class AddStageBody(CommandBody):
    model_config = example(name="Workshop room")

    name: StageName


def _location(result: CommandResult) -> str:
    return f"/conferences/{result.id}"


@router.post(
    "",
    status_code=201,
    response_model=CommandAnswer,
    responses=CREATES,
    dependencies=[Depends(require_json)],
    summary="Create a conference",
)
def create(body: CreateConferenceBody, commands: Commands) -> JSONResponse:
    command = CreateConference(
        conference_id=commands.new_id(),
        name=body.name,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        timezone=body.timezone,
        stages=tuple(body.stages),
        expected_version=commands.expected_version,
    )
    return commands.run(create_conference, command, created_at=_location)


@router.patch(
    "/{conference_id}",
    response_model=CommandAnswer,
    responses=CHANGES,
    dependencies=[Depends(require_json)],
    summary="Rename a conference",
)
def rename(
    conference_id: ConferenceId, body: RenameConferenceBody, commands: Commands
) -> JSONResponse:
    command = RenameConference(str(conference_id), body.name, commands.expected_version)
    return commands.run(rename_conference, command)


@router.post(
    "/{conference_id}/stages",
    response_model=CommandAnswer,
    responses=CHANGES,
    dependencies=[Depends(require_json)],
    summary="Add a stage",
)
def add(
    conference_id: ConferenceId, body: Annotated[AddStageBody, Body()], commands: Commands
) -> JSONResponse:
    command = AddStage(str(conference_id), body.name, commands.expected_version)
    return commands.run(add_stage, command)


@router.delete(
    "/{conference_id}/stages/{name:path}",
    response_model=CommandAnswer,
    dependencies=[Depends(require_no_body)],
    responses=CHANGES,
    summary="Remove a stage (refused while a talk is scheduled on it)",
)
def remove(conference_id: ConferenceId, name: StagePath, commands: Commands) -> JSONResponse:
    command = RemoveStage(str(conference_id), name, commands.expected_version)
    return commands.run(remove_stage, command)
