"""What to do with one delivery once its batch was projected: a pure function (ADR 061).

``settle`` takes the outcome of projecting an event, what was tried before, and what the
transport knows around it (a clock, whether an earlier event of the stream is in hand or
held), and answers one of:

- **ack**: applied, a duplicate, or skipped;
- **retry** after a delay: a projection that failed (up to ``retry.attempts``), or an event
  beyond a version gap whose predecessor may still come;
- **hold**: an event beyond a gap whose predecessor has truly not come; it waits in the
  held queue and comes back by itself, so once the predecessor is applied (by any replica,
  or by an operator's replay) it applies too. A hold is never an operator's task;
- **park**: a poison event (malformed, of an unknown type, or a projection that keeps
  failing). It waits in the dead-letter queue for an operator.

The gap rule: the gap clock of a waiting event counts only time in which its predecessor
could have been applied and was not. It runs on the health clock (stopped while the store
or the broker is away), and it starts over whenever the stream moved (a predecessor was
applied since the last try) or an earlier event of the stream is in this replica's hands
(being written, waiting for a retry, or received and not yet taken). Once an earlier event
of a stream is held or parked, its later events meeting the gap are held at once: their
predecessor will not come before the one held does. And when the replica's prefetch window
is full, an event whose predecessor is not in its hands is held at once: the broker sends
this replica nothing more until it settles something, so waiting out the gap timeout would
only keep the predecessor away (ADR 086).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from query_service.projections.errors import EventNotYetApplicable
from query_service.projector.batch import ItemOutcome, Outcome
from query_service.projector.retry import RetryPolicy


class Action(StrEnum):
    ACK = "ack"
    RETRY = "retry"
    HOLD = "hold"
    PARK = "park"


@dataclass(frozen=True)
class Decision:
    action: Action
    delay: float = 0.0
    """For ``retry``: seconds to wait before the next try."""
    reason: str = ""
    """For ``hold`` and ``park``: why, as the operator reads it."""


@dataclass(frozen=True)
class Attempts:
    """What was tried with one delivery so far (kept by the transport between tries)."""

    failures: int = 0
    """Projections that raised (gaps aside)."""
    gap_tries: int = 0
    gap_since: float | None = None
    """Health-clock reading at which the current gap wait began."""
    gap_applied: int | None = None
    """The stream's applied version when the current gap wait began."""


@dataclass(frozen=True)
class Around:
    """What the transport knows beyond the outcome itself."""

    now: float
    """The health clock (``HealthClock.now``)."""
    earlier_in_hand: bool = False
    """An earlier, unapplied version of the stream is in this replica's hands."""
    stream_held: bool = False
    """This replica held or parked an earlier event of the stream."""
    came_back_held: bool = False
    """This delivery itself comes back from the held queue."""
    window_full: bool = False
    """The replica's prefetch window stays full after this batch: nothing more can reach
    it, its predecessor included, until it settles something."""


@dataclass(frozen=True)
class SettlementPolicy:
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    gap_timeout: float = 30.0
    gap_max_delay: float = 1.0
    """The longest wait between two tries of an event beyond a gap."""
    held_grace: float = 1.0
    """How long an event back from the held queue waits for its predecessor before it is
    held again: its predecessor, if it was held too, may be coming back in another
    replica's batch right now. Short, because held events that wait for a poison come
    back again and again until an operator settles it."""
    gaps_are_failures: bool = False
    """For a transport that delivers each stream in order (the outbox tail): a gap there
    is an event that will never come, so it is retried and parked like any failure."""


def settle(
    outcome: ItemOutcome, attempts: Attempts, around: Around, policy: SettlementPolicy
) -> tuple[Decision, Attempts]:
    """The decision for one delivery, and the attempts to keep if it is tried again."""
    if outcome.kind in (Outcome.APPLIED, Outcome.DUPLICATE, Outcome.SKIPPED):
        return Decision(Action.ACK), attempts
    if outcome.kind is not Outcome.FAILED:  # malformed, unknown type: poison at once
        return Decision(Action.PARK, reason=outcome.reason), attempts
    if isinstance(outcome.error, EventNotYetApplicable) and not policy.gaps_are_failures:
        return _gap(outcome.error, outcome.reason, attempts, around, policy)
    failures = attempts.failures + 1
    delays = policy.retry.delays()
    if failures > len(delays):
        return Decision(Action.PARK, reason=outcome.reason), replace(attempts, failures=failures)
    return Decision(Action.RETRY, delays[failures - 1]), replace(attempts, failures=failures)


def _gap(
    gap: EventNotYetApplicable,
    reason: str,
    attempts: Attempts,
    around: Around,
    policy: SettlementPolicy,
) -> tuple[Decision, Attempts]:
    # The back-off starts over whenever the stream moved since the last try: a stream whose
    # events are spread over several replicas advances one hop per try, so the next hop is
    # likely near; only a stream that stands still is tried less and less often.
    progressed = attempts.gap_applied is not None and attempts.gap_applied != gap.applied
    tries = 1 if progressed else attempts.gap_tries + 1
    delay = replace(policy.retry.backoff, maximum=policy.gap_max_delay).delay(tries)
    if around.earlier_in_hand:  # its predecessor is on its way: nothing is missing
        return Decision(Action.RETRY, delay), Attempts(attempts.failures, tries, None, gap.applied)
    if around.stream_held:
        return Decision(Action.HOLD, reason=f"held behind an earlier event; {reason}"), attempts
    if around.window_full:
        why = "the prefetch window is full, so its predecessor cannot reach this replica"
        return Decision(Action.HOLD, reason=f"{why}; {reason}"), attempts
    moved = attempts.gap_applied != gap.applied
    since = around.now if attempts.gap_since is None or moved else attempts.gap_since
    timeout = policy.held_grace if around.came_back_held else policy.gap_timeout
    if around.now - since >= timeout:
        waited = f"missing for {timeout:g}s"
        return Decision(Action.HOLD, reason=f"gap: predecessor {waited}; {reason}"), attempts
    return Decision(Action.RETRY, delay), Attempts(attempts.failures, tries, since, gap.applied)
