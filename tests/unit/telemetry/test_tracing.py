"""The switch: traces are off unless the standard ``OTEL_*`` variables ask for them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from command_service.adapters.engine import create_engine_for
from service_conventions.telemetry import tracing
from tests.spans import parent_of, recorded_spans

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, []),
        ({"OTEL_SERVICE_NAME": "x"}, []),
        ({"OTEL_TRACES_EXPORTER": "console"}, ["console"]),
        ({"OTEL_TRACES_EXPORTER": "otlp, console"}, ["otlp", "console"]),
        ({"OTEL_TRACES_EXPORTER": "OTLP"}, ["otlp"]),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, ["otlp"]),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, ["otlp"]),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c"}, []),
        ({"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"}, []),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_SDK_DISABLED": "TRUE"}, []),
        ({"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "false"}, ["console"]),
    ],
)
def test_the_environment_decides_the_exporters(
    environ: dict[str, str], expected: list[str]
) -> None:
    assert tracing.exporter_names(environ) == expected


def test_off_installs_nothing() -> None:
    assert tracing.setup("relay", {}) is False
    assert tracing.setup("relay", {"OTEL_TRACES_EXPORTER": "none"}) is False
    assert not tracing.enabled()
    assert tracing.current_traceparent() is None


def run_setup(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``setup`` in a fresh process (it installs the process-wide provider), then a span."""
    script = (
        "from service_conventions.telemetry import tracing\n"
        "on = tracing.setup('relay')\n"
        "print('enabled', on, tracing.enabled(), flush=True)\n"
        "if on:\n"
        "    with tracing.tracer().start_as_current_span('hello'):\n"
        "        print('current', tracing.current_traceparent(), flush=True)\n"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    return subprocess.run(
        [sys.executable, "-c", script],
        env={**environ, **extra},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_console_exports_each_span_with_the_role_as_service_name() -> None:
    done = run_setup({"OTEL_TRACES_EXPORTER": "console"})
    lines = done.stdout.splitlines()
    assert lines[0] == "enabled True True"
    current = lines[1].split()[1]
    exported = json.loads(done.stdout[done.stdout.index("{") :])
    assert exported["name"] == "hello"
    assert exported["resource"]["attributes"]["service.name"] == "relay"
    assert exported["resource"]["attributes"]["conference.role"] == "relay"
    context = exported["context"]
    assert current.startswith(f"00-{context['trace_id'][2:]}-{context['span_id'][2:]}-")


def test_the_service_name_variable_wins_over_the_role() -> None:
    done = run_setup({"OTEL_TRACES_EXPORTER": "console", "OTEL_SERVICE_NAME": "relay-eu"})
    exported = json.loads(done.stdout[done.stdout.index("{") :])
    assert exported["resource"]["attributes"]["service.name"] == "relay-eu"


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"OTEL_TRACES_EXPORTER": "none"},
        {"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"},
    ],
)
def test_off_in_a_role_process_exports_nothing(environ: dict[str, str]) -> None:
    done = run_setup(environ)
    assert done.stdout == "enabled False False\n"


def test_a_traceparent_names_its_parent_and_a_malformed_one_none() -> None:
    for given in (TRACEPARENT, TRACEPARENT.encode()):
        context = tracing.context_from(given)
        assert context is not None
        parent = trace.get_current_span(context).get_span_context()
        assert (parent.trace_id, parent.span_id) == (
            0x4BF92F3577B34DA6A3CE929D0E0E4736,
            0x00F067AA0BA902B7,
        )
    for bad in (None, "", "garbage", 7, "00-" + "0" * 32 + "-00f067aa0ba902b7-01"):
        assert tracing.context_from(bad) is None


def test_sql_statements_are_spans_inside_a_trace_only() -> None:
    engine = create_engine_for("sqlite://")
    with recorded_spans() as spans:
        tracing.instrument_engine(engine)
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")  # a probe: no trace, no span
            with tracing.tracer().start_as_current_span("request") as request:
                connection.exec_driver_sql("SELECT 2")
    engine.dispose()
    statement, outer = spans.get_finished_spans()
    assert statement.kind is SpanKind.CLIENT
    assert statement.attributes is not None
    assert "SELECT 2" in str(statement.attributes.get("db.statement"))
    context = request.get_span_context()
    assert parent_of(statement) == (f"{context.trace_id:032x}", f"{context.span_id:016x}")
    assert outer.name == "request"
