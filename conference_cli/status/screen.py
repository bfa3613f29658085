"""The status report as one screen for a person (``rich``); ``--json`` skips this."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from conference_cli.status.report import StatusReport

_STATE_STYLE = {"ready": "green", "not-ready": "yellow", "unreachable": "red"}


def render(report: StatusReport) -> RenderableType:
    verdict = (
        Text("healthy", style="bold green")
        if report.healthy
        else Text("needs attention: " + "; ".join(report.problems), style="bold yellow")
    )
    title = Text.assemble(
        ("Conference Program", "bold"),
        f" · {report.shape} shape · {report.taken_at:%Y-%m-%d %H:%M:%S} UTC · ",
        verdict,
    )
    return Group(title, _roles(report), _flow(report), _read_models(report))


def _roles(report: StatusReport) -> Table:
    table = Table(title="Roles", title_justify="left", expand=False)
    table.add_column("role")
    table.add_column("address")
    table.add_column("state")
    table.add_column("detail", overflow="fold")
    for role in report.roles:
        table.add_row(
            role.role,
            role.url,
            Text(role.state, style=_STATE_STYLE[role.state]),
            role.detail or "",
        )
    return table


def _flow(report: StatusReport) -> Table:
    table = Table(title="Event flow", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value", overflow="fold")
    outbox = report.outbox
    if outbox.error:
        table.add_row("outbox", Text(outbox.error, style="red"))
    else:
        table.add_row("outbox, newest position", str(outbox.newest_position))
        if outbox.unpublished is not None:
            table.add_row(
                "outbox, unpublished",
                f"{outbox.unpublished} (oldest {_seconds(outbox.oldest_unpublished_age_seconds)})",
            )
    if report.broker is not None:
        for queue in report.broker.queues:
            table.add_row(
                f"queue {queue.name}", f"{queue.messages} ready, {queue.consumers} consumer(s)"
            )
        if report.broker.error:
            table.add_row("broker", Text(report.broker.error, style="red"))
    projection = report.projection
    if projection.error:
        table.add_row("projection", Text(projection.error, style="red"))
    else:
        table.add_row(
            "projector lag",
            f"{projection.lag_events} event(s), {_seconds(projection.lag_seconds)}",
        )
        dead = projection.dead_letters or 0
        table.add_row(
            "dead letters",
            Text(str(dead), style="yellow" if dead else "")
            + Text("  (conference dead-letters list)" if dead else ""),
        )
    return table


def _read_models(report: StatusReport) -> Table | Text:
    store = report.read_store
    if store.error:
        return Text(f"Read models ({store.engine}): {store.error}", style="red")
    table = Table(title=f"Read models ({store.engine})", title_justify="left")
    for column in ("generation", "serving", "talks", "conferences", "made"):
        table.add_column(column)
    for generation in store.generations:
        table.add_row(
            generation.name,
            "yes" if generation.serving else "",
            str(generation.talks),
            str(generation.conferences),
            _moment(generation.created_at),
        )
    return table


def _seconds(value: float | None) -> str:
    return "unknown s" if value is None else f"{value:.1f} s"


def _moment(value: datetime | None) -> str:
    return "unknown" if value is None else f"{value:%Y-%m-%d %H:%M:%S}"
