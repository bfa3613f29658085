"""A running relay publishes new rows promptly: NOTIFY on PostgreSQL, a short poll on SQLite."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from tests.relay.conftest import Tap, record_conferences
from tests.relay.relay_thread import running_relay

pytestmark = pytest.mark.timeout(60)

PROMPT_SECONDS = 0.25
"""Well under the 0.5 s safety-net timeout of the PostgreSQL listener: proof of NOTIFY."""


def test_an_idle_relay_publishes_a_new_row_promptly(
    database_url: str, engine: sa.Engine, broker_url: str, tap: Tap
) -> None:
    tap.bind("#")
    with running_relay(database_url, broker_url, tap.exchange):
        record_conferences(engine, 1)
        assert len(tap.read(1)) == 1  # connected and caught up
        for expected in range(2, 6):
            time.sleep(0.6)  # idle long enough to be waiting for a notification
            started = time.monotonic()
            record_conferences(engine, 1)
            assert len(tap.read(expected, timeout=5)) == expected
            assert time.monotonic() - started < PROMPT_SECONDS
