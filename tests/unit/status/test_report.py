"""What ``conference status`` calls healthy, what it lists as problems, and the keys of
its JSON (a contract for scripts: a renamed key must fail here)."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console

from conference_cli.status.report import (
    BrokerReport,
    OutboxReport,
    ProjectionReport,
    QueueReport,
    ReadStoreReport,
    RoleReport,
    StatusReport,
)
from conference_cli.status.screen import render
from query_service.read_store.port import GenerationInfo

MADE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
REBUILT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def report(**changes: object) -> StatusReport:
    parts: dict[str, object] = {
        "shape": "distributed",
        "taken_at": REBUILT,
        "roles": [RoleReport("command-api", "http://c", "ready")],
        "outbox": OutboxReport(12, 0, 0.0),
        "broker": BrokerReport([QueueReport("q", 0, 2), QueueReport("q.held", 0, 0)]),
        "projection": ProjectionReport(0, 0.0, 0),
        "read_store": ReadStoreReport(
            "opensearch",
            [
                GenerationInfo("g1", False, 3, 1, MADE),
                GenerationInfo("g2", True, 4, 1, REBUILT),
            ],
        ),
    }
    parts.update(changes)
    return StatusReport(**parts)  # type: ignore[arg-type]


def test_everything_ready_and_readable_with_no_dead_letter_is_healthy() -> None:
    assert report().healthy
    assert report().problems == []


def test_each_kind_of_trouble_is_listed() -> None:
    troubled = report(
        roles=[
            RoleReport("command-api", "http://c", "not-ready", "database away"),
            RoleReport("projector", "http://p", "unreachable", "nothing answers there"),
        ],
        outbox=OutboxReport(error="OperationalError: gone"),
        broker=BrokerReport(error="AMQPConnectionError"),
        projection=ProjectionReport(5, 1.0, 2),
        read_store=ReadStoreReport("opensearch", error="ReadStoreUnavailable"),
    )
    assert not troubled.healthy
    assert troubled.problems == [
        "command-api is not-ready",
        "projector is unreachable",
        "the command database cannot be read",
        "the broker cannot be read",
        "the read store cannot be read",
        "2 dead letter(s) wait",
    ]


def test_lag_alone_is_not_a_problem() -> None:
    """Lag is what the screen shows, with its alert thresholds in Prometheus (ADR 071)."""
    assert report(projection=ProjectionReport(500, 30.0, 0)).healthy


def test_the_serving_generation_and_the_last_rebuild() -> None:
    store = report().read_store
    assert store.serving is not None
    assert store.serving.name == "g2"
    assert store.last_rebuild == REBUILT
    assert ReadStoreReport("sqlite").last_rebuild is None


def test_the_json_keys_are_stable() -> None:
    data = report().to_json()
    assert list(data) == [
        "shape",
        "taken_at",
        "healthy",
        "problems",
        "roles",
        "outbox",
        "broker",
        "projection",
        "read_store",
    ]
    assert list(data["roles"][0]) == ["role", "url", "state", "detail"]
    assert list(data["outbox"]) == [
        "newest_position",
        "unpublished",
        "oldest_unpublished_age_seconds",
        "error",
    ]
    assert data["broker"] == {
        "queues": [
            {"name": "q", "messages": 0, "consumers": 2},
            {"name": "q.held", "messages": 0, "consumers": 0},
        ],
        "error": None,
    }
    assert list(data["projection"]) == ["lag_events", "lag_seconds", "dead_letters", "error"]
    assert data["read_store"]["serving_generation"] == "g2"
    assert data["read_store"]["last_rebuild"] == REBUILT.isoformat()
    assert data["read_store"]["generations"][0] == {
        "name": "g1",
        "serving": False,
        "talks": 3,
        "conferences": 1,
        "created_at": MADE.isoformat(),
    }
    assert report(broker=None, shape="embedded").to_json()["broker"] is None


def screen_text(status: StatusReport) -> str:
    console = Console(record=True, width=160)
    console.print(render(status))
    return console.export_text()


def test_the_screen_shows_each_part_and_says_what_needs_attention() -> None:
    healthy = screen_text(report())
    assert "distributed shape" in healthy
    assert "healthy" in healthy
    assert "queue q" in healthy
    assert "0 ready, 2 consumer(s)" in healthy
    assert "outbox, unpublished" in healthy
    assert "g2" in healthy

    troubled = screen_text(
        report(
            projection=ProjectionReport(7, None, 1),
            read_store=ReadStoreReport("opensearch", error="ReadStoreUnavailable: no index"),
        )
    )
    assert "needs attention: the read store cannot be read; 1 dead letter(s) wait" in troubled
    assert "7 event(s), unknown s" in troubled
    assert "conference dead-letters list" in troubled
    assert "ReadStoreUnavailable: no index" in troubled
