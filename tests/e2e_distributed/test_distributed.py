"""The product on its distributed shape behaves as on the embedded one, through crashes."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time

import pytest

from tests.e2e.conftest import wait_until
from tests.e2e.test_resilience import _burst, _write_model
from tests.e2e.test_story import _conference, _submit, test_the_curl_story
from tests.e2e_distributed.conftest import DistributedStack


def test_the_curl_story_on_the_distributed_stack(distributed: DistributedStack) -> None:
    test_the_curl_story(distributed)  # type: ignore[arg-type]


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

    writer = threading.Thread(
        target=_burst, args=(stack, conference_id, talk_ids, versions, ratings)
    )
    writer.start()
    wait_until(lambda: sum(len(r) for r in ratings.values()) >= 20, what="the first burst")
    stack.roles["projector-1"].kill()
    stack.roles["relay"].kill()
    time.sleep(0.5)
    stack.roles["relay"].start()
    stack.roles["projector-1"].start()
    writer.join(timeout=120)
    assert not writer.is_alive()

    writer = threading.Thread(
        target=_burst, args=(stack, conference_id, talk_ids, versions, ratings)
    )
    writer.start()
    wait_until(lambda: sum(len(r) for r in ratings.values()) >= 60, what="the second burst")
    _restart_broker()
    writer.join(timeout=120)
    assert not writer.is_alive()

    _write_model(stack, talk_ids, versions, timeout=120)  # type: ignore[arg-type]
    for talk_id in talk_ids:
        rating = stack.query.get(f"/talks/{talk_id}").json()["rating"]
        given = list(ratings[talk_id].values())
        assert rating["count"] == len(given)
    _assert_journal_has_each_event_once(stack)


def _assert_journal_has_each_event_once(stack: DistributedStack) -> None:
    import sqlalchemy as sa

    from query_service.bootstrap import build_read_store
    from query_service.settings import load_settings

    env = stack.roles["projector-2"].env
    engine = sa.create_engine(env["DATABASE_URL"])
    with engine.connect() as connection:
        logged = {row[0] for row in connection.execute(sa.text("SELECT event_id FROM outbox"))}
    engine.dispose()
    keys = ("SEARCH_ENGINE", "SEARCH_URL", "SEARCH_INDEX_PREFIX")
    settings = load_settings(**{k.lower(): env[k] for k in keys if k in env})
    store = build_read_store(settings)
    try:

        def complete() -> bool:
            return set(store.applied_event_ids()) >= logged  # type: ignore[attr-defined]

        wait_until(complete, timeout=60, what="the journal to list every event")
        journal = store.applied_event_ids()  # type: ignore[attr-defined]
    finally:
        store.close()  # type: ignore[attr-defined]
    assert len(journal) == len(set(journal)), "an event was applied twice"
    assert set(journal) == logged
