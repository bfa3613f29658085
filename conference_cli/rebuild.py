"""``conference rebuild``: replay the event log into a new generation and switch to it.

``--verify`` compares it with the serving generation first and refuses to switch on a
difference (``--force`` switches anyway); ``--rollback`` switches back to the generation
the last rebuild replaced. Progress (rate, ETA) goes to stderr, the summary to stdout.

Exit status: 0 when the readers were switched, 1 when they were not (stopped, refused by
``--verify``, nothing to roll back to), 2 when the deployment cannot be read.
"""

from __future__ import annotations

import argparse
import random
import threading

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from conference_cli.check import UNREADABLE, cannot_read, positive
from query_service.rebuild import NothingToRollBack, Outcome, Verification
from query_service.rebuild.verify import sampled
from query_service.settings import QuerySettings, load_settings

SHOWN_MISMATCHES = 20


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "rebuild", help="rebuild the read models from the event log, then switch over atomically"
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--verify",
        action="store_true",
        help="compare the new read models with the serving ones before switching; "
        "refuse to switch on a difference",
    )
    parser.add_argument(
        "--sample", type=positive, metavar="N", help="with --verify: compare N random documents"
    )
    parser.add_argument("--seed", type=int, default=None, help="of the --sample choice")
    parser.add_argument(
        "--force", action="store_true", help="with --verify: switch even when they differ"
    )
    what.add_argument(
        "--rollback",
        action="store_true",
        help="switch back to the read models the last rebuild replaced",
    )


class RichProgress:
    """Events replayed with rate and ETA, and each phase as a line, on stderr."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._bar = Progress(
            TextColumn("replaying"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._task: TaskID | None = None

    def replayed(self, events: int, total: int) -> None:
        if self._task is None:
            self._bar.start()
            self._task = self._bar.add_task("replay", total=total, rate="")
        self._bar.update(self._task, completed=events, total=total)
        speed = self._bar.tasks[0].speed
        self._bar.update(self._task, rate=f"{speed:,.0f} events/s" if speed else "")

    def phase(self, message: str) -> None:
        self._console.print(f"[dim]…[/] {message}", highlight=False)

    def stop(self) -> None:
        self._bar.stop()


def run(args: argparse.Namespace, stop: threading.Event, console: Console | None = None) -> int:
    out = console or Console(soft_wrap=True)  # a summary line stays one line in a log
    if (args.sample or args.force) and not args.verify:
        out.print("[red]--sample and --force go with --verify.[/]")
        return 2
    settings = load_settings()
    progress = RichProgress(Console(stderr=True))
    try:
        if args.rollback:
            return _roll_back(settings, stop, progress, out)
        return _rebuild(args, settings, stop, progress, out)
    except UNREADABLE as error:
        return cannot_read("rebuild", error, out)
    finally:
        progress.stop()


def _rebuild(
    args: argparse.Namespace,
    settings: QuerySettings,
    stop: threading.Event,
    progress: RichProgress,
    out: Console,
) -> int:
    from query_service.rebuild import rebuild_read_models

    verification = _verification(args, settings) if args.verify else None
    out.print("Rebuilding the read models from the event log; the current ones keep serving.")
    outcome = rebuild_read_models(settings, stop, progress, verification=verification)
    progress.stop()
    _verified(outcome, out)
    if not outcome.switched:
        return _not_switched(outcome, out)
    out.print(f"Switched the search API over to the rebuilt read models ({outcome.generation}).")
    _figures(outcome, out)
    return 0 if _caught_up(outcome, out) else 1


def _roll_back(
    settings: QuerySettings, stop: threading.Event, progress: RichProgress, out: Console
) -> int:
    from query_service.rebuild import roll_back

    try:
        outcome = roll_back(settings, stop, progress)
    except NothingToRollBack as error:
        out.print(
            f"[red]Nothing to roll back to:[/] {error}.\n"
            "`conference status` lists the generations; `conference rebuild` makes a new one."
        )
        return 1
    progress.stop()
    if not outcome.switched:
        out.print("Stopped before the switch-over; the current read models are unchanged.")
        return 1
    out.print(f"Rolled back: the search API reads {outcome.generation} again.")
    return 0 if _caught_up(outcome, out) else 1


def _verification(args: argparse.Namespace, settings: QuerySettings) -> Verification:
    from command_service.adapters.write_model_reader import SqlWriteModel

    write_model = SqlWriteModel(settings.database_url)
    try:
        rng = random.Random(args.seed)
        talks, conferences = write_model.talk_ids(), write_model.conference_ids()
    finally:
        write_model.close()
    if args.sample is not None:  # split the sample between the kinds in proportion
        share = round(args.sample * len(talks) / max(1, len(talks) + len(conferences)))
        talks = sampled(talks, share, rng)
        conferences = sampled(conferences, args.sample - share, rng)
    return Verification(talks, conferences, force=args.force)


def _verified(outcome: Outcome, out: Console) -> None:
    report = outcome.verified
    if report is None:
        return
    if report.equal:
        out.print(f"Verified: {report.compared:,} documents equal ({report.seconds:.1f} s).")
        return
    out.print(
        f"[red]Verify found {len(report.mismatches)} of {report.compared:,} documents "
        "different:[/]",
        highlight=False,
    )
    for mismatch in report.mismatches[:SHOWN_MISMATCHES]:
        out.print(f"  {mismatch}", highlight=False)
    if len(report.mismatches) > SHOWN_MISMATCHES:
        out.print(f"  … and {len(report.mismatches) - SHOWN_MISMATCHES} more")


def _not_switched(outcome: Outcome, out: Console) -> int:
    if outcome.verified is not None and not outcome.verified.equal:
        out.print(
            "Not switched: the serving read models are unchanged. `conference check` compares "
            "them with the write model (`--repair` re-projects what differs); "
            "`conference rebuild --verify --force` switches despite the differences."
        )
    else:
        out.print("Stopped before the switch-over; the current read models are unchanged.")
    return 1


def _figures(outcome: Outcome, out: Console) -> None:
    rate = outcome.events / outcome.replay_seconds if outcome.replay_seconds else 0.0
    out.print(
        f"  {outcome.events:,} events replayed in {outcome.replay_seconds:.1f} s "
        f"({rate:,.0f} events/s); switch {outcome.switch_seconds * 1000:.1f} ms; "
        f"catch-up {outcome.catch_up_seconds:.1f} s.",
        highlight=False,
    )


def _caught_up(outcome: Outcome, out: Console) -> bool:
    if not outcome.caught_up:
        out.print(
            "[yellow]Stopped during the catch-up after the switch:[/] events written meanwhile "
            "may be missing. Run `conference check --repair`."
        )
    return outcome.caught_up
