"""The health clock stops during outages, and the outage log says one line each way."""

from __future__ import annotations

import logging

import pytest

from query_service.outages import OutageLog
from query_service.projector.health_clock import HealthClock


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_health_clock_does_not_count_time_while_stopped() -> None:
    time = FakeTime()
    clock = HealthClock(time)
    start = clock.now()
    time.now += 5
    clock.stop()
    time.now += 60  # an outage
    assert clock.now() - start == 5
    clock.stop()  # a second failure during the same outage changes nothing
    time.now += 10
    clock.go_on()
    time.now += 2
    assert clock.now() - start == 7
    assert clock.running


def test_an_outage_is_one_line_down_and_one_line_back(caplog: pytest.LogCaptureFixture) -> None:
    time = FakeTime()
    outage = OutageLog("read store", logging.getLogger("test.outage"), time)
    outage.up()  # nothing was down: nothing to say
    with caplog.at_level(logging.INFO, logger="test.outage"):
        for _ in range(1000):
            outage.down("ConnectionError: refused")
            time.now += 0.03
        outage.up()
        outage.up()
    assert [r.getMessage() for r in caplog.records] == [
        "read store unavailable: ConnectionError: refused",
        "read store is back after 30.0s (1000 failed call(s) meanwhile)",
    ]
    assert all(r.exc_info is None for r in caplog.records)
