"""One table: each command and the rule that decides who may run it."""

from __future__ import annotations

from collections.abc import Mapping

from command_service.errors import Forbidden
from command_service.handlers.accept_talk import AcceptTalk
from command_service.handlers.add_stage import AddStage
from command_service.handlers.create_conference import CreateConference
from command_service.handlers.edit_talk import EditTalk
from command_service.handlers.rate_talk import RateTalk
from command_service.handlers.reject_talk import RejectTalk
from command_service.handlers.remove_rating import RemoveRating
from command_service.handlers.remove_stage import RemoveStage
from command_service.handlers.rename_conference import RenameConference
from command_service.handlers.schedule_talk import ScheduleTalk
from command_service.handlers.submit_talk import SubmitTalk
from command_service.handlers.unschedule_talk import UnscheduleTalk
from command_service.handlers.withdraw_talk import WithdrawTalk
from command_service.policy.rules import (
    Rule,
    organizer,
    own_rating,
    own_rating_or_organizer,
    speaker_or_organizer,
    submitter_or_organizer,
)
from command_service.ports import UnitOfWork
from service_conventions.auth.verifier import Principal

POLICY: Mapping[type, Rule] = {
    CreateConference: organizer,
    RenameConference: organizer,
    AddStage: organizer,
    RemoveStage: organizer,
    ScheduleTalk: organizer,
    UnscheduleTalk: organizer,
    AcceptTalk: organizer,
    RejectTalk: organizer,
    SubmitTalk: speaker_or_organizer,
    EditTalk: submitter_or_organizer,
    WithdrawTalk: submitter_or_organizer,
    RateTalk: own_rating,
    RemoveRating: own_rating_or_organizer,
}


def authorize(command: object, principal: Principal, uow: UnitOfWork) -> None:
    """Return if ``principal`` may run ``command``; ``Forbidden`` otherwise (and for a
    command the table does not know: nothing is allowed by omission)."""
    rule = POLICY.get(type(command))
    if rule is None or not rule(command, principal, uow):
        raise Forbidden(
            f"{principal.subject!r} (roles: {', '.join(sorted(principal.roles)) or 'none'}) "
            f"may not {_verb(command)}."
        )


def _verb(command: object) -> str:
    """``RemoveRating`` -> ``remove rating``: what the caller tried, in the problem."""
    name = type(command).__name__
    return "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()
