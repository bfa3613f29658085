"""What a command's token waits for: every read-model mark its events move (ADR 080)."""

from __future__ import annotations

import importlib
from datetime import datetime
from pathlib import Path

from command_service.api.consistency_tokens import ANSWERED_FOR, marks_of
from command_service.handlers.accept_talk import AcceptTalk
from command_service.handlers.rate_talk import RateTalk
from command_service.handlers.result import CommandResult
from command_service.handlers.runner import CommandRun
from command_service.handlers.schedule_talk import ScheduleTalk
from command_service.handlers.unschedule_talk import UnscheduleTalk
from command_service.handlers.withdraw_talk import WithdrawTalk
from service_conventions.consistency.token import Mark, MarkKind
from shared_domain.events import (
    TalkAccepted,
    TalkRated,
    TalkScheduled,
    TalkUnscheduled,
    TalkWithdrawn,
)

HANDLERS = Path(__file__).parents[3] / "command_service" / "handlers"
START = "2031-05-04T09:00:00+00:00"
NOT_COMMANDS = {"__init__", "expected_version", "result", "runner"}


def test_every_command_answers_for_one_aggregate() -> None:
    """A new command without an entry would answer 500 instead of its token: each handler
    module defines one command, named after the module."""
    commands = set()
    for path in HANDLERS.glob("*.py"):
        if path.stem in NOT_COMMANDS:
            continue
        module = importlib.import_module(f"command_service.handlers.{path.stem}")
        commands.add(getattr(module, path.stem.title().replace("_", "")))
    assert commands == set(ANSWERED_FOR)


def test_a_talk_command_marks_the_talk() -> None:
    run = CommandRun(
        CommandResult("t-1", 2), events=(TalkAccepted(aggregate_id="t-1", aggregate_version=2),)
    )
    assert marks_of(AcceptTalk("t-1"), run) == [Mark(MarkKind.TALK, "t-1", 2)]


def test_a_rating_marks_the_talks_ratings_not_the_talk() -> None:
    rated = TalkRated(
        aggregate_id="t-1",
        aggregate_version=4,
        attendee_id="a",
        stars=5,
        previous_stars=None,
        count=4,
        total=17,
        average=4.25,
    )
    run = CommandRun(CommandResult("t-1", 4), events=(rated,))
    assert marks_of(RateTalk("t-1", "a", 5), run) == [Mark(MarkKind.RATINGS, "t-1", 4)]


def test_scheduling_marks_the_conference_and_the_talks_slot() -> None:
    scheduled = TalkScheduled(
        aggregate_id="c-1",
        aggregate_version=9,
        talk_id="t-1",
        stage="Main",
        starts_at=START,
        ends_at=START,
    )
    run = CommandRun(CommandResult("c-1", 9), events=(scheduled,))
    command = ScheduleTalk("c-1", "t-1", "Main", scheduled_at())
    assert marks_of(command, run) == [
        Mark(MarkKind.CONFERENCE, "c-1", 9),
        Mark(MarkKind.SLOT, "t-1", 9),
    ]
    unscheduled = TalkUnscheduled(
        aggregate_id="c-1", aggregate_version=10, talk_id="t-1", reason="x"
    )
    run = CommandRun(CommandResult("c-1", 10), events=(unscheduled,))
    assert Mark(MarkKind.SLOT, "t-1", 10) in marks_of(UnscheduleTalk("c-1", "t-1"), run)


def test_withdrawing_a_scheduled_talk_marks_both_aggregates() -> None:
    events = (
        TalkWithdrawn(aggregate_id="t-1", aggregate_version=3),
        TalkUnscheduled(aggregate_id="c-1", aggregate_version=12, talk_id="t-1", reason="w"),
    )
    run = CommandRun(CommandResult("t-1", 3), events=events)
    assert marks_of(WithdrawTalk("t-1"), run) == [
        Mark(MarkKind.TALK, "t-1", 3),
        Mark(MarkKind.CONFERENCE, "c-1", 12),
        Mark(MarkKind.SLOT, "t-1", 12),
    ]


def test_a_command_that_recorded_nothing_marks_the_aggregate_it_answered_for() -> None:
    """A no-op schedule (same slot) or a replay: its version is reached all the same; no
    slot mark, since the slot's version is an older conference version."""
    replay = CommandRun(CommandResult("c-1", 14), replayed=True)
    command = ScheduleTalk("c-1", "t-1", "Main", scheduled_at())
    assert marks_of(command, replay) == [Mark(MarkKind.CONFERENCE, "c-1", 14)]


def scheduled_at() -> datetime:
    return datetime.fromisoformat(START)
