"""The rules of the policy table: each says whether a principal may run one command.

A rule that needs current state (who submitted a talk) loads it through the unit of work
of the command's own transaction, so the check and the change see the same state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from command_service.policy.roles import ATTENDEE, ORGANIZER, SPEAKER
from command_service.ports import UnitOfWork
from service_conventions.auth.verifier import Principal


class OnTalk(Protocol):
    @property
    def talk_id(self) -> str: ...


class OnRating(Protocol):
    @property
    def attendee_id(self) -> str: ...


Rule = Callable[[Any, Principal, UnitOfWork], bool]


def organizer(_command: object, principal: Principal, _uow: UnitOfWork) -> bool:
    return ORGANIZER in principal.roles


def speaker_or_organizer(_command: object, principal: Principal, _uow: UnitOfWork) -> bool:
    return bool({SPEAKER, ORGANIZER} & principal.roles)


def submitter_or_organizer(command: OnTalk, principal: Principal, uow: UnitOfWork) -> bool:
    """An organizer, or the speaker who submitted the talk (an unknown talk is a 404)."""
    if ORGANIZER in principal.roles:
        return True
    if SPEAKER not in principal.roles:
        return False
    return uow.talks.get(command.talk_id).submitted_by == principal.subject


def own_rating(command: OnRating, principal: Principal, _uow: UnitOfWork) -> bool:
    """An attendee, rating as themself: the path's attendee is the token's subject."""
    return ATTENDEE in principal.roles and command.attendee_id == principal.subject


def own_rating_or_organizer(command: OnRating, principal: Principal, uow: UnitOfWork) -> bool:
    return ORGANIZER in principal.roles or own_rating(command, principal, uow)
