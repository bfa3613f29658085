"""Read your writes over HTTP: a command, then at once a read with its Consistency-Token,
shows the command's effect every time (ADR 080).

Four command kinds take turns (edit a talk, rate it, rename the conference, move the
talk's slot), each read on the endpoint that shows it, on eight conferences at once (so
that waiters share the watcher). The scenario runs unchanged on the
distributed shape (``tests/e2e_distributed``), whose two query-api replicas are read in
turn.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple, Protocol

import httpx

from tests.e2e.conftest import Stack
from tests.e2e.test_story import _conference, _submit

ITERATIONS = 1000
WORKERS = 8
MAX_WAIT_MS = 10_000
"""The search API's bound: a loaded CI machine may lag seconds, and 503 is not stale."""
STAGES = ("Main", "Side")


class AnyStack(Protocol):
    @property
    def query(self) -> httpx.Client: ...

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> httpx.Response: ...

    def ok(self, method: str, path: str, body: Any = None) -> dict[str, Any]: ...


class Step(NamedTuple):
    """A command and the read whose answer must show it."""

    method: str
    path: str
    body: dict[str, Any]
    read: str
    shows: Callable[[dict[str, Any]], bool]


def _step(conference_id: str, talk_id: str, i: int) -> Step:
    talk, conference = f"/talks/{talk_id}", f"/conferences/{conference_id}"
    title, name, stars, stage = f"Take {i}", f"Consistent {i}", i % 5 + 1, STAGES[i // 4 % 2]
    rating = {"average": stars, "count": 1}
    return [
        Step("PATCH", talk, {"title": title}, talk, lambda t: t["title"] == title),
        Step(
            "PUT",
            f"{talk}/ratings/ann",
            {"stars": stars},
            f"/talks?conference_id={conference_id}",
            lambda page: page["items"][0]["rating"] == rating,
        ),
        Step("PATCH", conference, {"name": name}, conference, lambda c: c["name"] == name),
        Step(
            "PUT",
            f"{conference}/schedule/{talk_id}",
            {"stage": stage, "starts_at": "2027-03-01T10:00:00"},
            f"{conference}/schedule",
            lambda schedule: _stage_of(schedule, talk_id) == stage,
        ),
    ][i % 4]


def _stage_of(schedule: dict[str, Any], talk_id: str) -> str | None:
    for day in schedule["days"]:
        for stage in day["stages"]:
            if any(slot["talk_id"] == talk_id for slot in stage["slots"]):
                return str(stage["name"])
    return None


def run_read_your_writes(
    stack: AnyStack, iterations: int = ITERATIONS, workers: int = WORKERS
) -> dict[str, float]:
    """Every read with the command's token shows its effect, on ``workers`` conferences
    at once; returns the token reads' latency (median and worst, ms)."""
    with ThreadPoolExecutor(workers) as pool:
        runs = list(
            pool.map(lambda _: _one_conference(stack, iterations // workers), range(workers))
        )
    stale = [line for run in runs for line in run[0]]
    assert stale == [], f"{len(stale)} stale reads of {iterations}: {stale[:5]}"
    latencies = sorted(ms for run in runs for ms in run[1])
    return {"p50_ms": latencies[len(latencies) // 2], "max_ms": latencies[-1]}


def _one_conference(stack: AnyStack, iterations: int) -> tuple[list[str], list[float]]:
    conference_id = _conference(stack)  # type: ignore[arg-type]
    talk_id = _submit(stack, conference_id, "Tokens", "Ada", ["consistency"])  # type: ignore[arg-type]
    stack.ok("POST", f"/talks/{talk_id}/accept")
    stale: list[str] = []
    latencies: list[float] = []
    for i in range(iterations):
        method, path, body, read, shows = _step(conference_id, talk_id, i)
        command = stack.send(method, path, body)
        assert command.status_code in (200, 201), command.text
        token = {"Consistency-Token": command.headers["Consistency-Token"]}
        started = time.perf_counter()
        waiting = f"{read}{'&' if '?' in read else '?'}wait_ms={MAX_WAIT_MS}"
        answer = stack.query.get(waiting, headers=token)
        latencies.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (i, path, answer.text, _state(stack, read))
        if not shows(answer.json()):
            stale.append(f"{i}: {method} {path} -> {read}: {answer.text[:300]}")
    return stale, latencies


def _state(stack: AnyStack, read: str) -> str:
    """What the read model shows without waiting (for a failure's message)."""
    return stack.query.get(read).text[:500]


def test_a_read_with_the_commands_token_always_shows_it(stack: Stack) -> None:
    figures = run_read_your_writes(stack)
    print(f"embedded read-your-writes over {ITERATIONS} commands: {figures}")
