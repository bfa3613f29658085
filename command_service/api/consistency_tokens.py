"""The marks of a command's ``Consistency-Token``: every read-model version it moved.

The events a command recorded say exactly what the projector will write: a talk event
moves the talk document's talk version, a ratings event its rating version, a conference
event the conference document's version and, when it places or removes a slot, the talk's
slot version too (withdrawing a scheduled talk moves both aggregates). A command that
recorded nothing (a no-op, or a replay of a stored answer) is marked by the aggregate it
answered for at the version it answered, which the read models reach as surely.
"""

from __future__ import annotations

from collections.abc import Iterable

from command_service.handlers.accept_talk import AcceptTalk
from command_service.handlers.add_stage import AddStage
from command_service.handlers.create_conference import CreateConference
from command_service.handlers.edit_talk import EditTalk
from command_service.handlers.rate_talk import RateTalk
from command_service.handlers.reject_talk import RejectTalk
from command_service.handlers.remove_rating import RemoveRating
from command_service.handlers.remove_stage import RemoveStage
from command_service.handlers.rename_conference import RenameConference
from command_service.handlers.runner import CommandRun
from command_service.handlers.schedule_talk import ScheduleTalk
from command_service.handlers.submit_talk import SubmitTalk
from command_service.handlers.unschedule_talk import UnscheduleTalk
from command_service.handlers.withdraw_talk import WithdrawTalk
from service_conventions.consistency.token import Mark, MarkKind, MarkRef
from shared_domain.events import DomainEvent, TalkScheduled, TalkUnscheduled

ANSWERED_FOR: dict[type, MarkKind] = {
    CreateConference: MarkKind.CONFERENCE,
    RenameConference: MarkKind.CONFERENCE,
    AddStage: MarkKind.CONFERENCE,
    RemoveStage: MarkKind.CONFERENCE,
    ScheduleTalk: MarkKind.CONFERENCE,
    UnscheduleTalk: MarkKind.CONFERENCE,
    SubmitTalk: MarkKind.TALK,
    EditTalk: MarkKind.TALK,
    AcceptTalk: MarkKind.TALK,
    RejectTalk: MarkKind.TALK,
    WithdrawTalk: MarkKind.TALK,
    RateTalk: MarkKind.RATINGS,
    RemoveRating: MarkKind.RATINGS,
}
"""The aggregate whose id and version each command answers (``CommandResult``)."""

_STREAM_MARKS = {
    "talk": MarkKind.TALK,
    "talk_ratings": MarkKind.RATINGS,
    "conference": MarkKind.CONFERENCE,
}


def marks_of(command: object, run: CommandRun) -> list[Mark]:
    answered = Mark(ANSWERED_FOR[type(command)], run.result.id, run.result.version)
    highest: dict[MarkRef, int] = {answered.ref: answered.version}
    for mark in (m for event in run.events for m in _event_marks(event)):
        highest[mark.ref] = max(mark.version, highest.get(mark.ref, 0))
    return [Mark(kind, id, version) for (kind, id), version in highest.items()]


def _event_marks(event: DomainEvent) -> Iterable[Mark]:
    yield Mark(_STREAM_MARKS[event.aggregate_type], event.aggregate_id, event.aggregate_version)
    if isinstance(event, TalkScheduled | TalkUnscheduled):
        yield Mark(MarkKind.SLOT, event.talk_id, event.aggregate_version)
