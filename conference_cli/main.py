"""Entry point of ``conference``: parses the command line and hands over to one module."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from conference_cli import check, dead_letters, demo, rebuild, roles, status, supervisor, tokens
from service_conventions.logs import LoggingSettingError, configure_logging


def _port(default: int) -> int:
    return int(os.environ.get("PORT", default))


def _metrics_port(given: int | None, default: int) -> int:
    return given if given is not None else int(os.environ.get("METRICS_PORT", default))


def _workers(given: int | None) -> int:
    return given if given is not None else int(os.environ.get("WEB_CONCURRENCY", 1))


def _add_metrics_port(parser: argparse.ArgumentParser, default: int) -> None:
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=None,
        help=f"/metrics, /health/live and /health/ready; default: $METRICS_PORT or {default}; "
        "0 turns it off",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conference",
        description="Conference Program: a CQRS reference application. "
        "Configuration comes from the environment (DATABASE_URL, BROKER_URL, SEARCH_URL, "
        "SEARCH_ENGINE, AUTH_*); unset means the embedded default with its files under ./var.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = sub.add_parser("up", help="run every role on the embedded default (Ctrl-C stops)")
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--command-port", type=int, default=8000)
    up.add_argument("--query-port", type=int, default=8001)
    up.add_argument(
        "--metrics-port", type=int, default=9101, help="the projector's metrics port (0: off)"
    )

    for name, default, text in (
        ("command-api", 8000, "serve the write API"),
        ("query-api", 8001, "serve the search API"),
    ):
        role = sub.add_parser(name, help=text)
        role.add_argument("--host", default="127.0.0.1")
        role.add_argument("--port", type=int, default=None, help=f"default: $PORT or {default}")
        role.add_argument(
            "--workers",
            type=int,
            default=None,
            help="worker processes (default: $WEB_CONCURRENCY or 1); /metrics adds them up",
        )

    projector = sub.add_parser(
        "projector", help="keep the read models up to date with the event stream"
    )
    _add_metrics_port(projector, 9101)
    relay = sub.add_parser("relay", help="publish the outbox to the broker (distributed shape)")
    _add_metrics_port(relay, 9102)
    rebuild.add_parser(sub)
    sub.add_parser("migrate", help="bring the command database schema up to date")

    dead_letters.add_parser(sub)
    check.add_parser(sub)
    status.add_parser(sub)
    tokens.add_parser(sub)
    sub.add_parser(
        "prune-generations", help="drop the old read models a rebuild kept for a rollback"
    )
    prune = sub.add_parser(
        "prune-idempotency-keys", help="forget idempotency keys older than their retention"
    )
    prune.add_argument("--older-than-hours", type=float, default=24.0)

    demo_parser = sub.add_parser("demo", help="load a sample programme through the write API")
    demo_parser.add_argument("--command-url", default="http://127.0.0.1:8000")
    demo_parser.add_argument("--query-url", default="http://127.0.0.1:8001")
    demo_parser.add_argument("--seed", type=int, default=2026)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        configure_logging(role=args.command)
    except LoggingSettingError as error:
        print(f"conference: {error}", file=sys.stderr)
        return 2
    match args.command:
        case "up":
            return supervisor.up(args.host, args.command_port, args.query_port, args.metrics_port)
        case "command-api":
            return roles.command_api(args.host, args.port or _port(8000), _workers(args.workers))
        case "query-api":
            return roles.query_api(args.host, args.port or _port(8001), _workers(args.workers))
        case "projector":
            return roles.projector(_metrics_port(args.metrics_port, 9101))
        case "relay":
            return roles.relay(_metrics_port(args.metrics_port, 9102))
        case "rebuild":
            return roles.rebuild(args)
        case "check":
            return check.run(args)
        case "status":
            return status.run(args)
        case "dead-letters":
            return dead_letters.run(args)
        case "prune-generations":
            return roles.prune_generations()
        case "prune-idempotency-keys":
            return roles.prune_idempotency_keys(args.older_than_hours)
        case "migrate":
            return roles.migrate()
        case "token":
            return tokens.run(args)
        case "demo":
            return demo.load(args.command_url, args.query_url, seed=args.seed)
    raise AssertionError(f"unhandled command {args.command!r}")
