"""``conference status`` on the distributed shape (PostgreSQL, RabbitMQ, OpenSearch): every
role ready and the queue consumed by both projectors; with the projectors stopped during a
burst, the screen shows them unreachable and the events waiting in the queue; once they are
back, it is healthy and caught up again."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tests.e2e.conftest import wait_until
from tests.e2e.test_story import _conference, _submit
from tests.e2e_distributed.conftest import DistributedStack

BURST = 30
PROJECTORS = ("projector-1", "projector-2")


def status(stack: DistributedStack, *args: str) -> subprocess.CompletedProcess[str]:
    relay, projector = (stack.roles[name].metrics_url for name in ("relay", "projector-1"))
    assert relay is not None
    assert projector is not None
    return subprocess.run(
        [
            *(sys.executable, "-m", "conference_cli", "status", *args),
            *("--command-url", str(stack.command.base_url)),
            *("--query-url", str(stack.queries[0].base_url)),
            *("--projector-url", projector, "--relay-url", relay),
        ],
        cwd=stack.folder,
        env={**stack.roles["command-api"].env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def report(stack: DistributedStack) -> dict[str, Any]:
    done = status(stack, "--json")
    data: dict[str, Any] = json.loads(done.stdout)
    assert done.returncode == (0 if data["healthy"] else 1)
    return data


def queue(data: dict[str, Any]) -> dict[str, Any]:
    main: dict[str, Any] = data["broker"]["queues"][0]
    return main


def test_status_follows_the_projectors_through_a_stop_during_a_burst(
    distributed: DistributedStack,
) -> None:
    stack = distributed
    conference_id = _conference(stack)  # type: ignore[arg-type]

    def healthy_and_caught_up() -> bool:
        data = report(stack)
        return bool(data["healthy"]) and data["projection"]["lag_events"] == 0

    wait_until(healthy_and_caught_up, timeout=60, what="a healthy, caught-up deployment")
    data = report(stack)
    assert data["shape"] == "distributed"
    assert [r["role"] for r in data["roles"]] == ["command-api", "query-api", "projector", "relay"]
    assert (queue(data)["consumers"], queue(data)["messages"]) == (2, 0)
    assert data["outbox"]["unpublished"] == 0
    assert data["read_store"]["engine"] == "opensearch"
    assert data["read_store"]["serving_generation"] is not None
    assert data["read_store"]["generations"][-1]["conferences"] == 1

    for name in PROJECTORS:
        stack.roles[name].stop()
    for n in range(BURST):
        _submit(stack, conference_id, f"Talk {n}", "Ada", ["ops"])  # type: ignore[arg-type]

    def waiting() -> bool:
        return bool(report(stack)["projection"]["lag_events"] >= BURST)

    wait_until(waiting, timeout=30, what="the burst to wait in the queue")
    stopped = status(stack)
    assert stopped.returncode == 1, stopped.stdout + stopped.stderr
    assert "needs attention: projector is unreachable" in stopped.stdout
    assert "0 consumer(s)" in stopped.stdout
    data = report(stack)
    assert queue(data)["consumers"] == 0
    assert queue(data)["messages"] >= BURST
    assert data["projection"]["lag_seconds"] is None  # no projector to say how old

    for name in PROJECTORS:
        stack.roles[name].start()
    wait_until(healthy_and_caught_up, timeout=60, what="the projectors to catch up")
    data = report(stack)
    assert data["read_store"]["generations"][-1]["talks"] == BURST
    assert queue(data)["consumers"] == 2
    assert data["projection"]["dead_letters"] == 0
    screen = status(stack)
    assert screen.returncode == 0, screen.stdout
    assert "distributed shape" in screen.stdout
    print(screen.stdout)
