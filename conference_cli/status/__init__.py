"""``conference status [--json] [--watch]``: one screen for the deployment.

Exit status: 0 when every role is ready, every store can be read and no dead letter waits;
1 otherwise (the screen, or ``problems`` in the JSON, says what). ``--watch`` redraws every
``--interval`` seconds until Ctrl-C; with ``--json`` it prints one JSON object per line.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from rich.console import Console
from rich.live import Live

from conference_cli.status.report import StatusReport
from conference_cli.status.screen import render
from conference_cli.status.snapshot import RoleUrls, take
from query_service.settings import QuerySettings, load_settings

_DEFAULTS = RoleUrls()
_URL_OPTIONS = (
    ("command-url", "COMMAND_API_URL", _DEFAULTS.command_api, "the command API"),
    ("query-url", "QUERY_API_URL", _DEFAULTS.query_api, "the query API"),
    ("projector-url", "PROJECTOR_METRICS_URL", _DEFAULTS.projector, "a projector's metrics port"),
    ("relay-url", "RELAY_METRICS_URL", _DEFAULTS.relay, "a relay's metrics port"),
)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "status", help="one screen for the deployment: roles, backlog, lag, read models"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--watch", action="store_true", help="redraw until Ctrl-C")
    parser.add_argument(
        "--interval", type=_positive_seconds, default=2.0, help="of --watch (default 2 s)"
    )
    for option, variable, default, what in _URL_OPTIONS:
        parser.add_argument(
            f"--{option}", default=None, help=f"{what}; default: ${variable} or {default}"
        )


def _positive_seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def urls_of(args: argparse.Namespace) -> RoleUrls:
    given = [
        getattr(args, option.replace("-", "_")) or os.environ.get(variable) or default
        for option, variable, default, _ in _URL_OPTIONS
    ]
    return RoleUrls(*given)


def run(args: argparse.Namespace, console: Console | None = None) -> int:
    out = console or Console()
    settings = load_settings()
    urls = urls_of(args)
    if not args.watch:
        report = take(settings, urls)
        _show(report, args.json, out)
        return 0 if report.healthy else 1
    return _watch(settings, urls, args, out)


def _show(report: StatusReport, as_json: bool, out: Console) -> None:
    if as_json:
        print(json.dumps(report.to_json(), indent=2), flush=True)
    else:
        out.print(render(report))


def _watch(settings: QuerySettings, urls: RoleUrls, args: argparse.Namespace, out: Console) -> int:
    report = take(settings, urls)
    try:
        if args.json:
            while True:
                print(json.dumps(report.to_json()), flush=True)
                time.sleep(args.interval)
                report = take(settings, urls)
        with Live(render(report), console=out, auto_refresh=False) as live:
            while True:
                time.sleep(args.interval)
                report = take(settings, urls)
                live.update(render(report), refresh=True)
    except KeyboardInterrupt:
        pass
    return 0 if report.healthy else 1
