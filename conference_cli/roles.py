"""One function per role: build the role from the environment, run it until stopped."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI

from service_conventions.logs import logging_config
from service_conventions.metrics.multiprocess import multiprocess_directory
from service_conventions.nodelay import NODELAY_HTTP
from service_conventions.telemetry import tracing

log = logging.getLogger("conference")


def migrate() -> int:
    from command_service.migrate import upgrade
    from command_service.settings import load_settings

    url = load_settings().database_url
    print(f"Migrating the command database ({url})...", flush=True)
    upgrade(url)
    print("The command database is up to date.", flush=True)
    return 0


def command_api(host: str, port: int, workers: int = 1) -> int:
    return _serve("conference_cli.roles:command_app", host, port, workers, "command-api")


def query_api(host: str, port: int, workers: int = 1) -> int:
    return _serve("conference_cli.roles:query_app", host, port, workers, "query-api")


def command_app() -> FastAPI:
    """The write API from the environment (uvicorn's factory, in each worker): traces, when
    the ``OTEL_*`` variables ask for them, are set up here, once per worker process."""
    from command_service.api.app import create_app

    tracing.setup("command-api")
    app = create_app()
    tracing.instrument_app(app)
    tracing.instrument_engine(app.state.service.engine)
    return app


def query_app() -> FastAPI:
    """The search API from the environment (uvicorn's factory, in each worker)."""
    from query_service.bootstrap import create_app
    from query_service.settings import load_settings

    tracing.setup("query-api")
    app = create_app(load_settings())
    tracing.instrument_app(app)
    return app


def _serve(factory: str, host: str, port: int, workers: int, role: str) -> int:
    """Serve an API; with several workers their metrics go through files in a fresh
    directory of this run, so a scrape of any worker adds them all up. Uvicorn configures
    each worker's logging with the role's config (``service_conventions/logs.py``)."""
    options: dict[str, Any] = {
        "factory": True,
        "host": host,
        "port": port,
        "log_level": "warning",
        "log_config": logging_config(role),
        "http": NODELAY_HTTP,  # workers' sockets would otherwise wait on delayed ACKs
    }
    if workers > 1:
        with multiprocess_directory():
            uvicorn.run(factory, workers=workers, **options)
        return 0
    uvicorn.run(factory, **options)
    return 0


def _stop_on_signals(role: str) -> threading.Event:
    """A worker role finishes its current batch, then returns, on SIGINT or SIGTERM."""
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("%s received %s, finishing the current batch", role, signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    return stop


def projector(metrics_port: int = 0) -> int:
    from query_service.bootstrap import run_projector
    from query_service.settings import load_settings

    tracing.setup("projector")
    run_projector(load_settings(), _stop_on_signals("projector"), metrics_port=metrics_port)
    return 0


def relay(metrics_port: int = 0) -> int:
    from command_service.relay.runner import run_relay
    from command_service.settings import load_settings

    tracing.setup("relay")
    run_relay(load_settings(), _stop_on_signals("relay"), metrics_port=metrics_port)
    return 0


def rebuild(args: argparse.Namespace) -> int:
    from conference_cli import rebuild as operation

    return operation.run(args, _stop_on_signals("rebuild"))


def prune_idempotency_keys(older_than_hours: float) -> int:
    from datetime import timedelta

    from command_service.idempotency_retention import prune_idempotency_keys as prune
    from command_service.settings import load_settings

    def report(deleted: int) -> None:
        print(f"\r  deleted {deleted} keys", end="", flush=True)

    print(f"Forgetting idempotency keys older than {older_than_hours:g} hours...")
    deleted = prune(load_settings().database_url, timedelta(hours=older_than_hours), report)
    print(f"\nDone: {deleted} idempotency keys deleted.")
    return 0


def prune_generations() -> int:
    """Drop the read-model generations a rebuild left behind (kept for a rollback)."""
    from query_service.bootstrap import build_read_store
    from query_service.settings import load_settings

    store = build_read_store(load_settings())
    dropped: list[str] = []
    active = None
    try:
        for generation in store.generations():
            try:
                store.drop_generation(generation)
            except ValueError:  # the active one: it serves readers
                active = generation
                continue
            dropped.append(generation)
            print(f"dropped {generation}")
    finally:
        store.close()
    print(f"{len(dropped)} old generation(s) dropped; {active} serves.")
    return 0
