"""Rebuild the read models from the retained event log, then switch over atomically.

A new generation is filled by a projector pinned to it, from position 0, while the live
generation keeps serving. Once it has caught up, the pointer moves in one transaction; a
live projector follows the pointer and continues from the new generation's checkpoint.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from query_service.bootstrap import build_read_store
from query_service.consumers.outbox_log import OutboxLog
from query_service.consumers.outbox_tail import OutboxTail
from query_service.consumers.source import PositionedSource
from query_service.projector.projector import Projector
from query_service.settings import QuerySettings
from service_conventions.database_url import sqlite_path

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
    target = live.for_generation(generation)
    # The outbox tail's consumer name: on the embedded shape the live projector resumes
    # from the checkpoint the rebuild leaves in the new generation.
    projector = Projector(_event_log(settings), target, batch_size=settings.projector_batch_size)
    try:
        read = 0
        while not stop_event.is_set() and (batch := projector.step(stop_event)):
            read += batch
            progress(read)
        if stop_event.is_set():
            log.warning("rebuild into %s stopped before the switch-over", generation)
            return None
        live.activate_generation(generation)
        # Events the live projectors applied to the old generation while this one was
        # filling: replay what the log gained meanwhile (version marks skip the rest).
        while projector.step(stop_event):
            pass
        log.info("rebuilt read models into %s: %s", generation, projector.stats)
        return generation
    finally:
        projector.close()
        target.close()
        live.close()


def _event_log(settings: QuerySettings) -> PositionedSource:
    """The retained outbox: tailed as a file on SQLite, read over SQL elsewhere."""
    if settings.database_url.startswith("sqlite"):
        return OutboxTail(sqlite_path(settings.database_url))
    return OutboxLog(settings.database_url)
