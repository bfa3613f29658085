"""What ``conference up`` promises about crashes and restarts (SPEC section 6)."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
from pathlib import Path
from typing import Any

from query_service.read_store.sqlite import SqliteReadStore
from tests.e2e.conftest import Stack, start_stack, wait_until
from tests.e2e.test_story import _conference, _submit

BURST = 300


def _write_model(
    stack: Stack, talk_ids: list[str], versions: dict[str, int], timeout: float = 30
) -> None:
    """Every talk's read model equals what the write side answered last."""

    def caught_up() -> bool:
        for talk_id in talk_ids:
            response = stack.query.get(f"/talks/{talk_id}")
            if response.status_code != 200 or response.json()["version"] != versions[talk_id]:
                return False
        return True

    wait_until(caught_up, timeout=timeout, what="the read side to catch up")


def _burst(
    stack: Stack,
    conference_id: str,
    talk_ids: list[str],
    versions: dict[str, int],
    ratings: dict[str, dict[str, int]],
    progress: list[int] | None = None,
) -> None:
    """BURST commands, edits and ratings interleaved; ``progress`` counts those answered."""
    for index in range(BURST):
        talk_id = talk_ids[index % len(talk_ids)]
        if index % 3 == 0:
            answer = stack.ok("PATCH", f"/talks/{talk_id}", {"abstract": f"revision {index}"})
            versions[talk_id] = answer["version"]
        else:
            attendee = f"att-{index % 7}"
            stars = 1 + index % 5
            stack.ok("PUT", f"/talks/{talk_id}/ratings/{attendee}", {"stars": stars})
            ratings[talk_id][attendee] = stars
        if progress is not None:
            progress.append(index)


def test_sigkilled_projector_loses_nothing_and_applies_nothing_twice(stack: Stack) -> None:
    conference_id = _conference(stack)
    talk_ids = [
        _submit(stack, conference_id, f"Resilient talk {i}", f"Speaker {i}", []) for i in range(6)
    ]
    versions = {
        talk_id: stack.ok("POST", f"/talks/{talk_id}/accept")["version"] for talk_id in talk_ids
    }
    ratings: dict[str, dict[str, int]] = {talk_id: {} for talk_id in talk_ids}
    first_projector = stack.pid_of("projector")

    writer = threading.Thread(
        target=_burst, args=(stack, conference_id, talk_ids, versions, ratings)
    )
    writer.start()
    wait_until(lambda: sum(len(r) for r in ratings.values()) >= 10, what="the burst to start")
    os.kill(first_projector, signal.SIGKILL)
    writer.join(timeout=60)
    assert not writer.is_alive()

    wait_until(lambda: stack.pid_of("projector") != first_projector, what="the projector restart")
    _write_model(stack, talk_ids, versions)
    for talk_id in talk_ids:
        rating = stack.query.get(f"/talks/{talk_id}").json()["rating"]
        given = list(ratings[talk_id].values())
        assert rating["count"] == len(given)
        assert rating["average"] == (round(sum(given) / len(given), 2) if given else 0.0)
    _assert_every_event_applied_once(stack.folder)


def _assert_every_event_applied_once(folder: Path) -> None:
    with sqlite3.connect(folder / "var" / "command.db") as command:
        outbox = [row[0] for row in command.execute("SELECT event_id FROM outbox")]
    store = SqliteReadStore(folder / "var" / "query.db")
    try:
        applied = store.applied_event_ids()
    finally:
        store.close()
    assert len(applied) == len(set(applied)), "an event was applied twice"
    assert set(applied) == set(outbox), "an event was lost"


def test_a_second_up_resumes_without_reprocessing_or_losing_anything(stack_folder: Path) -> None:
    first = start_stack(stack_folder)
    conference_id = _conference(first)
    talk_id = _submit(first, conference_id, "Persistent talk", "Ada", ["storage"])
    version = first.ok("POST", f"/talks/{talk_id}/accept")["version"]
    wait_until(
        lambda: (
            first.query.get(f"/talks/{talk_id}").json().get("version") == version
            if first.query.get(f"/talks/{talk_id}").status_code == 200
            else False
        )
    )
    assert first.stop() == 0

    second = start_stack(stack_folder)
    try:
        talk: dict[str, Any] = second.query.get(f"/talks/{talk_id}").json()
        assert talk["status"] == "accepted"
        assert (
            second.ok("PATCH", f"/talks/{talk_id}", {"title": "Persistent talk, resumed"})[
                "version"
            ]
            == 3
        )
        wait_until(lambda: second.query.get(f"/talks/{talk_id}").json()["version"] == 3)
        _assert_every_event_applied_once(stack_folder)
    finally:
        second.stop()
