"""The product on its distributed shape behaves as on the embedded one, through crashes."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from tests.e2e.conftest import wait_until
from tests.e2e.test_resilience import _burst, _write_model
from tests.e2e.test_story import _conference, _submit, run_curl_story
from tests.e2e_distributed.conftest import DistributedStack


def test_the_curl_story_on_the_distributed_stack(distributed: DistributedStack) -> None:
    run_curl_story(distributed)  # type: ignore[arg-type]


def _restart_broker() -> None:
    """Stop and start the RabbitMQ application: every connection drops, queues survive."""
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        pytest.fail("rabbitmqctl is needed to restart the broker in this test")
    subprocess.run([ctl, "-q", "stop_app"], check=True, timeout=120)
    time.sleep(1.0)
    subprocess.run([ctl, "-q", "start_app"], check=True, timeout=120)
    subprocess.run([ctl, "-q", "await_startup"], check=True, timeout=120)


def test_crashes_and_a_broker_restart_lose_nothing_and_apply_nothing_twice(
    distributed: DistributedStack,
) -> None:
    stack = distributed
    conference_id = _conference(stack)  # type: ignore[arg-type]
    talk_ids = [
        _submit(stack, conference_id, f"Distributed talk {i}", f"Speaker {i}", [])  # type: ignore[arg-type]
        for i in range(8)
    ]
    versions = {t: stack.ok("POST", f"/talks/{t}/accept")["version"] for t in talk_ids}
    ratings: dict[str, dict[str, int]] = {t: {} for t in talk_ids}

    done: list[int] = []
    burst = (stack, conference_id, talk_ids, versions, ratings, done)
    writer = threading.Thread(target=_burst, args=burst)
    writer.start()
    wait_until(lambda: len(done) >= 30, what="the first burst")
    stack.roles["projector-1"].kill()
    stack.roles["relay"].kill()
    time.sleep(0.5)
    stack.roles["relay"].start()
    stack.roles["projector-1"].start()
    writer.join(timeout=120)
    assert not writer.is_alive()

    done.clear()
    writer = threading.Thread(target=_burst, args=burst)
    writer.start()
    wait_until(lambda: len(done) >= 30, what="the second burst")
    _restart_broker()
    writer.join(timeout=120)
    assert not writer.is_alive()

    _write_model(stack, talk_ids, versions, timeout=120)  # type: ignore[arg-type]
    for talk_id in talk_ids:
        rating = stack.query.get(f"/talks/{talk_id}").json()["rating"]
        given = list(ratings[talk_id].values())
        assert rating["count"] == len(given)
    _assert_journal_has_each_event_once(stack)
    _assert_no_dead_letters(stack)


def _assert_no_dead_letters(stack: DistributedStack) -> None:
    """Crashes and a broker restart delay events; none of them is poison (ADR 061)."""
    from query_service.dead_letters import list_dead_letters
    from query_service.settings import load_settings

    env = stack.roles["projector-2"].env
    keys = ("BROKER_URL", "SEARCH_ENGINE", "SEARCH_URL", "SEARCH_INDEX_PREFIX")
    settings = load_settings(**{k.lower(): env[k] for k in keys})
    assert list_dead_letters(settings) == []


def _assert_journal_has_each_event_once(stack: DistributedStack) -> None:
    """No event in the applied-events journal twice.

    On a search engine the journal is written after the documents (ADR 050), so a SIGKILL
    in between can drop an entry but never add one: completeness is proven by the read
    models equalling the write model (above), double application by this journal.
    """
    import sqlalchemy as sa

    from query_service.bootstrap import build_read_store
    from query_service.settings import load_settings

    env = stack.roles["projector-2"].env
    engine = sa.create_engine(env["DATABASE_URL"])
    with engine.connect() as connection:
        logged = {row[0] for row in connection.execute(sa.text("SELECT event_id FROM outbox"))}
    engine.dispose()
    keys = ("SEARCH_ENGINE", "SEARCH_URL", "SEARCH_INDEX_PREFIX")
    store = build_read_store(load_settings(**{k.lower(): env[k] for k in keys}))
    try:
        journal = store.applied_event_ids()
    finally:
        store.close()
    assert len(journal) == len(set(journal)), "an event was applied twice"
    assert set(journal) <= logged
    assert len(journal) >= 0.9 * len(logged), "the journal misses far more than crashes explain"


def test_rebuild_on_the_search_engine_switches_over_while_serving(
    distributed: DistributedStack,
) -> None:
    stack = distributed
    conference_id = _conference(stack)  # type: ignore[arg-type]
    talk_ids = [
        _submit(stack, conference_id, f"Rebuilt talk {i}", f"Speaker {i}", ["ops"])  # type: ignore[arg-type]
        for i in range(4)
    ]
    stack.ok("POST", f"/talks/{talk_ids[0]}/accept")
    stack.ok("PUT", f"/talks/{talk_ids[0]}/ratings/ann", {"stars": 5})

    def settled() -> bool:
        # The acceptance (talk stream) and the rating (ratings stream) may be applied in
        # either order by the two projectors: wait for both before taking the snapshot.
        talk: dict[str, Any] = stack.query.get(f"/talks/{talk_ids[0]}").json()
        return talk.get("status") == "accepted" and talk.get("rating", {}).get("count") == 1

    wait_until(settled)
    before = stack.query.get("/talks", params={"conference_id": conference_id}).json()

    rebuilt = subprocess.run(
        [sys.executable, "-m", "conference_cli", "rebuild"],
        cwd=stack.folder,
        env=stack.roles["projector-1"].env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "Switched the search API over" in rebuilt.stdout
    for query in stack.queries:
        assert query.get("/talks", params={"conference_id": conference_id}).json() == before
    stack.ok("PATCH", f"/talks/{talk_ids[1]}", {"title": "After the rebuild"})
    wait_until(
        lambda: stack.query.get(f"/talks/{talk_ids[1]}").json()["title"] == "After the rebuild",
        what="the live projectors to write into the rebuilt indices",
    )
