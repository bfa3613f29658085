"""``conference dead-letters``: inspect, replay and drop the events a projector parked."""

from __future__ import annotations

import argparse
import json

from query_service.dead_letters import (
    DeadLetterEntry,
    drop_dead_letters,
    list_dead_letters,
    replay_dead_letters,
    show_dead_letter,
)
from query_service.settings import load_settings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("dead-letters", help="list, show, replay or drop parked events")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="the parked events, oldest first")
    listing.add_argument("--limit", type=int, default=100)
    show = actions.add_parser("show", help="one parked event with its envelope")
    show.add_argument("id")
    replay = actions.add_parser("replay", help="feed parked events to the projector again")
    replay.add_argument("ids", nargs="*", help="the ids to replay (default: all, oldest first)")
    drop = actions.add_parser(
        "drop", help="discard parked events for good; their aggregates' later events go on"
    )
    drop.add_argument("ids", nargs="+")


def _line(entry: DeadLetterEntry) -> str:
    return (
        f"{entry.id:<38} {entry.event_type or '?':<42} {entry.stream or '?':<48} "
        f"attempts={entry.attempts}  {entry.reason}"
    )


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    match args.action:
        case "list":
            entries = list_dead_letters(settings, limit=args.limit)
            for entry in entries:
                print(_line(entry))
            print(f"{len(entries)} dead letter(s)")
            return 0
        case "show":
            found = show_dead_letter(settings, args.id)
            if found is None:
                print(f"No dead letter {args.id!r}; `conference dead-letters list` shows them.")
                return 1
            print(_line(found))
            print(f"where: {found.where}")
            print(
                json.dumps(json.loads(found.envelope), indent=2)
                if _is_json(found.envelope)
                else found.envelope
            )
            return 0
        case "replay":
            report = replay_dead_letters(settings, args.ids or None)
            print(f"replayed {len(report.replayed)}: {' '.join(report.replayed)}")
            for letter_id, why in report.refused.items():
                print(f"refused {letter_id}: {why}")
            for letter_id in report.missing:
                print(f"no dead letter {letter_id}")
            return 0 if not (report.refused or report.missing) else 1
        case "drop":
            dropped = drop_dead_letters(settings, args.ids)
            print(f"dropped {len(dropped.dropped)}: {' '.join(dropped.dropped)}")
            for letter_id, why in dropped.refused.items():
                print(f"refused {letter_id}: {why}")
            for letter_id in dropped.missing:
                print(f"no dead letter {letter_id}")
            return 0 if not (dropped.refused or dropped.missing) else 1
    raise AssertionError(f"unhandled action {args.action!r}")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
