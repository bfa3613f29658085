"""The relay's metrics port on a real database and broker: the outbox backlog gauges, the
confirm counters and timings, and readiness (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from command_service.relay import run_relay
from command_service.relay.backlog import outbox_backlog
from command_service.settings import load_settings
from tests.e2e.conftest import free_port, wait_until
from tests.relay.conftest import Tap, event_ids, record_conferences

pytestmark = pytest.mark.timeout(90)


def scrape(url: str) -> dict[str, float]:
    """Every unlabelled sample of a scrape, by name."""
    text = httpx.get(f"{url}/metrics", timeout=5).text
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if not sample.labels
    }


@contextmanager
def relay_with_metrics(database_url: str, broker_url: str, exchange: str) -> Iterator[str]:
    port = free_port()
    settings = load_settings(database_url=database_url, broker_url=broker_url)
    stop = threading.Event()
    thread = threading.Thread(
        target=run_relay,
        args=(settings, stop),
        kwargs={"exchange": exchange, "metrics_port": port},
        daemon=True,
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join(timeout=10)
        assert not thread.is_alive()


def test_the_backlog_is_one_aggregate_over_the_unpublished_rows(engine: sa.Engine) -> None:
    assert outbox_backlog(engine) == (0, 0.0)
    record_conferences(engine, 5)
    time.sleep(0.05)
    count, age = outbox_backlog(engine)
    assert count == 5
    assert 0.05 <= age < 30


def test_the_relay_port_shows_backlog_confirms_and_readiness(
    engine: sa.Engine, database_url: str, broker_url: str, exchange: str, tap: Tap
) -> None:
    tap.bind("#")
    record_conferences(engine, 30)
    with relay_with_metrics(database_url, broker_url, exchange) as url:
        wait_until(lambda: not event_ids(engine, unpublished_only=True), timeout=30)
        wait_until(
            lambda: httpx.get(f"{url}/health/ready", timeout=5).status_code == 200, timeout=10
        )
        time.sleep(2.1)  # past the throttle: the next scrape measures again
        after = scrape(url)
        assert after["conference_outbox_unpublished"] == 0
        assert after["conference_outbox_oldest_unpublished_age_seconds"] == 0
        assert after["conference_relay_published_total"] >= 30
        assert after["conference_relay_confirm_duration_seconds_count"] >= 1
        assert httpx.get(f"{url}/health/live", timeout=5).json() == {"status": "ok"}


def test_unroutable_events_count_as_returned_and_stay_in_the_backlog(
    engine: sa.Engine, database_url: str, broker_url: str, exchange: str
) -> None:
    record_conferences(engine, 3)  # no queue is bound to the exchange: all come back
    with relay_with_metrics(database_url, broker_url, exchange) as url:
        wait_until(lambda: scrape(url)["conference_relay_returned_total"] >= 3, timeout=20)
        gauges = scrape(url)
        assert gauges["conference_outbox_unpublished"] == 3
        assert gauges["conference_outbox_oldest_unpublished_age_seconds"] > 0
