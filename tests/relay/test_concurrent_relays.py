"""Several relays at once on PostgreSQL: ``SKIP LOCKED`` claims give each row to one relay."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from command_service.adapters.engine import create_engine_for
from command_service.relay import ConfirmingPublisher, claimed_batch, relay_batch
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
                while (outcome := relay_batch(engine, publisher, BATCH)).claimed:
                    assert (outcome.failed, outcome.lost) == (0, 0), outcome
                    published += outcome.published
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
