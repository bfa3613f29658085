"""Running ``run_relay`` in a background thread of the test, stoppable and bounded."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from command_service.relay import run_relay
from command_service.settings import load_settings


@contextmanager
def running_relay(
    database_url: str, broker_url: str, exchange: str, *, batch_size: int = 100
) -> Iterator[str]:
    """A relay publishing to ``exchange`` while the block runs; yields its connection name."""
    name = f"test-relay-{uuid.uuid4().hex[:12]}"
    settings = load_settings(
        database_url=database_url, broker_url=broker_url, relay_batch_size=batch_size
    )
    stop = threading.Event()
    thread = threading.Thread(
        target=run_relay,
        args=(settings, stop),
        kwargs={"exchange": exchange, "connection_name": name},
        daemon=True,
    )
    thread.start()
    try:
        yield name
    finally:
        stop.set()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the relay did not stop within 10 s of being asked"
