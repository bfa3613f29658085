"""One command, followed across processes by its trace: every role of the distributed
shape runs with the standard ``OTEL_*`` variables pointing at an OTLP/HTTP receiver of this
test, and the command's server span, the relay's publish span and the projector's apply
span arrive there in one trace, each the parent of the next; the query API's server span
has its read-store client span under it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from tests.e2e.conftest import free_port, wait_until
from tests.e2e_distributed.conftest import DistributedStack

CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


@dataclass(frozen=True)
class Received:
    service: str
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, Any]


@dataclass
class Receiver:
    """An OTLP/HTTP trace receiver: what the roles' exporters send, decoded."""

    spans: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, request: ExportTraceServiceRequest) -> None:
        with self.lock:
            for resource_spans in request.resource_spans:
                service = next(
                    a.value.string_value
                    for a in resource_spans.resource.attributes
                    if a.key == "service.name"
                )
                for scope in resource_spans.scope_spans:
                    self.spans += [_received(service, span) for span in scope.spans]

    def of(self, service: str, kind: int, trace_id: str = TRACE_ID) -> list[Received]:
        with self.lock:
            return [
                s
                for s in self.spans
                if (s.service, s.kind, s.trace_id) == (service, kind, trace_id)
            ]


def _received(service: str, span: Span) -> Received:
    return Received(
        service=service,
        name=span.name,
        kind=span.kind,
        trace_id=span.trace_id.hex(),
        span_id=span.span_id.hex(),
        parent_id=span.parent_span_id.hex(),
        attributes={a.key: a.value.string_value or a.value.int_value for a in span.attributes},
    )


@pytest.fixture
def otlp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path == "/v1/traces":
                receiver.take(ExportTraceServiceRequest.FromString(body))
            answer = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "200")  # export within a fraction of a second
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def distributed(otlp: Receiver, distributed: DistributedStack) -> DistributedStack:
    """The shared stack, started after ``otlp`` has set the variables its roles inherit."""
    return distributed


SERVER, CLIENT, PRODUCER, CONSUMER = (
    Span.SPAN_KIND_SERVER,
    Span.SPAN_KIND_CLIENT,
    Span.SPAN_KIND_PRODUCER,
    Span.SPAN_KIND_CONSUMER,
)


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
