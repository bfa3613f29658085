"""The two log formats: the fields of a JSON line, the context a line carries, and the
settings that are refused with what to use instead."""

from __future__ import annotations

import json
import logging
import logging.config
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider

from service_conventions.logs import (
    TEXT_FORMAT,
    JsonLineFormatter,
    LoggingSettingError,
    about_event,
    log_context,
    logging_config,
)


def record(message: str, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("conference.test", logging.WARNING, __file__, 1, message, (), None)
    made.__dict__.update(extra)
    return made


def line(made: logging.LogRecord) -> dict[str, object]:
    parsed: dict[str, object] = json.loads(JsonLineFormatter(role="relay").format(made))
    return parsed


def test_a_json_line_has_its_fields_in_order() -> None:
    parsed = line(record("relay paused"))
    assert list(parsed) == ["time", "level", "role", "logger", "message"]
    assert parsed["level"] == "WARNING"
    assert parsed["role"] == "relay"
    assert parsed["logger"] == "conference.test"
    assert parsed["message"] == "relay paused"
    assert str(parsed["time"]).endswith("+00:00")


def test_a_line_about_an_event_names_it_and_its_aggregate() -> None:
    parsed = line(record("held", **about_event("e-1", "talk/t-1")))
    assert (parsed["event_id"], parsed["aggregate_id"]) == ("e-1", "talk/t-1")
    assert about_event(None, None) == {}


def test_lines_inside_a_context_carry_it_and_lines_after_do_not() -> None:
    with log_context(correlation_id="c-42"):
        inside = line(record("inside"))
    assert inside["correlation_id"] == "c-42"
    assert "correlation_id" not in line(record("after"))


def test_a_line_inside_a_span_carries_its_trace_and_span_ids() -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("command") as span:
        inside = line(record("inside"))
        context = span.get_span_context()
    assert inside["trace_id"] == format(context.trace_id, "032x")
    assert inside["span_id"] == format(context.span_id, "016x")
    assert "trace_id" not in line(record("outside"))


def test_an_exception_is_one_field_of_the_line() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        made = logging.LogRecord(
            "conference.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    parsed = line(made)
    assert "RuntimeError: boom" in str(parsed["exc_info"])


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_text_is_the_default_and_json_is_chosen_by_log_format(restore_logging: None) -> None:
    text = logging_config("relay", {})
    assert text["formatters"]["default"] == {"format": TEXT_FORMAT}
    assert text["root"]["level"] == "INFO"
    chosen = logging_config("relay", {"LOG_FORMAT": "JSON", "LOG_LEVEL": "debug"})
    assert chosen["formatters"]["default"]["()"] is JsonLineFormatter
    assert chosen["root"]["level"] == "DEBUG"
    logging.config.dictConfig(chosen)
    (handler,) = logging.getLogger().handlers
    assert isinstance(handler.formatter, JsonLineFormatter)
    assert logging.getLogger("pika").level == logging.CRITICAL


def test_unknown_settings_are_refused_with_the_allowed_values() -> None:
    with pytest.raises(LoggingSettingError, match=r"LOG_FORMAT='xml'.*'text'.*'json'"):
        logging_config("relay", {"LOG_FORMAT": "xml"})
    with pytest.raises(LoggingSettingError, match=r"LOG_LEVEL='LOUD'.*DEBUG"):
        logging_config("relay", {"LOG_LEVEL": "loud"})
