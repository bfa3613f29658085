"""Several relays at once on PostgreSQL: ``SKIP LOCKED`` claims give each row to one relay."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from command_service.adapters.engine import create_engine_for
from command_service.relay import ConfirmingPublisher, claimed_batch, relay_rounds
from command_service.relay.messages import OutboxMessage
from command_service.relay.outbox_claims import Claim
from command_service.relay.publisher import BatchResult, InFlight
from tests.relay.conftest import Tap, event_ids, record_conferences

pytestmark = pytest.mark.timeout(90)

RELAYS = 3
EVENTS = 1500
BATCH = 50


def test_concurrent_relays_publish_every_row_exactly_once(
    postgres_url: str, broker_url: str, tap: Tap
) -> None:
    tap.bind("#")
    engine = create_engine_for(postgres_url)
    try:
        expected = record_conferences(engine, EVENTS)
        barrier = threading.Barrier(RELAYS)

        def relay(_: int) -> int:
            published = 0
            with ConfirmingPublisher.connect(broker_url, tap.exchange) as publisher:
                barrier.wait(timeout=10)
                while True:
                    outcomes = list(relay_rounds(engine, publisher, BATCH))
                    assert all((o.failed, o.lost) == (0, 0) for o in outcomes), outcomes
                    published += sum(o.published for o in outcomes)
                    if not any(o.claimed for o in outcomes):
                        return published

        with ThreadPoolExecutor(RELAYS) as pool:
            shares = list(pool.map(relay, range(RELAYS)))

        assert sum(shares) == EVENTS
        assert all(share > 0 for share in shares), shares  # they really ran side by side
        assert event_ids(engine, unpublished_only=True) == []
        tap.read(EVENTS, timeout=20)
        tap.settle()
        received = Counter(m.properties.message_id for m in tap.received)
        assert set(received) == set(expected)
        assert [event for event, times in received.items() if times > 1] == []
    finally:
        engine.dispose()


def test_a_claimed_row_is_skipped_by_other_relays_until_released(postgres_url: str) -> None:
    engine: sa.Engine = create_engine_for(postgres_url)
    try:
        record_conferences(engine, 10)
        with claimed_batch(engine, 4) as first, claimed_batch(engine, 100) as second:
            taken = {m.position for m in first.messages}
            skipped_to = {m.position for m in second.messages}
            assert (len(taken), len(skipped_to)) == (4, 6)
            assert not taken & skipped_to
        with claimed_batch(engine, 100) as again:  # nothing was marked: all ten come back
            assert len(again.messages) == 10
    finally:
        engine.dispose()


class RecordingPublisher:
    """The real publisher, with a log of when each batch started and was confirmed."""

    def __init__(self, inner: ConfirmingPublisher, log: list[tuple[str, int]]) -> None:
        self._inner = inner
        self._log = log

    def start(self, messages: Sequence[OutboxMessage]) -> _RecordedFlight:
        self._log.append(("publish", messages[0].position if messages else 0))
        return _RecordedFlight(self._inner.start(messages), messages, self._log)


class _RecordedFlight:
    def __init__(
        self, inner: InFlight, messages: Sequence[OutboxMessage], log: list[tuple[str, int]]
    ) -> None:
        self._inner, self._messages, self._log = inner, messages, log

    def wait(self) -> BatchResult:
        result = self._inner.wait()
        self._log.append(("confirmed", self._messages[0].position if self._messages else 0))
        return result


def test_rounds_overlap_and_the_exchange_still_sees_the_outbox_order(
    postgres_url: str, broker_url: str, tap: Tap, monkeypatch: pytest.MonkeyPatch
) -> None:
    tap.bind("#")
    engine = create_engine_for(postgres_url)
    log: list[tuple[str, int]] = []
    real_claim = claimed_batch

    @contextmanager
    def recorded_claim(engine: sa.Engine, limit: int) -> Iterator[Claim]:
        with real_claim(engine, limit) as claim:
            log.append(("claim", claim.messages[0].position if claim.messages else 0))
            yield claim

    monkeypatch.setattr("command_service.relay.runner.claimed_batch", recorded_claim)
    try:
        record_conferences(engine, 120)
        with ConfirmingPublisher.connect(broker_url, tap.exchange) as publisher:
            recording = RecordingPublisher(publisher, log)
            outcomes = list(relay_rounds(engine, recording, 40))  # type: ignore[arg-type]
        assert [o.published for o in outcomes] == [40, 40, 40, 0]
        second_claim = log.index([entry for entry in log if entry[0] == "claim"][1])
        first_confirm = next(i for i, entry in enumerate(log) if entry[0] == "confirmed")
        assert second_claim < first_confirm, f"the next batch is claimed while one flies: {log}"
        received = tap.read(120, timeout=20)
        assert [m.properties.message_id for m in received] == event_ids(engine)
    finally:
        engine.dispose()


def test_a_caller_that_stops_between_rounds_settles_the_batch_in_flight(
    postgres_url: str, broker_url: str, tap: Tap
) -> None:
    tap.bind("#")
    engine = create_engine_for(postgres_url)
    try:
        record_conferences(engine, 120)
        with ConfirmingPublisher.connect(broker_url, tap.exchange) as publisher:
            rounds = relay_rounds(engine, publisher, 40)
            assert next(rounds).published == 40  # the second batch is being published now
            rounds.close()
        # The second batch was confirmed and marked, not left to be sent twice.
        assert len(event_ids(engine, unpublished_only=True)) == 40
        tap.read(80, timeout=20)
        assert len(tap.settle()) == 80, "the third batch was never published"
    finally:
        engine.dispose()
