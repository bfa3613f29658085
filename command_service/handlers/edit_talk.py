"""Edit a talk's details (PATCH semantics: fields not named keep their value).

A scheduled talk keeps its duration, and its new speakers must be free at its slot; the
conference is loaded (and locked) to know both.
"""

from __future__ import annotations

from dataclasses import dataclass

from command_service.handlers.expected_version import ExpectedVersion, check_version
from command_service.handlers.result import CommandResult
from command_service.ports import UnitOfWork
from shared_domain.talk import DetailChanges, speakers_of


@dataclass(frozen=True)
class EditTalk:
    talk_id: str
    changes: DetailChanges
    expected_version: ExpectedVersion | None = None


def edit_talk(command: EditTalk, uow: UnitOfWork) -> CommandResult:
    talk = uow.talks.get(command.talk_id)
    check_version(command.expected_version, talk)
    details = talk.details.revise(command.changes)
    conference = uow.conferences.get(talk.conference_id)
    scheduled = conference.slot_of(talk.id) is not None
    if scheduled and details.speaker_keys() != talk.details.speaker_keys():
        others = [tid for tid in conference.scheduled_talk_ids() if tid != talk.id]
        conference.ensure_speakers_free(
            talk.id, details.speakers, speakers_of(uow.talks.get_many(others))
        )
    talk.edit(details, scheduled=scheduled)
    return CommandResult(talk.id, talk.version, {"status": talk.status.value})
