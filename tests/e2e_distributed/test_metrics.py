"""Every role of the distributed shape can be scraped; with the projectors stopped during a
burst the backlog and the lag rise, and once they are back the lag returns to 0."""

from __future__ import annotations

from functools import partial

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import wait_until
from tests.e2e.test_story import _conference, _submit
from tests.e2e_distributed.conftest import DistributedStack

BURST = 120
PROJECTORS = ("projector-1", "projector-2")


def scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = httpx.get(f"{url}/metrics", timeout=5).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(url: str, name: str, **labels: str) -> float:
    return scrape(url).get((name, frozenset(labels.items())), 0.0)


def metrics_url(stack: DistributedStack, role: str) -> str:
    url = stack.roles[role].metrics_url
    assert url is not None
    return url


def answers_ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_lag_rises_while_projectors_are_down_and_returns_to_zero(
    distributed: DistributedStack,
) -> None:
    stack = distributed
    workers = ("relay", *PROJECTORS)
    for role in workers:
        wait_until(partial(answers_ready, metrics_url(stack, role)), timeout=60, what=role)
    for api in (stack.command, *stack.queries):
        assert "conference_http_request_duration_seconds" in api.get("/metrics").text
    conference_id = _conference(stack)  # type: ignore[arg-type]
    relay = metrics_url(stack, "relay")
    published_before = value(relay, "conference_relay_published_total")

    for name in PROJECTORS:
        stack.roles[name].stop()
    talk_ids = [
        _submit(stack, conference_id, f"Backlog talk {i}", f"Speaker {i}", [])  # type: ignore[arg-type]
        for i in range(BURST)
    ]
    assert (
        value(
            str(stack.command.base_url),
            "conference_commands_total",
            command="SubmitTalk",
            outcome="applied",
            rule="",
        )
        == BURST
    )
    wait_until(
        lambda: value(relay, "conference_relay_published_total") >= published_before + BURST,
        timeout=30,
        what="the relay to publish the burst into the queue",
    )

    first = PROJECTORS[0]
    stack.roles[first].start()
    url = metrics_url(stack, first)
    wait_until(lambda: _port_open(url), timeout=60, what=f"{first}'s port")
    seen = value(url, "conference_projector_lag_events")  # what it found on starting
    assert seen >= BURST, f"the restarted projector reported a lag of {seen}"
    stack.roles[PROJECTORS[1]].start()

    for name in PROJECTORS:
        port = metrics_url(stack, name)
        wait_until(partial(_caught_up, port), timeout=90, what=f"{name} to catch up")
        assert value(port, "conference_projector_lag_seconds") == 0
        assert value(port, "conference_dead_letters") == 0
    applied = sum(
        value(metrics_url(stack, n), "conference_projector_events_total", outcome="applied")
        for n in PROJECTORS
    )
    assert applied >= BURST
    wait_until(
        lambda: stack.query.get(f"/talks/{talk_ids[-1]}").status_code == 200,
        timeout=30,
        what="the last talk to be searchable",
    )
    wait_until(
        lambda: value(relay, "conference_outbox_unpublished") == 0,
        timeout=10,
        what="the outbox to be drained",
    )
    assert value(relay, "conference_outbox_oldest_unpublished_age_seconds") == 0


def _caught_up(url: str) -> bool:
    return _port_open(url) and value(url, "conference_projector_lag_events") == 0


def _port_open(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health/live", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
