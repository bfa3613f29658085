"""The policy table: every command has a rule, and each rule lets in exactly whom it should."""

from __future__ import annotations

import dataclasses
import importlib
from types import SimpleNamespace
from typing import Any, cast

import pytest

from command_service.errors import Forbidden
from command_service.handlers.accept_talk import AcceptTalk
from command_service.handlers.edit_talk import EditTalk
from command_service.handlers.rate_talk import RateTalk
from command_service.handlers.remove_rating import RemoveRating
from command_service.handlers.submit_talk import SubmitTalk
from command_service.handlers.withdraw_talk import WithdrawTalk
from command_service.policy.table import POLICY, authorize
from command_service.ports import UnitOfWork
from service_conventions.auth.verifier import Principal
from shared_domain.values import Format, Level
from tests.unit.command.builders import talk

COMMAND_MODULES = (
    "accept_talk",
    "add_stage",
    "create_conference",
    "edit_talk",
    "rate_talk",
    "reject_talk",
    "remove_rating",
    "remove_stage",
    "rename_conference",
    "schedule_talk",
    "submit_talk",
    "unschedule_talk",
    "withdraw_talk",
)


def test_every_command_has_a_rule() -> None:
    commands = {
        value
        for name in COMMAND_MODULES
        for value in vars(importlib.import_module(f"command_service.handlers.{name}")).values()
        if isinstance(value, type)
        and dataclasses.is_dataclass(value)
        and value.__module__.endswith(name)
    }
    assert commands == set(POLICY)


def uow_with_talk_by(submitter: str | None) -> UnitOfWork:
    submitted = talk()
    submitted.submitted_by = submitter
    return cast(UnitOfWork, SimpleNamespace(talks=SimpleNamespace(get=lambda _id: submitted)))


def who(subject: str, *roles: str) -> Principal:
    return Principal(subject, frozenset(roles))


ORGANIZER, SAM, SUE = who("olga", "organizer"), who("sam", "speaker"), who("sue", "speaker")
ANN, NOBODY = who("ann", "attendee"), who("nemo")
EDIT = EditTalk("t", {"title": "x"})


@pytest.mark.parametrize(
    ("command", "principal", "submitter", "allowed"),
    [
        (AcceptTalk("t"), ORGANIZER, "sam", True),
        (AcceptTalk("t"), SAM, "sam", False),
        (AcceptTalk("t"), who("sam", "speaker", "attendee"), "sam", False),
        (AcceptTalk("t"), who("x", "speaker", "organizer"), "sam", True),
        (EDIT, ORGANIZER, "sam", True),
        (EDIT, SAM, "sam", True),
        (EDIT, SUE, "sam", False),
        (EDIT, who("sam", "attendee"), "sam", False),
        (EDIT, SAM, None, False),
        (WithdrawTalk("t"), SAM, "sam", True),
        (WithdrawTalk("t"), SUE, "sam", False),
        (RateTalk("t", "ann", 4), ANN, None, True),
        (RateTalk("t", "bob", 4), ANN, None, False),
        (RateTalk("t", "ann", 4), who("ann", "speaker"), None, False),
        (RateTalk("t", "ann", 4), who("olga", "organizer"), None, False),
        (RemoveRating("t", "ann"), ANN, None, True),
        (RemoveRating("t", "bob"), ANN, None, False),
        (RemoveRating("t", "bob"), ORGANIZER, None, True),
        (RemoveRating("t", "bob"), NOBODY, None, False),
    ],
)
def test_each_rule(
    command: Any, principal: Principal, submitter: str | None, allowed: bool
) -> None:
    uow = uow_with_talk_by(submitter)
    if allowed:
        authorize(command, principal, uow)
    else:
        with pytest.raises(Forbidden):
            authorize(command, principal, uow)


def test_a_speaker_submits_and_the_talk_names_them() -> None:
    submit = SubmitTalk("t", "c", "Title", (), Level("beginner"), Format("talk"))
    authorize(submit, SAM, uow_with_talk_by(None))
    with pytest.raises(Forbidden, match=r"'ann' .*may not submit talk"):
        authorize(submit, ANN, uow_with_talk_by(None))


def test_a_command_missing_from_the_table_is_forbidden_to_everyone() -> None:
    @dataclasses.dataclass
    class Unknown:
        talk_id: str

    with pytest.raises(Forbidden):
        authorize(Unknown("t"), ORGANIZER, uow_with_talk_by(None))
