"""How every role logs: a line a person reads by default, one JSON object per line with
``LOG_FORMAT=json`` (for a log pipeline), at ``LOG_LEVEL`` (default INFO).

One dictConfig for the process, also handed to uvicorn, so that its workers (separate
processes under ``--workers N``) and its own loggers write the same format: under
``LOG_FORMAT=json`` every line on stderr is JSON.

A JSON line has ``time`` (ISO 8601, UTC), ``level``, ``role``, ``logger`` and ``message``;
``correlation_id`` while a request of the command API is handled (``log_context``);
``trace_id`` and ``span_id`` while an OpenTelemetry span is recording; ``event_id`` and
``aggregate_id`` (the stream, ``talk/<id>``) on the lines about one event; and ``exc_info``
with a traceback. Nothing is computed for a record below the level.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

QUIET_LOGGERS = {
    "alembic": "WARNING",
    "httpx": "WARNING",
    "opensearch": "ERROR",
    "elasticsearch": "ERROR",
    "elastic_transport": "ERROR",
    "urllib3": "ERROR",
    "pika": "CRITICAL",
    "uvicorn": "WARNING",
    "uvicorn.error": "WARNING",
    "uvicorn.access": "WARNING",
}
"""Libraries that log every request or frame at INFO (a projector would write four lines a
batch, and spend CPU on them) keep only their warnings. The clients of the search engines
and of the broker also log every failed call of an outage, with a traceback: our roles say
once that a dependency went away and once that it is back (``query_service/outages.py``),
so those clients keep only what is worse. Uvicorn's access log is the request metrics'
job (``conference_http_request_duration_seconds``)."""

_NOTHING: Mapping[str, str] = MappingProxyType({})
_context: ContextVar[Mapping[str, str]] = ContextVar("log_context", default=_NOTHING)


class LoggingSettingError(ValueError):
    """``LOG_FORMAT`` or ``LOG_LEVEL`` names no format or level; the message says which do."""


@contextmanager
def log_context(**fields: str) -> Iterator[None]:
    """Fields every line logged inside the block carries (a request's correlation id)."""
    token = _context.set({**_context.get(), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def about_event(event_id: str | None, stream: str | None) -> dict[str, str]:
    """``extra=`` of a line about one event: its id and its aggregate's stream, when known
    (a malformed message has neither)."""
    fields = {"event_id": event_id, "aggregate_id": stream}
    return {name: value for name, value in fields.items() if value}


class JsonLineFormatter(JsonFormatter):
    """One JSON object per record, its fields in a fixed order (see the module)."""

    def __init__(self, role: str) -> None:
        super().__init__()
        self.role = role

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, UTC).isoformat(
            timespec="milliseconds"
        )
        log_data["level"] = record.levelname
        log_data["role"] = self.role
        log_data["logger"] = record.name
        log_data["message"] = record.message
        log_data.update(_context.get())
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            log_data["trace_id"] = format(span.trace_id, "032x")
            log_data["span_id"] = format(span.span_id, "016x")
        super().add_fields(log_data, record, message_dict)  # extra= fields, exc_info


def logging_config(role: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The dictConfig of a role's process (and of uvicorn's workers)."""
    env = os.environ if environ is None else environ
    chosen = (env.get("LOG_FORMAT") or "text").strip().lower()
    if chosen not in FORMATS:
        raise LoggingSettingError(
            f"LOG_FORMAT={chosen!r} is not a log format: use 'text' (the default, for a "
            "person) or 'json' (one JSON object per line, for a log pipeline)"
        )
    level = (env.get("LOG_LEVEL") or "INFO").strip().upper()
    if level not in LEVELS:
        raise LoggingSettingError(f"LOG_LEVEL={level!r} is not a level: use one of {LEVELS}")
    formatter: dict[str, Any] = (
        {"()": JsonLineFormatter, "role": role} if chosen == "json" else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "default",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            name: {"level": quiet, "handlers": [], "propagate": True}
            for name, quiet in QUIET_LOGGERS.items()
        },
    }


def configure_logging(role: str) -> dict[str, Any]:
    """Configure this process's logging for ``role``; the config, for uvicorn to reuse."""
    import logging.config

    config = logging_config(role)
    logging.config.dictConfig(config)
    return config
