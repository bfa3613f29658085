"""OpenTelemetry traces, installed only when the standard ``OTEL_*`` variables ask for them.

Each role's entry calls ``setup(role)`` once in its own process (an API worker in its
factory, so every worker of ``--workers N`` has its own provider and exporter thread).
Without the variables nothing is installed: ``enabled()`` is a module-level check, and the
hot paths (the relay's publish, the projector's write) test it once a batch and do nothing
else. ADR 072 says which variables count and why.

The provider is kept here, not only registered globally, so that a test can install an
in-memory one around a block (``using``) without touching the process-wide provider.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

TRACEPARENT = "traceparent"
"""The W3C header (and envelope attribute, and AMQP header) that carries a span's context."""
EXCLUDED_URLS = "/metrics,/health"
"""Scrapes and probes arrive every few seconds and say nothing about a request's path."""

_ENDPOINTS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
_propagator = TraceContextTextMapPropagator()
_provider: TracerProvider | None = None
_tracer: trace.Tracer | None = None


def exporter_names(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The exporters the environment asks for (``otlp``, ``console``); empty means off.

    ``OTEL_SDK_DISABLED=true`` or ``OTEL_TRACES_EXPORTER=none`` turn traces off; an
    ``OTEL_TRACES_EXPORTER`` list is taken as given; without it, an OTLP endpoint means
    ``otlp``. Nothing set means off, unlike the SDK's own default, so that a role never
    tries to reach a collector nobody configured."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    given = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if given:
        names = [name.strip() for name in given.split(",") if name.strip()]
        return [] if "none" in names else names
    return ["otlp"] if any(environ.get(name) for name in _ENDPOINTS) else []


def enabled() -> bool:
    """Whether this process records spans (``setup`` found them asked for)."""
    return _tracer is not None


def tracer() -> trace.Tracer:
    """The tracer of this process; only call it when ``enabled()``."""
    assert _tracer is not None, "tracing is off: check enabled() first"
    return _tracer


def setup(role: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Install the SDK provider for ``role`` (the service name unless ``OTEL_SERVICE_NAME``
    says otherwise) with the exporters asked for; False, and nothing installed, when off."""
    if _provider is not None:
        return True
    names = exporter_names(environ)
    if not names:
        return False
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    attributes: dict[str, str] = {"conference.role": role}
    if not environ.get("OTEL_SERVICE_NAME"):
        attributes[SERVICE_NAME] = role
    provider = TracerProvider(resource=Resource.create(attributes))
    for exporter in _exporters(names):
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _install(provider)
    log.info("traces on: %s exporter(s) for %s", ", ".join(names), role)
    return True


def _exporters(names: Sequence[str]) -> list[SpanExporter]:
    exporters: list[SpanExporter] = []
    for name in names:
        if name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporters.append(OTLPSpanExporter())  # endpoint, headers: the OTEL_* variables
        elif name == "console":
            from opentelemetry.sdk.trace.export import ConsoleSpanExporter

            exporters.append(ConsoleSpanExporter())
        else:
            log.warning("OTEL_TRACES_EXPORTER=%s is not supported here (otlp, console)", name)
    return exporters


def _install(provider: TracerProvider | None) -> None:
    global _provider, _tracer
    _provider = provider
    _tracer = None if provider is None else provider.get_tracer("conference")


@contextmanager
def using(provider: TracerProvider) -> Iterator[None]:
    """Record with ``provider`` inside the block (tests, with an in-memory exporter)."""
    previous = _provider
    _install(provider)
    try:
        yield
    finally:
        _install(previous)


def instrument_app(app: FastAPI) -> None:
    """A server span per request (W3C ``traceparent`` continued), when tracing is on."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=_provider,
        excluded_urls=EXCLUDED_URLS,
        exclude_spans=["receive", "send"],  # one span per ASGI message is noise
    )


def instrument_engine(engine: Engine) -> None:
    """A client span per SQL statement on ``engine``, when tracing is on.

    ``SQLAlchemyInstrumentor().instrument(engine=…)`` would also patch ``create_engine``
    and ``create_async_engine`` process-wide (importing the asyncio extension, which needs
    greenlet) and refuses SQLAlchemy 2.1 by its declared range; its ``EngineTracer``, the
    listener on this one engine, is all we need, and it works on 2.1 (the distributed
    trace test checks the spans)."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.sqlalchemy import __name__ as scope
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import NoOpMeter

    connections = NoOpMeter(scope).create_up_down_counter("db.client.connections.usage")
    statements = _InTraceOnly(_provider.get_tracer(scope))
    EngineTracer(statements, engine, connections)  # type: ignore[no-untyped-call]


class _InTraceOnly(trace.Tracer):
    """Starts a span only inside a trace: outside one (a readiness probe's ``SELECT 1``,
    excluded from server spans) each statement would be a trace of its own."""

    def __init__(self, inner: trace.Tracer) -> None:
        self._inner = inner

    def start_span(
        self, name: str, context: Context | None = None, *args: Any, **kwargs: Any
    ) -> trace.Span:
        if not trace.get_current_span(context).get_span_context().is_valid:
            return trace.INVALID_SPAN
        return self._inner.start_span(name, context, *args, **kwargs)

    def start_as_current_span(
        self, name: str, context: Context | None = None, *args: Any, **kwargs: Any
    ) -> Any:
        if not trace.get_current_span(context).get_span_context().is_valid:
            return trace.use_span(trace.INVALID_SPAN)
        return self._inner.start_as_current_span(name, context, *args, **kwargs)


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the active span, or ``None`` when there is none."""
    return traceparent_of(trace.get_current_span())


def traceparent_of(span: trace.Span) -> str | None:
    context = span.get_span_context()
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"


def context_from(traceparent: object) -> Context | None:
    """The parent context a ``traceparent`` names; ``None`` for none or a malformed one
    (the span then starts a trace of its own)."""
    if isinstance(traceparent, bytes):  # an AMQP header pika could not decode as text
        traceparent = traceparent.decode("ascii", errors="replace")
    if not isinstance(traceparent, str):
        return None
    context = _propagator.extract({TRACEPARENT: traceparent})
    return context if trace.get_current_span(context).get_span_context().is_valid else None
