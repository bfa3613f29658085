"""Every metric the roles export, in one place: the names are part of the published
contract (dashboards, alert rules and autoscalers name them), so they are declared once
and nothing else creates a metric.

Prometheus conventions: the ``conference_`` prefix, base units in the name (``_seconds``),
``_total`` on counters. Label values are bounded sets (a route template, never a path).
Gauges say how several processes' values combine (``multiprocess_mode``); how a role
serves them is ``serving.py``, what the gauges measure is ADR 071.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# Latency buckets for an HTTP request or a search: from a cache hit to a slow engine.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_BATCH_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000)

HTTP_REQUEST_DURATION = Histogram(
    "conference_http_request_duration_seconds",
    "Time from a request's arrival to its response, by role, method, route template and status.",
    ("role", "method", "route", "status"),
    buckets=_LATENCY_BUCKETS,
)
COMMANDS = Counter(
    "conference_commands_total",
    "Commands handled, by command and outcome (applied, rejected, precondition_failed, "
    "replayed); a rejection names the domain rule it broke.",
    ("command", "outcome", "rule"),
)
OUTBOX_UNPUBLISHED = Gauge(
    "conference_outbox_unpublished",
    "Outbox rows committed but not yet confirmed by the broker.",
    multiprocess_mode="mostrecent",
)
OUTBOX_OLDEST_UNPUBLISHED_AGE = Gauge(
    "conference_outbox_oldest_unpublished_age_seconds",
    "Age of the oldest unpublished outbox row; 0 when the outbox is drained.",
    multiprocess_mode="mostrecent",
)
RELAY_PUBLISHED = Counter(
    "conference_relay_published_total", "Events the broker confirmed to the relay."
)
RELAY_CONFIRM_DURATION = Histogram(
    "conference_relay_confirm_duration_seconds",
    "Time from publishing an event to the broker's confirm.",
    buckets=_LATENCY_BUCKETS,
)
RELAY_RETURNED = Counter(
    "conference_relay_returned_total",
    "Events the broker returned as unroutable (no queue bound); they stay in the outbox.",
)
RELAY_NACKED = Counter(
    "conference_relay_nacked_total",
    "Events the broker refused (nack); they stay in the outbox and are published again.",
)
PROJECTOR_EVENTS = Counter(
    "conference_projector_events_total",
    "Events the projector settled, by outcome (applied, duplicate, skipped, retried, parked, "
    "held).",
    ("outcome",),
)
PROJECTOR_LAG_EVENTS = Gauge(
    "conference_projector_lag_events",
    "Committed events the read models do not reflect yet; 0 when caught up.",
    multiprocess_mode="mostrecent",
)
PROJECTOR_LAG_SECONDS = Gauge(
    "conference_projector_lag_seconds",
    "Age of the oldest committed event the read models do not reflect yet; 0 when caught up.",
    multiprocess_mode="mostrecent",
)
PROJECTOR_BATCH_SIZE = Histogram(
    "conference_projector_batch_size",
    "Events per batch written to the read store.",
    buckets=_BATCH_BUCKETS,
)
READ_STORE_WRITE_DURATION = Histogram(
    "conference_read_store_write_duration_seconds",
    "Time to write one batch to the read store, by engine.",
    ("engine",),
    buckets=_LATENCY_BUCKETS,
)
DEAD_LETTERS = Gauge(
    "conference_dead_letters",
    "Parked events waiting for an operator (conference dead-letters).",
    multiprocess_mode="mostrecent",
)
SEARCH_DURATION = Histogram(
    "conference_search_duration_seconds",
    "Time the read store takes to answer a search API endpoint, by endpoint.",
    ("endpoint",),
    buckets=_LATENCY_BUCKETS,
)

ALL = (
    HTTP_REQUEST_DURATION,
    COMMANDS,
    OUTBOX_UNPUBLISHED,
    OUTBOX_OLDEST_UNPUBLISHED_AGE,
    RELAY_PUBLISHED,
    RELAY_CONFIRM_DURATION,
    RELAY_RETURNED,
    RELAY_NACKED,
    PROJECTOR_EVENTS,
    PROJECTOR_LAG_EVENTS,
    PROJECTOR_LAG_SECONDS,
    PROJECTOR_BATCH_SIZE,
    READ_STORE_WRITE_DURATION,
    DEAD_LETTERS,
    SEARCH_DURATION,
)


def exported_series_names() -> frozenset[str]:
    """Every series name a scrape can show (a histogram's ``_bucket``, ``_sum``, ``_count``;
    a counter's ``_total``), for checking what dashboards and alert rules name."""
    names: set[str] = set()
    for metric in ALL:
        for family in metric.describe():
            base = family.name
            match family.type:
                case "histogram":
                    names.update({f"{base}_bucket", f"{base}_sum", f"{base}_count"})
                case "counter":
                    names.update({f"{base}_total", f"{base}_created"})
                case _:
                    names.add(base)
    return frozenset(names)
