"""A seeded programme for the page tests: real events through the real projector into a
SQLite read store, and the query API over it served by uvicorn on a free port."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn

from query_service.api.app import create_api
from query_service.consumers.outbox_tail import OutboxTail
from query_service.projector.projector import Projector
from query_service.projector.retry import RetryPolicy
from query_service.read_store.sqlite import SqliteReadStore
from tests.e2e.conftest import free_port
from tests.query_api.support import Outbox, Programme

STAGES = ("Main Hall", "Room Ada", "Room Grace")
TOPICS = ("python", "kubernetes", "observability", "security", "data", "rust")
LEVELS = ("beginner", "intermediate", "advanced")
DAYS = ("2026-06-10", "2026-06-11")
SLOTS_PER_DAY = 4


@dataclass
class Seeded:
    conference_id: str
    talks: list[str] = field(default_factory=list)
    by_title: dict[str, str] = field(default_factory=dict)
    slots: dict[str, tuple[str, str]] = field(default_factory=dict)
    """talk id -> (day, stage) of the scheduled ones."""
    ratings: dict[str, list[int]] = field(default_factory=dict)


def seed(outbox: Outbox, talks: int = 30) -> Seeded:
    """``talks`` talks of 6 topics (of 30: 5 mention "Python" in the title), the first 24
    scheduled over two days on three stages (UTC 07:00, local 09:00 in Berlin), every
    third of those rated."""
    programme = Programme(outbox)
    conference_id = programme.conference(
        name="PyCon Lakeside",
        starts_on=DAYS[0],
        ends_on=DAYS[1],
        timezone="Europe/Berlin",
        stages=list(STAGES),
    )
    seeded = Seeded(conference_id)
    slots = [
        (day, stage, index) for day in DAYS for index in range(SLOTS_PER_DAY) for stage in STAGES
    ]
    for number in range(talks):
        topic = TOPICS[number % len(TOPICS)]
        title = f"{topic.capitalize()} in practice, part {number + 1}"
        talk_id = programme.submit(
            conference_id,
            title=title,
            abstract=f"What we learned running {topic} for real: failure modes and trade-offs.",
            speakers=[{"name": f"Speaker {number + 1}", "company": "Initech"}],
            tags=[topic, "talk-tag"] if number % 2 else [topic],
            level=LEVELS[number % len(LEVELS)],
        )
        seeded.talks.append(talk_id)
        seeded.by_title[title] = talk_id
        if number < len(slots):
            programme.accept(talk_id)
            day, stage, index = slots[number]
            starts = datetime.fromisoformat(f"{day}T07:00:00").replace(tzinfo=UTC)
            starts += timedelta(minutes=50 * index)
            programme.schedule(
                conference_id,
                talk_id,
                stage,
                starts.isoformat(),
                (starts + timedelta(minutes=40)).isoformat(),
            )
            seeded.slots[talk_id] = (day, stage)
            if number % 3 == 0:
                stars = [5, 4, 5] if number % 2 else [3, 4]
                for s in stars:
                    programme.rate(talk_id, s)
                seeded.ratings[talk_id] = stars
    return seeded


def project(outbox: Outbox, store: SqliteReadStore) -> None:
    retry = RetryPolicy(attempts=3, first_delay=0.001, max_delay=0.01)
    projector = Projector(OutboxTail(outbox.path, poll_interval=0.005), store, retry=retry)
    try:
        projector.run_until_idle()
    finally:
        projector.close()


@contextmanager
def serving(store: SqliteReadStore) -> Iterator[str]:
    """The query API over ``store`` on a real socket; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_api(store), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            if httpx.get(f"{url}/health/ready", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("the query API did not start within 15s")
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def seeded_api(folder: Path) -> Iterator[tuple[str, Seeded]]:
    outbox = Outbox(folder / "command.db")
    seeded = seed(outbox)
    store = SqliteReadStore(folder / "query.db")
    store.initialize()
    try:
        project(outbox, store)
        with serving(store) as url:
            yield url, seeded
    finally:
        store.close()
