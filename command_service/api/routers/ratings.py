"""Attendees' ratings of accepted talks (versioned apart from the talk itself)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from command_service.api.authentication import AUTHENTICATED
from command_service.api.command_request import Commands
from command_service.api.fields import Stars
from command_service.api.json_body import CommandBody, example, require_json, require_no_body
from command_service.api.openapi import CHANGES
from command_service.api.parameters import AttendeeId, TalkId
from command_service.api.schemas import CommandAnswer
from command_service.handlers.rate_talk import RateTalk, rate_talk
from command_service.handlers.remove_rating import RemoveRating, remove_rating

router = APIRouter(prefix="/talks/{talk_id}/ratings", tags=["ratings"], dependencies=AUTHENTICATED)


class RateTalkBody(CommandBody):
    model_config = example(stars=4)

    stars: Stars


@router.put(
    "/{attendee_id}",
    response_model=CommandAnswer,
    responses=CHANGES,
    dependencies=[Depends(require_json)],
    summary="Rate a talk, or change one's rating",
)
def rate(
    talk_id: TalkId, attendee_id: AttendeeId, body: RateTalkBody, commands: Commands
) -> JSONResponse:
    command = RateTalk(str(talk_id), attendee_id, body.stars, commands.expected_version)
    return commands.run(rate_talk, command)


@router.delete(
    "/{attendee_id}",
    response_model=CommandAnswer,
    responses=CHANGES,
    dependencies=[Depends(require_no_body)],
    summary="Remove a rating",
)
def remove(talk_id: TalkId, attendee_id: AttendeeId, commands: Commands) -> JSONResponse:
    command = RemoveRating(str(talk_id), attendee_id, commands.expected_version)
    return commands.run(remove_rating, command)
