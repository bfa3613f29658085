"""How a role serves its metrics: ``GET /metrics`` on an API, a small port on a worker.

One process, one registry (the default one). An API run with several worker processes
(``--workers N``) sets ``PROMETHEUS_MULTIPROC_DIR`` before ``prometheus_client`` is first
imported (``multiprocess.prepare``); every worker then writes its samples to files there and
a scrape of any worker merges them all (``MultiProcessCollector``), so the counts of one
scrape add up across workers.

``/metrics`` needs no token on purpose: Prometheus has none. Expose it on the cluster
network only (ADR 071).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from service_conventions.metrics.catalog import HTTP_REQUEST_DURATION

log = logging.getLogger(__name__)

UNMATCHED_ROUTE = "unmatched"
"""The route label of a request no route matched (404s of random paths stay one series)."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def exposition() -> tuple[bytes, str]:
    """The text of a scrape and its content type: this process's registry, or every
    worker's samples merged when the role runs in multiprocess mode."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


class HttpMetricsMiddleware:
    """Pure ASGI: times every HTTP request and records it by role, method, the route
    template Starlette matched (never the raw path) and status. Nothing is allocated per
    request beyond the label lookup."""

    def __init__(self, app: ASGIApp, role: str) -> None:
        self.app = app
        self.role = role

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception that escapes every handler becomes a 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED_ROUTE
            HTTP_REQUEST_DURATION.labels(self.role, scope["method"], template, str(status)).observe(
                time.perf_counter() - started
            )


def install_metrics(app: FastAPI, role: str) -> None:
    """``GET /metrics`` (no token, not in the OpenAPI document) and the request timer."""

    def metrics() -> Response:
        body, content_type = exposition()
        return Response(body, media_type=content_type)

    app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
    app.add_middleware(HttpMetricsMiddleware, role=role)


Readiness = Callable[[], str | None]
"""None when the role is ready, else why not (the 503 answer's detail)."""


class MetricsServer:
    """A worker role's port: ``/metrics``, ``/health/live`` and ``/health/ready``, served
    by a daemon thread. ``refresh`` runs before a scrape (at most every ``refresh_every``
    seconds): the one aggregate query that sets the role's gauges."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        readiness: Readiness,
        refresh: Callable[[], None] = lambda: None,
        refresh_every: float = 2.0,
    ) -> None:
        self._readiness = readiness
        self._refresh = refresh
        self._refresh_every = refresh_every
        self._refreshed_at = -refresh_every
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics-server", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> MetricsServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def refresh(self, *, force: bool = False) -> None:
        """Run ``refresh`` unless it ran within ``refresh_every``; its failure is logged,
        never raised (a scrape shows the last good values)."""
        with self._lock:
            now = time.monotonic()
            if not force and now - self._refreshed_at < self._refresh_every:
                return
            self._refreshed_at = now
            try:
                self._refresh()
            except Exception as error:  # a dependency away: readiness says so
                log.debug("metrics refresh failed: %s", error)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/metrics":
                    server.refresh()
                    body, content_type = exposition()
                    self._answer(200, body, content_type)
                elif path == "/health/live":
                    self._json(200, {"status": "ok"})
                elif path == "/health/ready":
                    problem = server._readiness()
                    if problem is None:
                        self._json(200, {"status": "ready"})
                    else:
                        self._json(503, {"status": "not-ready", "detail": problem})
                else:
                    self._json(404, {"status": "not-found", "detail": f"no {path} here"})

            def _json(self, status: int, data: dict[str, str]) -> None:
                self._answer(status, json.dumps(data).encode(), "application/json")

            def _answer(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # a probe every few seconds is not news

        return Handler


def serve_metrics(
    port: int,
    *,
    readiness: Readiness,
    refresh: Callable[[], None] = lambda: None,
    host: str | None = None,
) -> MetricsServer | None:
    """Start a role's metrics port, or None when ``port`` is 0 (disabled)."""
    if port == 0:
        return None
    server = MetricsServer(
        host or os.environ.get("METRICS_HOST", "0.0.0.0"),
        port,
        readiness=readiness,
        refresh=refresh,
    )
    log.info("metrics and health on port %d: /metrics, /health/live, /health/ready", port)
    return server.start()
