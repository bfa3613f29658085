"""HTTP load for the write API: a closed loop for peak throughput, an open loop for latency.

Both run on one asyncio loop with keep-alive connections of ``benchmarks.raw_http`` (a
client cheap enough not to be the bottleneck itself), so the command API and its bare
ceiling are driven by exactly the same client code, and their ratio is about the servers.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchmarks.raw_http import RawClient

MAX_POLL_INTERVAL = 0.1
BodyFactory = Callable[[int], dict[str, Any]]


@dataclass(frozen=True)
class Throughput:
    completed: int
    errors: int
    seconds: float
    latencies: list[float]
    """Seconds per successful request completed inside the measured window."""

    @property
    def per_second(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0


def closed_loop(
    base_url: str,
    path: str,
    body: BodyFactory,
    *,
    concurrency: int,
    seconds: float,
    warmup: float,
    token: str | None = None,
) -> Throughput:
    """``concurrency`` clients, each sending its next POST as soon as the last answered.

    Only answers that arrive in the ``seconds`` after ``warmup`` count, so connection set-up,
    import-time caches and the pool filling up stay out of the figure.
    """
    return asyncio.run(_closed_loop(base_url, path, body, concurrency, seconds, warmup, token))


async def _closed_loop(
    base_url: str,
    path: str,
    body: BodyFactory,
    concurrency: int,
    seconds: float,
    warmup: float,
    token: str | None,
) -> Throughput:
    client = RawClient(base_url, max_connections=concurrency, token=token)
    counter = itertools.count()
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    window = (started + warmup, started + warmup + seconds)

    async def client_loop() -> None:
        nonlocal errors
        while (sent := time.perf_counter()) < window[1]:
            answer = await client.post(path, body(next(counter)))
            done = time.perf_counter()
            if window[0] <= done <= window[1]:
                if answer.status == 201:
                    latencies.append(done - sent)
                else:
                    errors += 1

    try:
        await asyncio.gather(*(client_loop() for _ in range(concurrency)))
    finally:
        await client.close()
    return Throughput(len(latencies), errors, seconds, latencies)


@dataclass
class Visibility:
    """Open-loop probes: how long commands took, and until their effect was searchable."""

    rate: float
    sent: int = 0
    errors: int = 0
    timeouts: int = 0
    command_latencies: list[float] = field(default_factory=list)
    visible_latencies: list[float] = field(default_factory=list)
    answered_to_visible: list[float] = field(default_factory=list)
    """From the command's 201 to searchable: the pipeline without the write API's queue."""
    sent_at: dict[str, float] = field(default_factory=dict)
    """Every created talk's id and when its command was sent (epoch seconds), so that the
    stack's own timestamps can time every command, not only the polled sample."""
    max_lag: float = 0.0
    """How far the sender fell behind its schedule (a lagging client invalidates pacing)."""


def paced_visibility(
    command_url: str,
    query_urls: list[str],
    body: BodyFactory,
    *,
    rate: float,
    seconds: float,
    sample_every: int,
    poll_interval: float = 0.005,
    visible_timeout: float = 30.0,
    token: str | None = None,
) -> Visibility:
    """Submit ``POST /talks`` at ``rate`` per second for ``seconds`` (open loop: a slow
    answer never delays the next command), and for every ``sample_every``-th command poll
    ``GET /talks/{id}`` on the query APIs in turn until it answers 200.

    The latency runs from sending the command to the first 200 of the search API, so it
    includes the write, the relay, the broker, the projector and the refresh.
    """
    return asyncio.run(
        _paced(
            command_url,
            query_urls,
            body,
            rate,
            seconds,
            sample_every,
            poll_interval,
            visible_timeout,
            token,
        )
    )


async def _paced(
    command_url: str,
    query_urls: list[str],
    body: BodyFactory,
    rate: float,
    seconds: float,
    sample_every: int,
    poll_interval: float,
    visible_timeout: float,
    token: str | None,
) -> Visibility:
    result = Visibility(rate)
    command = RawClient(command_url, max_connections=256, token=token)
    queries = [RawClient(url, max_connections=64) for url in query_urls]

    async def probe(index: int) -> None:
        sent_at = time.time()
        sent = time.perf_counter()
        try:
            answer = await command.post("/talks", body(index))
        except (OSError, asyncio.IncompleteReadError):
            result.errors += 1
            return
        answered = time.perf_counter()
        if answer.status != 201:
            result.errors += 1
            return
        result.command_latencies.append(answered - sent)
        talk_id = str(answer.json()["id"])
        result.sent_at[talk_id] = sent_at
        if index % sample_every == 0:
            query = queries[index // sample_every % len(queries)]
            await until_visible(query, f"/talks/{talk_id}", sent, answered)

    async def until_visible(query: RawClient, path: str, sent: float, answered: float) -> None:
        while (waited := time.perf_counter() - sent) < visible_timeout:
            if (await query.get(path)).status == 200:
                visible = time.perf_counter()
                result.visible_latencies.append(visible - sent)
                result.answered_to_visible.append(visible - answered)
                return
            # Within 5% of the latency so far: precise when it is fast, and a slow stack
            # is not buried under the probes' own polling load.
            await asyncio.sleep(max(poll_interval, min(waited / 20, MAX_POLL_INTERVAL)))
        result.timeouts += 1

    tasks: list[asyncio.Task[None]] = []
    started = time.perf_counter()
    try:
        for index in range(int(rate * seconds)):
            delay = started + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                result.max_lag = max(result.max_lag, -delay)
            tasks.append(asyncio.create_task(probe(index)))
            result.sent += 1
        await asyncio.gather(*tasks)
    finally:
        for client in (command, *queries):
            await client.close()
    return result
