"""The write API (``POST /talks``) beside the bare endpoint, per worker count and shape.

For 1, 2 and 4 worker processes (``conference command-api --workers N``) it drives the
write API with the closed loop of ``benchmarks.http_load`` and then, with the same workers,
client and bodies, its ceiling: on the distributed shape (PostgreSQL) the bare FastAPI POST
of ``benchmarks/ceilings/bare_api.py``; on the embedded shape (SQLite) a bare FastAPI
endpoint that INSERTs one row and commits (``benchmarks/ceilings/bare_sqlite_api.py``). One
server runs at a time, so neither competes with the other for the cores. Afterwards it
reports the command API's resident memory (all its processes) after the run, and after
loading ``--load`` talks into the embedded shape. Run:

    .venv/bin/python -m benchmarks.write_api --seconds 10 --load 50000

Results go to ``benchmarks/results/write_api.{json,md,png}``; progress to stderr, the
table to stdout.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.distributed import create_conferences, say, spread_over
from benchmarks.http_load import Throughput, closed_loop
from benchmarks.isolated_stack import IsolatedStack, Role, Services, isolated_stack
from benchmarks.processes import rss_mb
from benchmarks.results_file import Row, markdown, write
from tests.e2e.conftest import free_port

WORKER_COUNTS = (1, 2, 4)
PER_WORKER_TARGET = 0.25
MEMORY_CEILING_MB = 150.0
"""The issue's bound for every role's resident memory after loading 50,000 talks."""


def _pid(role: Role) -> int:
    if role.process is None:
        raise RuntimeError(f"{role.name} is not running")
    return role.process.pid


class Shape:
    """One shape's environment: where the command API writes and what its ceiling is."""

    def __init__(self, stack: IsolatedStack, name: str, env: dict[str, str]) -> None:
        self.stack, self.name, self.env = stack, name, env

    def start(self, role: str, module: str, *args: str) -> tuple[Role, str]:
        port = free_port()
        started = Role(role, [module, *args, "--port", str(port)], self.env, self.stack.folder)
        started.start()
        url = f"http://127.0.0.1:{port}"
        self.stack.roles[role] = started
        self.stack.wait_ready(url)
        return started, url


def embedded_env(stack: IsolatedStack, file: str) -> dict[str, str]:
    """The stack's environment with the command database a fresh, migrated SQLite file."""
    (stack.folder / "var").mkdir(exist_ok=True)
    database = stack.folder / "var" / file
    env = {**stack.env, "DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run(
        [sys.executable, "-m", "conference_cli", "migrate"],
        cwd=stack.folder,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return env


def load(
    url: str, body: Callable[[int], dict[str, Any]], token: str, count: int, concurrency: int
) -> Throughput:
    """Submit ``count`` talks as fast as the API takes them (a closed loop until done)."""
    done = 0
    result: Throughput | None = None
    while done < count:
        result = closed_loop(
            url, "/talks", body, concurrency=concurrency, seconds=30.0, warmup=0.0, token=token
        )
        done += result.completed
        say(f"  loaded {done:,} talks ({result.per_second:,.0f}/s)")
    assert result is not None
    return result


def drive(
    url: str, body: Callable[[int], dict[str, Any]], args: argparse.Namespace, token: str | None
) -> Throughput:
    """The closed loop of ``benchmarks.http_load`` against ``POST /talks`` at ``url``."""
    result = closed_loop(
        url,
        "/talks",
        body,
        concurrency=args.concurrency,
        seconds=args.seconds,
        warmup=args.warmup,
        token=token,
    )
    say(f"  {result.per_second:,.0f} answers/s ({result.errors} errors)")
    return result


def measure_shape(
    shape: Shape, ceiling: Sequence[str], args: argparse.Namespace, rows: list[Row]
) -> None:
    for workers in args.workers:
        role, url = shape.start(
            "command-api", "conference_cli", "command-api", "--workers", str(workers)
        )
        token = shape.stack.organizer_token()
        conferences = create_conferences(url, count=8, token=token)
        body = spread_over(conferences)
        say(f"{shape.name}: write API, {workers} worker(s), {args.concurrency} clients")
        ours = drive(url, body, args, token)
        memory = rss_mb(_pid(role))
        shape.stack.stop("command-api")
        _, bare_url = shape.start("bare", *ceiling, "--workers", str(workers))
        say(f"{shape.name}: ceiling {ceiling[0]}, {workers} worker(s)")
        bare = drive(bare_url, body, args, None)
        shape.stack.stop("bare")
        name = ceiling[0].rsplit(".", 1)[-1]
        rows.append(
            Row(
                shape.name,
                f"POST /talks, {workers} worker(s)",
                ours.per_second,
                bare.per_second,
                "req/s",
                "higher",
                PER_WORKER_TARGET,
                name,
            )
        )
        rows.append(
            Row(
                shape.name,
                f"p50 latency, {workers} worker(s)",
                _p50(ours) * 1000,
                _p50(bare) * 1000,
                "ms",
                "lower",
                None,
                name,
            )
        )
        rows.append(
            Row(
                shape.name,
                f"command API RSS after the run, {workers} worker(s)",
                memory,
                MEMORY_CEILING_MB * workers,
                "MB",
                "lower",
                1.0,
                "150 MB per worker",
            )
        )


def _p50(result: Throughput) -> float:
    ordered = sorted(result.latencies)
    return ordered[len(ordered) // 2] if ordered else 0.0


def measure_loaded_memory(shape: Shape, args: argparse.Namespace, rows: list[Row]) -> None:
    role, url = shape.start("command-api", "conference_cli", "command-api")
    token = shape.stack.organizer_token()
    conferences = create_conferences(url, count=8, token=token)
    say(f"{shape.name}: loading {args.load:,} talks through one worker")
    before = rss_mb(_pid(role))
    load(url, spread_over(conferences), token, args.load, args.concurrency)
    after = rss_mb(_pid(role))
    say(f"  RSS {before:.0f} MB before, {after:.0f} MB after")
    shape.stack.stop("command-api")
    rows.append(
        Row(
            shape.name,
            f"command API RSS after loading {args.load:,} talks",
            after,
            MEMORY_CEILING_MB,
            "MB",
            "lower",
            1.0,
            "the issue's bound",
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--load", type=int, default=50_000, help="talks for the memory row")
    parser.add_argument("--shapes", default="distributed,embedded")
    parser.add_argument(
        "--workers",
        type=lambda given: [int(n) for n in given.split(",")],
        default=list(WORKER_COUNTS),
        help="worker counts, comma-separated",
    )
    parser.add_argument("--name", default="write_api", help="results file name")
    args = parser.parse_args()
    rows: list[Row] = []
    shapes = args.shapes.split(",")
    with isolated_stack(Services.from_environment()) as stack:
        if "distributed" in shapes:
            measure_shape(
                Shape(stack, "distributed", stack.env), ["benchmarks.ceilings.bare_api"], args, rows
            )
        if "embedded" in shapes:
            embedded = Shape(stack, "embedded", embedded_env(stack, "command.db"))
            database = str(stack.folder / "var" / "bare.db")
            ceiling = ["benchmarks.ceilings.bare_sqlite_api", "--database", database]
            measure_shape(embedded, ceiling, args, rows)
            if args.load:
                measure_loaded_memory(
                    Shape(stack, "embedded", embedded_env(stack, "loaded.db")), args, rows
                )
    print(markdown(rows))
    write(args.name, rows, notes=[f"{args.concurrency} clients, {args.seconds:.0f}s per figure"])


if __name__ == "__main__":
    main()
