"""Submit a talk to an existing conference."""

from __future__ import annotations

from dataclasses import dataclass, field

from command_service.handlers.expected_version import ExpectedVersion, check_absent
from command_service.handlers.result import CommandResult
from command_service.ports import UnitOfWork
from shared_domain.talk import Talk, TalkDetails
from shared_domain.values import DEFAULT_LANGUAGE, Format, Level, Speaker


@dataclass(frozen=True)
class SubmitTalk:
    talk_id: str
    conference_id: str
    title: str
    speakers: tuple[Speaker, ...]
    level: Level
    format: Format
    abstract: str = ""
    tags: tuple[str, ...] = field(default=())
    duration_minutes: int | None = None
    language: str = DEFAULT_LANGUAGE
    expected_version: ExpectedVersion | None = None
    submitted_by: str | None = None
    """The submitter's subject, recorded so that the policy can tell their talks apart."""


def submit_talk(command: SubmitTalk, uow: UnitOfWork) -> CommandResult:
    check_absent(command.expected_version)
    details = TalkDetails.parse(
        title=command.title,
        abstract=command.abstract,
        speakers=command.speakers,
        tags=command.tags,
        level=command.level,
        format=command.format,
        duration_minutes=command.duration_minutes,
        language=command.language,
    )
    # No existence check here: the talk's foreign key answers it inside the insert, and the
    # repository raises UnknownConference on commit (ADR 077: one round trip fewer).
    talk = Talk.submit(
        command.talk_id, command.conference_id, details, submitted_by=command.submitted_by
    )
    uow.talks.add(talk)
    return CommandResult(talk.id, talk.version, {"status": talk.status.value})
