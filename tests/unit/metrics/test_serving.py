"""Serving metrics: the request timer's labels, ``/metrics`` without a token, and a worker
role's port with its health answers and throttled refresh."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from service_conventions.metrics.serving import UNMATCHED_ROUTE, MetricsServer, install_metrics
from tests.unit.metrics.samples import sample


def timed(route: str, status: str, method: str = "GET") -> float:
    return sample(
        "conference_http_request_duration_seconds_count",
        role="test-api",
        method=method,
        route=route,
        status=status,
    )


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = FastAPI()

    @app.get("/talks/{talk_id}")
    def talk(talk_id: str) -> dict[str, str]:
        if talk_id == "missing":
            raise HTTPException(404)
        return {"id": talk_id}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    install_metrics(app, role="test-api")
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_requests_are_timed_by_route_template_never_the_raw_path(client: TestClient) -> None:
    ok, missing = timed("/talks/{talk_id}", "200"), timed("/talks/{talk_id}", "404")
    client.get("/talks/a")
    client.get("/talks/b")
    client.get("/talks/missing")
    assert timed("/talks/{talk_id}", "200") == ok + 2
    assert timed("/talks/{talk_id}", "404") == missing + 1
    assert timed("/talks/a", "200") == 0


def test_unmatched_paths_share_one_label(client: TestClient) -> None:
    before = timed(UNMATCHED_ROUTE, "404")
    client.get("/random/1")
    client.get("/random/2")
    assert timed(UNMATCHED_ROUTE, "404") == before + 2


def test_an_unhandled_error_is_timed_as_a_500(client: TestClient) -> None:
    before = timed("/boom", "500")
    assert client.get("/boom").status_code == 500
    assert timed("/boom", "500") == before + 1


def test_metrics_need_no_token_and_show_the_series(client: TestClient) -> None:
    client.get("/talks/a")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'route="/talks/{talk_id}"' in response.text
    assert "/metrics" not in client.get("/openapi.json").text


class Refreshes:
    def __init__(self) -> None:
        self.count = 0
        self.fail = False

    def __call__(self) -> None:
        self.count += 1
        if self.fail:
            raise ConnectionError("database away")


@pytest.fixture
def worker_port() -> Iterator[tuple[MetricsServer, Refreshes, list[str | None]]]:
    refreshes, problem = Refreshes(), list[str | None](["starting"])
    server = MetricsServer(
        "127.0.0.1", 0, readiness=lambda: problem[0], refresh=refreshes, refresh_every=60
    ).start()
    yield server, refreshes, problem
    server.close()


def test_a_worker_port_answers_health_like_the_apis(
    worker_port: tuple[MetricsServer, Refreshes, list[str | None]],
) -> None:
    server, _, problem = worker_port
    url = f"http://127.0.0.1:{server.port}"
    assert httpx.get(f"{url}/health/live").json() == {"status": "ok"}
    not_ready = httpx.get(f"{url}/health/ready")
    assert (not_ready.status_code, not_ready.json()["detail"]) == (503, "starting")
    problem[0] = None
    ready = httpx.get(f"{url}/health/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert httpx.get(f"{url}/elsewhere").status_code == 404


def test_a_scrape_refreshes_the_gauges_at_most_once_per_interval(
    worker_port: tuple[MetricsServer, Refreshes, list[str | None]],
) -> None:
    server, refreshes, _ = worker_port
    url = f"http://127.0.0.1:{server.port}/metrics"
    for _ in range(3):
        assert "conference_projector_lag_events" in httpx.get(url).text
    assert refreshes.count == 1
    refreshes.fail = True
    server.refresh(force=True)  # a failing measurement keeps the last values, never raises
    assert httpx.get(url).status_code == 200
    assert refreshes.count == 2
