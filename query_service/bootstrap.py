"""Composition root of the query service: picks adapters from settings and wires them.

The CLI calls ``create_app`` (the ``query-api`` role) and ``run_projector`` (the
``projector`` role); tests call the same functions with their own settings.
"""

from __future__ import annotations

import logging
import threading

from fastapi import FastAPI

from query_service.api.app import create_api
from query_service.consumers.outbox_tail import OutboxTail
from query_service.projector.projector import Projector
from query_service.projector.retry import RetryPolicy
from query_service.read_store.sqlite import SqliteReadStore
from query_service.settings import QuerySettings
from query_service.sqlite_url import sqlite_path

log = logging.getLogger(__name__)


class UnsupportedEngine(RuntimeError):
    """The configured search engine has no adapter in this build."""


def build_read_store(settings: QuerySettings) -> SqliteReadStore:
    """The read store named by ``SEARCH_ENGINE`` / ``SEARCH_URL``, initialised."""
    if settings.search_engine != "sqlite":
        raise UnsupportedEngine(
            f"SEARCH_ENGINE={settings.search_engine} has no adapter yet; use sqlite"
        )
    store = SqliteReadStore(sqlite_path(settings.search_url))
    store.initialize()
    return store


def build_projector(settings: QuerySettings, store: SqliteReadStore) -> Projector:
    source = OutboxTail(
        sqlite_path(settings.database_url), poll_interval=settings.projector_poll_interval
    )
    retry = RetryPolicy(
        attempts=settings.projector_retry_attempts,
        first_delay=settings.projector_retry_delay,
        max_delay=settings.projector_retry_max_delay,
    )
    return Projector(source, store, batch_size=settings.projector_batch_size, retry=retry)


def run_projector(settings: QuerySettings, stop_event: threading.Event) -> None:
    """Tail the outbox into the read store until ``stop_event`` is set, then return."""
    store = build_read_store(settings)
    projector = build_projector(settings, store)
    log.info("projector started: %s -> %s", settings.database_url, settings.search_url)
    try:
        projector.run(stop_event)
    finally:
        projector.close()
        store.close()
        log.info("projector stopped: %s", projector.stats)


def create_app(settings: QuerySettings) -> FastAPI:
    """The search API (``conference query-api``) over the configured read store."""
    return create_api(build_read_store(settings))
