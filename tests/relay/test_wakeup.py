"""A running relay notices new rows by itself: NOTIFY on PostgreSQL, a short poll on SQLite.

Speed is measured by benchmarks, not asserted here: these tests prove the mechanism (with
the listener's safety-net timeout made longer than the test's own bound, only a real
notification can wake it) and bound every wait only to guard against hangs.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from command_service.adapters.engine import create_engine_for
from command_service.relay import wakeup
from tests.relay.conftest import Tap, record_conferences
from tests.relay.relay_thread import running_relay

pytestmark = pytest.mark.timeout(60)


def test_an_idle_relay_publishes_new_rows_by_itself(
    database_url: str, engine: sa.Engine, broker_url: str, tap: Tap
) -> None:
    tap.bind("#")
    with running_relay(database_url, broker_url, tap.exchange):
        for expected in range(1, 5):
            record_conferences(engine, 1)
            assert len(tap.read(expected, timeout=10)) == expected


def test_a_commit_to_the_outbox_notifies_the_postgresql_listener(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NOTIFY is PostgreSQL's; SQLite is polled (covered above)."""
    database_url = postgres_url
    engine = create_engine_for(database_url)
    monkeypatch.setattr(wakeup, "LISTEN_TIMEOUT_SECONDS", 120.0)
    listener = wakeup.PostgresNotifications(database_url, threading.Event())
    listener.listen()
    woken = threading.Event()

    def wait_then_wake() -> None:
        listener.wait()
        woken.set()

    waiter = threading.Thread(target=wait_then_wake)
    try:
        waiter.start()
        assert not woken.wait(0.3), "woke up without a notification"
        record_conferences(engine, 1)
        assert woken.wait(30), "the outbox commit did not notify the listener"
    finally:
        waiter.join(timeout=130)
        listener.close()
        engine.dispose()
