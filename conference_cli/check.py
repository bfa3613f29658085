"""``conference check``: do the read models equal the write model? ``--repair`` them.

Exit status: 0 when every aggregate checked is equal (with ``--repair``: when every one
that was not has been re-projected and is equal now), 1 when one still differs or is
missing, 2 when the deployment cannot be read (a database or read store that is away).
"""

from __future__ import annotations

import argparse
import random

import sqlalchemy as sa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from query_service.consistency.check import CheckReport, ConsistencyCheck
from query_service.consistency.compare import Verdict
from query_service.consistency.repair import Repair, RepairReport, live_fence
from query_service.read_store.port import ReadStoreUnavailable
from query_service.settings import QuerySettings, load_settings

CANNOT_READ = 2


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "check", help="compare the read models with the write model (exit 1 on a difference)"
    )
    parser.add_argument(
        "--sample", type=positive, metavar="N", help="check N random aggregates, not all"
    )
    parser.add_argument(
        "--repair",
        action="store_true",
        help="re-project every aggregate that differs from the retained outbox",
    )
    parser.add_argument(
        "--grace-seconds",
        type=float,
        default=5.0,
        metavar="S",
        help="how long an aggregate that is behind may take to catch up (default 5)",
    )
    parser.add_argument("--seed", type=int, default=None, help="of the --sample choice")


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run(args: argparse.Namespace, console: Console | None = None) -> int:
    out = console or Console()
    settings = load_settings()
    try:
        return _run(args, settings, out)
    except UNREADABLE as error:
        return cannot_read("check", error, out)


UNREADABLE = (sa.exc.OperationalError, sa.exc.ProgrammingError, ReadStoreUnavailable)
"""What a tool that reads the deployment meets when a database or read store is away."""


def cannot_read(what: str, error: Exception, out: Console) -> int:
    """Say which of the deployment's parts could not be read, and what to look at."""
    out.print(
        f"[red]Cannot {what}:[/] {type(error).__name__}: {_first_line(error)}\n"
        "Is DATABASE_URL (the command database, migrated) and the read store "
        "(SEARCH_URL) of this deployment reachable, with the same environment as its roles?",
        highlight=False,
    )
    return CANNOT_READ


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else ""


def _run(args: argparse.Namespace, settings: QuerySettings, out: Console) -> int:
    from command_service.adapters.write_model_reader import SqlWriteModel
    from query_service.bootstrap import build_read_store
    from query_service.consumers.outbox_log import OutboxLog

    write_model = SqlWriteModel(settings.database_url)
    store = build_read_store(settings)
    try:
        check = ConsistencyCheck(write_model, store, grace_seconds=args.grace_seconds)
        report = _checked(check, args, out)
        _summary(report, out)
        if report.consistent or not args.repair:
            return 0 if report.consistent else 1
        wrong = [v.aggregate for v in (*report.different, *report.missing)]
        outbox = OutboxLog(settings.database_url)
        try:
            repaired = Repair(store, outbox, write_model, consumer=live_fence(settings)).repair(
                wrong
            )
        finally:
            outbox.close()
        again = check.run(repaired.repaired)
        _repairs(repaired, again, out)
        return 0 if not repaired.failed and again.consistent else 1
    finally:
        store.close()
        write_model.close()


def _checked(check: ConsistencyCheck, args: argparse.Namespace, out: Console) -> CheckReport:
    aggregates = check.aggregates(args.sample, random.Random(args.seed))
    with Progress(
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=out,
        transient=True,
    ) as progress:
        task = progress.add_task("check", total=len(aggregates))
        return check.run(aggregates, progress=lambda n: progress.advance(task, n))


def _summary(report: CheckReport, out: Console) -> None:
    table = Table(title="write model vs read models", show_header=False, title_justify="left")
    for name, value in (
        ("checked", report.checked),
        ("equal", report.equal),
        ("behind, then equal", report.caught_up),
        ("different", len(report.different)),
        ("missing", len(report.missing)),
        ("still behind (lag)", len(report.behind)),
    ):
        table.add_row(name, str(value))
    out.print(table)
    for verdict in (*report.different, *report.missing):
        _print_verdict(verdict, out)
    if report.behind:
        out.print(
            f"[yellow]{len(report.behind)} still behind after the grace period:[/] the "
            "projector lags (see `conference status`); not a difference. Run again, or with "
            "a longer --grace-seconds, to compare them.",
            highlight=False,
        )
        for verdict in report.behind[:10]:
            _print_verdict(verdict, out)


def _print_verdict(verdict: Verdict, out: Console) -> None:
    out.print(f"[bold]{verdict.aggregate}[/] {verdict.kind.value}", highlight=False)
    for difference in verdict.differences:
        out.print(f"  {difference}", highlight=False, markup=False)


def _repairs(repaired: RepairReport, again: CheckReport, out: Console) -> None:
    out.print(f"repaired {len(repaired.repaired)} from the outbox", highlight=False)
    for aggregate, why in repaired.failed.items():
        out.print(f"[red]not repaired[/] {aggregate}: {why}", highlight=False)
    for verdict in (*again.different, *again.missing):
        out.print("[red]still not equal after the repair:[/]")
        _print_verdict(verdict, out)
    if not repaired.failed and again.consistent:
        out.print("every repaired aggregate now equals the write model")
