"""What each role records: commands by outcome, relay confirms, projector outcomes, lag."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from command_service.api.command_outcomes import counted
from command_service.errors import Forbidden, PreconditionFailed
from command_service.handlers.result import CommandResult
from command_service.handlers.runner import CommandRun
from command_service.relay.confirms import ConfirmWindow
from command_service.relay.runner import RoundReport, count_round
from query_service.projector.batch import Outcome
from query_service.projector.lag import age_seconds, publish
from query_service.projector.stats import ProjectorStats
from service_conventions.metrics.catalog import exported_series_names
from shared_domain.errors import StageExists
from tests.unit.metrics.samples import sample
from tests.unit.relay.outbox_messages import messages


class RenameThing:
    """A command (only its class name matters here)."""


def commands(outcome: str, rule: str = "") -> float:
    return sample("conference_commands_total", command="RenameThing", outcome=outcome, rule=rule)


def run_of(replayed: bool) -> CommandRun:
    return CommandRun(CommandResult(id="c-1", version=2), replayed=replayed)


def test_a_command_counts_as_applied_or_replayed() -> None:
    applied, replayed = commands("applied"), commands("replayed")
    counted(RenameThing(), lambda: run_of(replayed=False))
    counted(RenameThing(), lambda: run_of(replayed=True))
    counted(RenameThing(), lambda: run_of(replayed=True))
    assert commands("applied") == applied + 1
    assert commands("replayed") == replayed + 2


def refuse(error: Exception) -> CommandRun:
    raise error


@pytest.mark.parametrize(
    ("error", "outcome", "rule"),
    [
        (StageExists("Main exists"), "rejected", "StageExists"),
        (Forbidden("no"), "rejected", "Forbidden"),
        (PreconditionFailed("old version"), "precondition_failed", ""),
    ],
)
def test_a_refused_command_counts_with_the_rule_it_broke(
    error: Exception, outcome: str, rule: str
) -> None:
    before = commands(outcome, rule)
    with pytest.raises(type(error)):
        counted(RenameThing(), lambda: refuse(error))
    assert commands(outcome, rule) == before + 1


def test_an_infrastructure_failure_is_no_outcome_of_the_command() -> None:
    before = {o: commands(o) for o in ("applied", "replayed", "precondition_failed")}
    with pytest.raises(ConnectionError):
        counted(RenameThing(), lambda: refuse(ConnectionError("database away")))
    assert {o: commands(o) for o in before} == before
    assert commands("rejected", "ConnectionError") == 0


def test_the_confirm_window_tells_returns_from_nacks() -> None:
    window = ConfirmWindow(messages(1, 2, 3, 4), first_tag=1)
    window.returned("event-2", "312 NO_ROUTE")
    window.answered(2, acked=True, multiple=True)  # 1 routed, 2 returned then acked
    window.answered(3, acked=False, multiple=False)  # nacked
    window.answered(4, acked=True, multiple=False)
    result = window.result()
    assert (result.confirmed, result.failed, result.returned) == ([1, 4], [2, 3], 1)


def test_a_relay_round_counts_published_returned_and_nacked() -> None:
    names = ("conference_relay_published_total", "conference_relay_returned_total")
    published, returned = (sample(n) for n in names)
    nacked = sample("conference_relay_nacked_total")
    count_round(RoundReport(claimed=10, published=6, failed=4, lost=0, returned=3))
    assert sample(names[0]) == published + 6
    assert sample(names[1]) == returned + 3
    assert sample("conference_relay_nacked_total") == nacked + 1


def projected(outcome: str) -> float:
    return sample("conference_projector_events_total", outcome=outcome)


def test_projector_outcomes_are_counted_as_they_happen() -> None:
    outcomes = ("applied", "duplicate", "skipped", "parked", "retried", "held")
    before = {o: projected(o) for o in outcomes}
    stats = ProjectorStats()
    for kind in (Outcome.APPLIED, Outcome.APPLIED, Outcome.DUPLICATE, Outcome.SKIPPED):
        stats.count(kind)
    stats.count(Outcome.DEAD_LETTER)
    stats.count(Outcome.BLOCKED)
    stats.retried()
    stats.held_back()
    gained = {o: projected(o) - before[o] for o in outcomes}
    assert gained == {
        "applied": 2,
        "duplicate": 1,
        "skipped": 1,
        "parked": 2,
        "retried": 1,
        "held": 1,
    }
    assert (stats.applied, stats.dead_lettered, stats.retries, stats.held) == (2, 2, 1, 1)


NOW = datetime(2026, 6, 1, 12, 0, 30, tzinfo=UTC)


def test_lag_seconds_is_the_age_of_the_oldest_unapplied_event() -> None:
    publish(7, "2026-06-01T12:00:00+00:00", dead=2, now=NOW)
    assert sample("conference_projector_lag_events") == 7
    assert sample("conference_projector_lag_seconds") == 30
    assert sample("conference_dead_letters") == 2


def test_lag_seconds_is_zero_when_caught_up_whatever_the_last_event() -> None:
    publish(0, "2026-06-01T12:00:00+00:00", dead=0, now=NOW)
    assert sample("conference_projector_lag_events") == 0
    assert sample("conference_projector_lag_seconds") == 0


def test_ages_read_naive_timestamps_as_utc_and_never_go_negative() -> None:
    assert age_seconds("2026-06-01 12:00:00.000000", NOW) == 30
    assert age_seconds(datetime(2026, 6, 1, 12, 1), NOW) == 0
    assert age_seconds(None, NOW) == 0


def test_every_metric_of_the_issue_is_exported_under_its_name() -> None:
    names = exported_series_names()
    for expected in (
        "conference_http_request_duration_seconds_bucket",
        "conference_commands_total",
        "conference_outbox_unpublished",
        "conference_outbox_oldest_unpublished_age_seconds",
        "conference_relay_published_total",
        "conference_relay_confirm_duration_seconds_count",
        "conference_relay_returned_total",
        "conference_relay_nacked_total",
        "conference_projector_events_total",
        "conference_projector_lag_events",
        "conference_projector_lag_seconds",
        "conference_projector_batch_size_bucket",
        "conference_read_store_write_duration_seconds_sum",
        "conference_dead_letters",
        "conference_search_duration_seconds_count",
    ):
        assert expected in names
