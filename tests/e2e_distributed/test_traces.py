"""One command, followed across processes by its trace: every role of the distributed
shape runs with the standard ``OTEL_*`` variables pointing at an OTLP/HTTP receiver of this
test, and the command's server span, the relay's publish span and the projector's apply
span arrive there in one trace, each the parent of the next; the query API's server span
has its read-store client span under it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import wait_until
from tests.e2e_distributed.conftest import DistributedStack
from tests.otlp_receiver import (
    CALLER,
    CLIENT,
    CONSUMER,
    PRODUCER,
    SERVER,
    Receiver,
    otlp,
)

__all__ = ["otlp"]  # the fixture, used by name


@pytest.fixture
def distributed(otlp: Receiver, distributed: DistributedStack) -> DistributedStack:
    """The shared stack, started after ``otlp`` has set the variables its roles inherit."""
    return distributed


def test_a_command_its_publish_and_its_projection_are_one_trace(
    distributed: DistributedStack, otlp: Receiver
) -> None:
    stack = distributed
    response = stack.send("POST", "/conferences", _conference_body(), traceparent=CALLER)
    assert response.status_code == 201, response.text
    conference_id = response.json()["id"]

    wait_until(
        lambda: all(
            otlp.of(service, kind)
            for service, kind in (
                ("command-api", SERVER),
                ("relay", PRODUCER),
                ("projector", CONSUMER),
            )
        ),
        timeout=30,
        what="the command's, the publish and the apply span",
    )
    [server] = otlp.of("command-api", SERVER)
    assert server.name == "POST /conferences"
    assert server.parent_id == "00f067aa0ba902b7"  # the caller's span, continued
    sql = [s for s in otlp.of("command-api", CLIENT) if s.parent_id == server.span_id]
    assert sql, "the command's SQL statements are client spans under its server span"
    [publish] = otlp.of("relay", PRODUCER)
    assert publish.parent_id == server.span_id
    assert publish.attributes["messaging.destination.name"] == "conference.events"
    [apply] = otlp.of("projector", CONSUMER)
    assert apply.parent_id == publish.span_id
    assert apply.name == "apply conference.conference.created.v1"
    assert apply.attributes["conference.projector.outcome"] == "applied"
    assert apply.attributes["messaging.message.id"] == publish.attributes["messaging.message.id"]

    wait_until(
        lambda: stack.query.get(f"/conferences/{conference_id}").status_code == 200,
        timeout=30,
        what="the conference to be searchable",
    )

    def read_store_span_under_a_server_span() -> bool:
        with otlp.lock:
            query_traces = {s.trace_id for s in otlp.spans if s.service == "query-api"}
        for trace_id in query_traces:
            servers = {s.span_id for s in otlp.of("query-api", SERVER, trace_id)}
            if any(c.parent_id in servers for c in otlp.of("query-api", CLIENT, trace_id)):
                return True
        return False

    wait_until(read_store_span_under_a_server_span, timeout=10, what="the query API's spans")
    assert not [s for s in otlp.spans if "/health" in s.name or "/metrics" in s.name]


def _conference_body() -> dict[str, Any]:
    return {
        "name": "Traced Conf",
        "starts_on": "2026-06-01",
        "ends_on": "2026-06-03",
        "timezone": "Europe/Berlin",
        "stages": ["Main"],
    }
