"""Operator tasks against a running ``conference up``."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.e2e.conftest import Stack, wait_until
from tests.e2e.test_story import _conference, _submit


def test_rebuild_switches_to_an_equal_read_model_while_serving(stack: Stack) -> None:
    conference_id = _conference(stack)
    talk_ids = [
        _submit(stack, conference_id, f"Rebuilt talk {i}", f"Speaker {i}", ["ops"])
        for i in range(5)
    ]
    stack.ok("POST", f"/talks/{talk_ids[0]}/accept")
    stack.ok("PUT", f"/talks/{talk_ids[0]}/ratings/ann", {"stars": 4})
    wait_until(
        lambda: stack.query.get(f"/talks/{talk_ids[0]}").json().get("rating", {}).get("count") == 1
    )
    before = stack.query.get("/talks", params={"conference_id": conference_id}).json()

    rebuilt = subprocess.run(
        [sys.executable, "-m", "conference_cli", "rebuild"],
        cwd=stack.folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "Switched the search API over" in rebuilt.stdout
    assert stack.query.get("/talks", params={"conference_id": conference_id}).json() == before
    pruned = _cli(stack, "prune-generations")
    assert pruned.returncode == 0, pruned.stderr
    assert "dropped g1" in pruned.stdout
    assert "1 old generation(s) dropped; g2 serves." in pruned.stdout
    assert stack.query.get("/talks", params={"conference_id": conference_id}).json() == before
    stack.ok("PATCH", f"/talks/{talk_ids[1]}", {"title": "After the rebuild"})
    wait_until(
        lambda: stack.query.get(f"/talks/{talk_ids[1]}").json()["title"] == "After the rebuild",
        what="the live projector to follow the new generation",
    )


def _cli(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conference_cli", *args],
        cwd=stack.folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_poison_event_is_parked_listed_shown_and_dropped(stack: Stack) -> None:
    import sqlite3
    import uuid

    poison_id = str(uuid.uuid4())
    envelope = json.dumps(
        {
            "type": "conference.talk.accepted.v1",
            "id": poison_id,
            "aggregateid": "t-1",
            "aggregateversion": "one",
            "data": {},
        }
    )
    with sqlite3.connect(stack.folder / "var" / "command.db") as db:
        db.execute(
            "INSERT INTO outbox (event_id, aggregate_type, aggregate_id, aggregate_version, "
            "event_type, envelope, recorded_at) VALUES (?, 'talk', 't-1', 1, "
            "'conference.talk.accepted.v1', ?, '2026-01-01T00:00:00Z')",
            (poison_id, envelope),
        )
    conference_id = _conference(stack)  # the stream goes on behind the poison
    wait_until(lambda: stack.query.get(f"/conferences/{conference_id}").status_code == 200)

    listed = _cli(stack, "dead-letters", "list")
    assert listed.returncode == 0, listed.stderr
    assert "1 dead letter(s)" in listed.stdout
    letter_id = listed.stdout.split()[0]
    shown = _cli(stack, "dead-letters", "show", letter_id)
    assert shown.returncode == 0
    assert poison_id in shown.stdout
    dropped = _cli(stack, "dead-letters", "drop", letter_id)
    assert dropped.returncode == 0, dropped.stdout
    assert "0 dead letter(s)" in _cli(stack, "dead-letters", "list").stdout
    assert _cli(stack, "dead-letters", "show", letter_id).returncode == 1


def test_pruned_idempotency_keys_no_longer_answer_retries(stack: Stack) -> None:
    conference_id = _conference(stack)
    body = {"name": "Renamed once"}
    first = stack.send("PATCH", f"/conferences/{conference_id}", body, **{"Idempotency-Key": "k-1"})
    replay = stack.send(
        "PATCH", f"/conferences/{conference_id}", body, **{"Idempotency-Key": "k-1"}
    )
    assert replay.json() == first.json()

    pruned = _cli(stack, "prune-idempotency-keys", "--older-than-hours", "0")

    assert pruned.returncode == 0, pruned.stderr
    assert "Done: 1 idempotency keys deleted." in pruned.stdout
    renamed = stack.send(
        "PATCH",
        f"/conferences/{conference_id}",
        {"name": "Renamed twice"},
        **{"Idempotency-Key": "k-1"},
    )
    assert renamed.status_code == 200  # the key is free again: a new request, not a reuse
