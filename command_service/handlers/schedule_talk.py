"""Put an accepted talk on a stage at a start time, or move it there.

The conference is loaded first: its repository locks it, so the talks read afterwards are
the ones committed before this command holds the schedule (speaker double-booking spans
several talks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from command_service.handlers.expected_version import ExpectedVersion, check_version
from command_service.handlers.result import CommandResult
from command_service.ports import UnitOfWork
from shared_domain.talk import speakers_of


@dataclass(frozen=True)
class ScheduleTalk:
    conference_id: str
    talk_id: str
    stage: str
    starts_at: datetime
    """Without an offset, a time in the conference's timezone."""
    expected_version: ExpectedVersion | None = None


def schedule_talk(command: ScheduleTalk, uow: UnitOfWork) -> CommandResult:
    conference = uow.conferences.get(command.conference_id)
    check_version(command.expected_version, conference)
    talk = uow.talks.get(command.talk_id)
    others = [tid for tid in conference.scheduled_talk_ids() if tid != talk.id]
    conference.schedule(
        talk,
        stage=command.stage,
        starts_at=command.starts_at,
        speakers_of=speakers_of(uow.talks.get_many(others)),
    )
    slot = conference.slot_of(talk.id)
    assert slot is not None  # schedule() either gave the talk a slot or raised
    return CommandResult(conference.id, conference.version, {"slot": slot.to_data()})
