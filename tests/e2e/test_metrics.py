"""``conference up`` serves its metrics: ``/metrics`` on both APIs, the projector's port
with its health answers, and the signals of a command followed to the read model."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import Stack, wait_until
from tests.e2e.test_story import _conference, _submit


def samples(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = httpx.get(f"{url}/metrics", timeout=5).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(
    scraped: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return scraped.get((name, frozenset(labels.items())), 0.0)


def test_every_role_of_up_can_be_scraped(stack: Stack) -> None:
    projector = stack.projector_metrics_url
    assert httpx.get(f"{projector}/health/live").json() == {"status": "ok"}
    wait_until(lambda: httpx.get(f"{projector}/health/ready").status_code == 200, timeout=30)

    conference_id = _conference(stack)
    talk_id = _submit(stack, conference_id, "Observed talk", "Ann", ["ops"])
    wait_until(lambda: stack.query.get(f"/talks/{talk_id}").status_code == 200, timeout=30)
    assert (
        stack.send("POST", f"/talks/{talk_id}/withdraw", **{"If-Match": '"9"'}).status_code == 412
    )

    commands = samples(str(stack.command.base_url))
    assert (
        value(
            commands, "conference_commands_total", command="SubmitTalk", outcome="applied", rule=""
        )
        == 1
    )
    assert (
        value(
            commands,
            "conference_commands_total",
            command="WithdrawTalk",
            outcome="precondition_failed",
            rule="",
        )
        == 1
    )
    assert (
        value(
            commands,
            "conference_http_request_duration_seconds_count",
            role="command-api",
            method="POST",
            route="/talks",
            status="201",
        )
        == 1
    )

    queries = samples(str(stack.query.base_url))
    assert value(queries, "conference_search_duration_seconds_count", endpoint="get_talk") >= 1
    assert (
        value(
            queries,
            "conference_http_request_duration_seconds_count",
            role="query-api",
            method="GET",
            route="/talks/{talk_id}",
            status="200",
        )
        >= 1
    )

    def caught_up() -> bool:
        scraped = samples(projector)
        return value(scraped, "conference_projector_events_total", outcome="applied") >= 2 and (
            value(scraped, "conference_projector_lag_events") == 0
        )

    wait_until(caught_up, timeout=30, what="the projector to report it is caught up")
    scraped = samples(projector)
    assert value(scraped, "conference_projector_lag_seconds") == 0
    assert value(scraped, "conference_dead_letters") == 0
    assert (
        value(scraped, "conference_read_store_write_duration_seconds_count", engine="sqlite") >= 1
    )
    assert value(scraped, "conference_projector_batch_size_count") >= 1
