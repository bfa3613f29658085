"""A conference's schedule: put a talk on a stage at a time, move it, or free its slot."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import StrictStr

from command_service.api.authentication import AUTHENTICATED
from command_service.api.command_request import Commands
from command_service.api.fields import Moment
from command_service.api.json_body import CommandBody, example, require_json, require_no_body
from command_service.api.openapi import CHANGES
from command_service.api.parameters import ConferenceId, TalkId
from command_service.api.schemas import CommandAnswer
from command_service.handlers.schedule_talk import ScheduleTalk, schedule_talk
from command_service.handlers.unschedule_talk import UnscheduleTalk, unschedule_talk

router = APIRouter(
    prefix="/conferences/{conference_id}/schedule", tags=["schedule"], dependencies=AUTHENTICATED
)


class ScheduleTalkBody(CommandBody):
    model_config = example(stage="Main", starts_at="2026-06-01T10:00:00+02:00")

    stage: StrictStr
    starts_at: Moment


@router.put(
    "/{talk_id}",
    response_model=CommandAnswer,
    responses=CHANGES,
    dependencies=[Depends(require_json)],
    summary="Schedule a talk, or move it",
)
def schedule(
    conference_id: ConferenceId, talk_id: TalkId, body: ScheduleTalkBody, commands: Commands
) -> JSONResponse:
    command = ScheduleTalk(
        conference_id=str(conference_id),
        talk_id=str(talk_id),
        stage=body.stage,
        starts_at=body.starts_at,
        expected_version=commands.expected_version,
    )
    return commands.run(schedule_talk, command)


@router.delete(
    "/{talk_id}",
    response_model=CommandAnswer,
    responses=CHANGES,
    dependencies=[Depends(require_no_body)],
    summary="Free a talk's slot",
)
def unschedule(conference_id: ConferenceId, talk_id: TalkId, commands: Commands) -> JSONResponse:
    command = UnscheduleTalk(str(conference_id), str(talk_id), commands.expected_version)
    return commands.run(unschedule_talk, command)
