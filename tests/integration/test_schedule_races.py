"""Rules that span aggregates hold under concurrency (ADR 041).

Editing a talk does not change its conference, so no version check stands between an edit
and a scheduling that race: only the conference row lock does. Each round releases the two
commands together and then checks the invariant on what was committed; on SQLite writers
serialize anyway, on PostgreSQL the rounds prove the lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from command_service.bootstrap import CommandService, bootstrap
from command_service.handlers.edit_talk import EditTalk, edit_talk
from command_service.handlers.runner import CommandRun
from command_service.handlers.schedule_talk import ScheduleTalk, schedule_talk
from command_service.settings import load_settings
from shared_domain.errors import ScheduledDurationLocked, SpeakerDoubleBooked
from shared_domain.talk import Talk, TalkDetails
from shared_domain.values import Format, Level, Speaker
from tests.integration.conftest import new_conference, trace
from tests.integration.test_concurrency import together

ROUNDS = 15
TEN_O_CLOCK = datetime(2026, 6, 1, 10)


@pytest.fixture
def service(database_url: str) -> Iterator[CommandService]:
    service = bootstrap(load_settings(database_url=database_url))
    yield service
    service.close()


def accepted_talk(conference_id: str, speaker: str) -> Talk:
    details = TalkDetails.parse(
        title="A talk", speakers=[Speaker(speaker)], level=Level.BEGINNER, format=Format.TALK
    )
    talk = Talk.submit(str(uuid.uuid4()), conference_id, details)
    talk.accept()
    return talk


def race(
    service: CommandService, schedule: ScheduleTalk, edit: EditTalk
) -> list[CommandRun | Exception]:
    """Schedule and edit released together: ``[schedule's outcome, edit's outcome]``."""

    def act(index: int) -> CommandRun:
        if index == 0:
            return service.run(schedule_talk, schedule, trace())
        return service.run(edit_talk, edit, trace())

    return together(2, act)


def test_an_edit_never_double_books_a_speaker_that_is_being_scheduled(
    service: CommandService,
) -> None:
    for _ in range(ROUNDS):
        conference = new_conference()
        first, second = accepted_talk(conference.id, "Ann"), accepted_talk(conference.id, "Bob")
        conference.schedule(second, stage="Side", starts_at=TEN_O_CLOCK, speakers_of={})
        with service.unit_of_work(trace()) as uow:
            uow.conferences.add(conference)
            uow.talks.add(first)
            uow.talks.add(second)
            uow.commit()
        schedule_ann = ScheduleTalk(conference.id, first.id, "Main", TEN_O_CLOCK)
        ann_joins_bob = EditTalk(second.id, {"speakers": [Speaker("Bob"), Speaker(" ann ")]})

        results = race(service, schedule_ann, ann_joins_bob)

        refused = [r for r in results if isinstance(r, Exception)]
        assert len(refused) == 1, results
        assert isinstance(refused[0], SpeakerDoubleBooked), refused


def test_a_talk_being_scheduled_never_changes_its_duration(service: CommandService) -> None:
    for _ in range(ROUNDS):
        conference = new_conference()
        talk = accepted_talk(conference.id, "Ann")
        with service.unit_of_work(trace()) as uow:
            uow.conferences.add(conference)
            uow.talks.add(talk)
            uow.commit()
        schedule = ScheduleTalk(conference.id, talk.id, "Main", TEN_O_CLOCK)
        longer = EditTalk(talk.id, {"duration_minutes": 90})

        results = race(service, schedule, longer)

        with service.unit_of_work(trace()) as uow:
            stored_talk = uow.talks.get(talk.id)
            slot = uow.conferences.get(conference.id).slot_of(talk.id)
        assert slot is not None, results  # scheduling never loses to an edit
        minutes = (slot.ends_at - slot.starts_at) / timedelta(minutes=1)
        assert minutes == stored_talk.details.duration_minutes, results
        edit_result = results[1]
        if isinstance(edit_result, Exception):
            assert isinstance(edit_result, ScheduledDurationLocked), results
        assert slot.starts_at == TEN_O_CLOCK.replace(tzinfo=UTC)
