"""With tracing on, a command's envelope carries its server span, which continues the
caller's trace; probes and scrapes make no spans. (Off: ``test_http_edge.py`` pins that an
incoming ``traceparent`` passes through unchanged.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from command_service.adapters.engine import create_engine_for
from command_service.api.app import create_app
from command_service.settings import Settings
from service_conventions.telemetry import tracing
from tests.command_api.conftest import Api, TestClient, conference_body
from tests.spans import ids_of, parent_of, recorded_spans
from tests.tokens import RoleTokens

CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.fixture
def traced(settings: Settings) -> Iterator[tuple[Api, InMemorySpanExporter]]:
    engine = create_engine_for(settings.database_url)
    with recorded_spans() as spans:
        app = create_app(settings)
        tracing.instrument_app(app)
        with TestClient(app, raise_server_exceptions=True) as client:
            client.auth = RoleTokens(settings)
            yield Api(client, engine, client.auth), spans
    engine.dispose()


def server_spans(spans: InMemorySpanExporter) -> list[tuple[str, tuple[str, str]]]:
    return [
        (span.name, ids_of(span))
        for span in spans.get_finished_spans()
        if span.kind is SpanKind.SERVER
    ]


def test_the_envelope_carries_the_server_span_that_continues_the_callers_trace(
    traced: tuple[Api, InMemorySpanExporter],
) -> None:
    api, spans = traced
    api.ok("POST", "/conferences", conference_body(), traceparent=CALLER)
    [envelope] = api.outbox()
    [(name, (trace_id, span_id))] = server_spans(spans)
    assert name == "POST /conferences"
    assert envelope["traceparent"].startswith(f"00-{trace_id}-{span_id}-")
    assert trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"  # the caller's trace, continued
    [server] = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert parent_of(server) == (trace_id, "00f067aa0ba902b7")


def test_without_a_caller_trace_the_command_starts_one(
    traced: tuple[Api, InMemorySpanExporter],
) -> None:
    api, spans = traced
    api.ok("POST", "/conferences", conference_body(), traceparent="garbage")
    [envelope] = api.outbox()
    [(_, (trace_id, span_id))] = server_spans(spans)
    assert envelope["traceparent"].startswith(f"00-{trace_id}-{span_id}-")
    assert trace_id != "4bf92f3577b34da6a3ce929d0e0e4736"


def test_probes_and_scrapes_make_no_spans(traced: tuple[Api, InMemorySpanExporter]) -> None:
    api, spans = traced
    for path in ("/health/live", "/health/ready", "/metrics"):
        assert api.client.get(path).status_code == 200
    assert spans.get_finished_spans() == ()
