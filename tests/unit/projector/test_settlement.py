"""The settlement policy, without a broker: which outcome is acked, retried, held, parked."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from query_service.projections.errors import EventNotYetApplicable, ProjectionError
from query_service.projector.batch import ItemOutcome, Outcome
from query_service.projector.retry import RetryPolicy
from query_service.projector.settlement import (
    Action,
    Around,
    Attempts,
    SettlementPolicy,
    settle,
)

POLICY = SettlementPolicy(RetryPolicy(attempts=3, first_delay=0.1, max_delay=1.0), 30.0)
STREAM = "conference/c1"


def gap(applied: int = 209, received: int = 211) -> ItemOutcome:
    error = EventNotYetApplicable(STREAM, applied, received)
    return ItemOutcome(Outcome.FAILED, str(error), error)


def tries(outcome: ItemOutcome, clock: Sequence[float], **around: bool) -> list[Action]:
    """Settle ``outcome`` again at each reading of ``clock``, keeping the attempts."""
    attempts, actions = Attempts(), []
    for now in clock:
        decision, attempts = settle(outcome, attempts, Around(now=now, **around), POLICY)
        actions.append(decision.action)
    return actions


@pytest.mark.parametrize("kind", [Outcome.APPLIED, Outcome.DUPLICATE, Outcome.SKIPPED])
def test_applied_duplicate_and_skipped_are_acked(kind: Outcome) -> None:
    decision, _ = settle(ItemOutcome(kind), Attempts(), Around(now=0), POLICY)
    assert decision.action is Action.ACK


def test_malformed_and_unknown_types_are_parked_at_once() -> None:
    outcome = ItemOutcome(Outcome.DEAD_LETTER, "malformed: not JSON")
    decision, _ = settle(outcome, Attempts(), Around(now=0), POLICY)
    assert (decision.action, decision.reason) == (Action.PARK, "malformed: not JSON")


def test_a_failing_projection_is_retried_with_back_off_then_parked() -> None:
    error = ProjectionError("bad shape")
    outcome = ItemOutcome(Outcome.FAILED, "ProjectionError: bad shape", error)
    attempts, delays = Attempts(), []
    for _ in range(2):
        decision, attempts = settle(outcome, attempts, Around(now=0), POLICY)
        assert decision.action is Action.RETRY
        delays.append(decision.delay)
    decision, attempts = settle(outcome, attempts, Around(now=0), POLICY)
    assert delays == [0.1, 0.2]
    assert (decision.action, attempts.failures) == (Action.PARK, 3)
    assert decision.reason == "ProjectionError: bad shape"


def test_a_gap_is_held_once_it_was_missing_for_the_gap_timeout() -> None:
    assert tries(gap(), [0, 10, 29.9, 30]) == [Action.RETRY] * 3 + [Action.HOLD]


def test_a_held_event_is_never_parked_as_poison() -> None:
    decision, _ = settle(gap(), Attempts(gap_since=0, gap_applied=209), Around(now=99), POLICY)
    assert decision.action is Action.HOLD
    assert decision.reason.startswith("gap: predecessor missing for 30s")


def test_the_gap_clock_starts_over_when_the_stream_moved() -> None:
    attempts = Attempts(gap_since=0, gap_applied=200)  # since then 201..209 were applied
    decision, attempts = settle(gap(209, 211), attempts, Around(now=40), POLICY)
    assert decision.action is Action.RETRY
    assert attempts.gap_since == 40


def test_the_gap_clock_does_not_run_while_the_predecessor_is_in_hand() -> None:
    clock = [0, 40, 80]
    assert tries(gap(), clock, earlier_in_hand=True) == [Action.RETRY] * 3
    decision, attempts = settle(
        gap(), Attempts(gap_since=0, gap_applied=209), Around(now=80, earlier_in_hand=True), POLICY
    )
    assert decision.action is Action.RETRY
    assert attempts.gap_since is None, "the wait starts over once it is no longer in hand"


def test_later_events_of_a_stream_held_behind_are_held_at_once() -> None:
    assert tries(gap(), [0], stream_held=True) == [Action.HOLD]


def test_an_event_back_from_the_held_queue_waits_only_a_short_grace() -> None:
    assert tries(gap(), [0, 0.5, 1.0], came_back_held=True) == [
        Action.RETRY,
        Action.RETRY,
        Action.HOLD,
    ]


def test_gap_retries_back_off_up_to_the_cap() -> None:
    attempts, delays = Attempts(), []
    for now in range(6):
        decision, attempts = settle(gap(), attempts, Around(now=now), POLICY)
        delays.append(decision.delay)
    assert delays == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]


def test_the_gap_back_off_starts_over_when_the_stream_moved() -> None:
    """A stream spread over replicas advances a hop per try: after a predecessor applied,
    the next try comes soon again, not after the longest wait."""
    attempts, delays = Attempts(), []
    for now, applied in [(0, 200), (1, 200), (2, 200), (3, 200), (4, 201), (5, 201)]:
        decision, attempts = settle(gap(applied=applied), attempts, Around(now=now), POLICY)
        assert decision.action is Action.RETRY
        delays.append(decision.delay)
    assert delays[0] < delays[1] < delays[2] < delays[3], "a stream standing still backs off"
    assert delays[4] == delays[0], "the stream moved: from the first delay again"
    assert delays[5] > delays[4]


def test_an_event_behind_one_in_hand_backs_off_until_the_stream_moves() -> None:
    attempts, delays = Attempts(), []
    for applied in (200, 200, 200, 201):
        decision, attempts = settle(
            gap(applied=applied), attempts, Around(now=0, earlier_in_hand=True), POLICY
        )
        delays.append(decision.delay)
    assert delays[0] < delays[1] < delays[2]
    assert delays[3] == delays[0]


def test_a_gap_in_a_full_prefetch_window_is_held_at_once() -> None:
    """Nothing more reaches the replica, its predecessor included: waiting is pointless."""
    decision, _ = settle(gap(), Attempts(), Around(now=0, window_full=True), POLICY)
    assert decision.action is Action.HOLD
    assert "prefetch window is full" in decision.reason


def test_a_full_window_still_waits_for_a_predecessor_in_hand() -> None:
    assert tries(gap(), [0, 40], earlier_in_hand=True, window_full=True) == [Action.RETRY] * 2
