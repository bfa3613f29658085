"""Rebuild the read models from the retained event log, then switch over atomically.

A new generation is filled by a projector pinned to it, from position 0, while the live
generation keeps serving. Once it has caught up, the pointer moves in one transaction; a
live projector follows the pointer and continues from the new generation's checkpoint.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from query_service.bootstrap import build_projector, build_read_store
from query_service.read_store.sqlite import SqliteReadStore
from query_service.settings import QuerySettings
from query_service.sqlite_url import sqlite_path

log = logging.getLogger(__name__)


def rebuild_read_models(
    settings: QuerySettings,
    stop_event: threading.Event,
    progress: Callable[[int], None] = lambda events: None,
) -> str | None:
    """Fill and activate a new generation; its name, or None if stopped before the switch.

    ``progress`` hears the number of events read so far after every batch (operators
    watching a long rebuild want to see it move).
    """
    live = build_read_store(settings)
    generation = live.create_generation()
    target = SqliteReadStore(sqlite_path(settings.search_url), generation=generation)
    target.initialize()
    projector = build_projector(settings, target)
    try:
        read = 0
        while not stop_event.is_set() and (batch := projector.step(stop_event)):
            read += batch
            progress(read)
        if stop_event.is_set():
            log.warning("rebuild into %s stopped before the switch-over", generation)
            return None
        live.activate_generation(generation)
        log.info("rebuilt read models into %s: %s", generation, projector.stats)
        return generation
    finally:
        projector.close()
        target.close()
        live.close()
