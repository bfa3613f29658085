"""What the write API's instrumentation costs per request, beside what a request costs.

The distributed benchmark's write-API figure moves by more than 5% between two runs of the
same code on a busy two-core machine, so a before/after comparison of it cannot resolve a
cost of a few microseconds. This script measures that cost directly, in one process:

1. the ceiling: a trivial ASGI app answering 201, called through an in-memory
   receive/send (no network, no framework): what a request costs at the least;
2. the same app wrapped in ``HttpMetricsMiddleware`` (the request histogram) and counting its
   outcome through ``counted`` (``conference_commands_total``): the instrumented request.

The difference is the instrumentation's cost per command; the last line relates it to the
CPU a real ``POST /talks`` takes (``--cpu-per-command-ms``, from the distributed benchmark:
two cores divided by its commands per second). Run:

    .venv/bin/python -m benchmarks.metrics_overhead [--requests 200000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from command_service.api.command_outcomes import counted
from command_service.handlers.runner import CommandRun
from service_conventions.metrics.serving import HttpMetricsMiddleware

Message = MutableMapping[str, Any]


@dataclass(frozen=True)
class SubmitTalk:
    """Stands in for a command: only its class name is a label."""


RUN = CommandRun(result=object(), replayed=False)  # type: ignore[arg-type]
START: Message = {"type": "http.response.start", "status": 201, "headers": []}
BODY: Message = {"type": "http.response.body", "body": b"{}"}


async def bare(scope: Message, receive: Any, send: Any) -> None:
    await send(START)
    await send(BODY)


async def counting(scope: Message, receive: Any, send: Any) -> None:
    counted(SubmitTalk(), lambda: RUN)
    await send(START)
    await send(BODY)


async def timed(app: Any, requests: int) -> float:
    """Microseconds per request."""
    scope = {"type": "http", "method": "POST", "route": None, "path": "/talks"}

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        return None

    started = time.perf_counter()
    for _ in range(requests):
        await app(scope, receive, send)
    return (time.perf_counter() - started) / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cpu-per-command-ms", type=float, default=6.6)
    args = parser.parse_args()
    instrumented = HttpMetricsMiddleware(counting, role="command-api")
    ceilings, figures = [], []
    for _ in range(args.rounds):  # alternated, so that noise hits both alike
        ceilings.append(asyncio.run(timed(bare, args.requests)))
        figures.append(asyncio.run(timed(instrumented, args.requests)))
    ceiling, figure = statistics.median(ceilings), statistics.median(figures)
    cost = figure - ceiling
    print("| measure                        | µs/request (median) |")
    print("|--------------------------------|---------------------|")
    print(f"| bare ASGI request (ceiling)    | {ceiling:19.2f} |")
    print(f"| with request histogram+counter | {figure:19.2f} |")
    print(f"| instrumentation                | {cost:19.2f} |")
    share = cost / (args.cpu_per_command_ms * 1000) * 100
    print(
        f"\ninstrumentation: {cost:.1f} µs per command = {share:.2f}% of the "
        f"{args.cpu_per_command_ms} ms of CPU a POST /talks takes"
    )


if __name__ == "__main__":
    main()
