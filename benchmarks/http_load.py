"""HTTP load for the write API: a closed loop for peak throughput, an open loop for latency.

Both run on one asyncio loop with ``httpx.AsyncClient`` keep-alive connections, so the
command API and its bare ceiling are driven by exactly the same client code; the client's
own cost is then in both figures alike, and their ratio is about the server side.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

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
) -> Throughput:
    """``concurrency`` clients, each sending its next POST as soon as the last answered.

    Only answers that arrive in the ``seconds`` after ``warmup`` count, so connection set-up,
    import-time caches and the pool filling up stay out of the figure.
    """
    return asyncio.run(_closed_loop(base_url, path, body, concurrency, seconds, warmup))


async def _closed_loop(
    base_url: str, path: str, body: BodyFactory, concurrency: int, seconds: float, warmup: float
) -> Throughput:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    counter = itertools.count()
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    window = (started + warmup, started + warmup + seconds)

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while (sent := time.perf_counter()) < window[1]:
            response = await client.post(path, json=body(next(counter)))
            done = time.perf_counter()
            if window[0] <= done <= window[1]:
                if response.status_code == 201:
                    latencies.append(done - sent)
                else:
                    errors += 1

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        await asyncio.gather(*(client_loop(client) for _ in range(concurrency)))
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
) -> Visibility:
    result = Visibility(rate)
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with (
        httpx.AsyncClient(base_url=command_url, limits=limits, timeout=30) as command,
        httpx.AsyncClient(limits=limits, timeout=10) as query,
    ):

        async def probe(index: int) -> None:
            sent = time.perf_counter()
            try:
                response = await command.post("/talks", json=body(index))
            except httpx.HTTPError:
                result.errors += 1
                return
            answered = time.perf_counter()
            if response.status_code != 201:
                result.errors += 1
                return
            result.command_latencies.append(answered - sent)
            if index % sample_every == 0:
                query_url = query_urls[index // sample_every % len(query_urls)]
                await until_visible(f"{query_url}/talks/{response.json()['id']}", sent)

        async def until_visible(url: str, sent: float) -> None:
            while time.perf_counter() - sent < visible_timeout:
                if (await query.get(url)).status_code == 200:
                    result.visible_latencies.append(time.perf_counter() - sent)
                    return
                await asyncio.sleep(poll_interval)
            result.timeouts += 1

        tasks: list[asyncio.Task[None]] = []
        started = time.perf_counter()
        for index in range(int(rate * seconds)):
            due = started + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                result.max_lag = max(result.max_lag, -delay)
            tasks.append(asyncio.create_task(probe(index)))
            result.sent += 1
        await asyncio.gather(*tasks)
    return result
