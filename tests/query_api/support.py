"""A temp outbox with the command side's DDL, and a writer of real domain events into it.

``Programme`` numbers every aggregate's versions like the write side does, so tests read
as a story ("submit, accept, schedule, rate") and feed real CloudEvents envelopes.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from shared_domain.envelope import TraceContext, to_envelope
from shared_domain.events import (
    ConferenceCreated,
    DomainEvent,
    TalkAccepted,
    TalkRated,
    TalkRejected,
    TalkScheduled,
    TalkSubmitted,
    TalkUnscheduled,
    TalkWithdrawn,
)

OUTBOX_DDL = """CREATE TABLE IF NOT EXISTS outbox (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT UNIQUE,
    aggregate_type TEXT,
    aggregate_id TEXT,
    aggregate_version INTEGER,
    event_type TEXT,
    envelope TEXT,
    recorded_at TEXT,
    published_at TEXT NULL
)"""


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(OUTBOX_DDL)

    def append_envelope(self, envelope: str, *, event_id: str | None = None) -> None:
        with sqlite3.connect(self.path) as conn:
            conn.execute(
                "INSERT INTO outbox (event_id, envelope, recorded_at) VALUES (?, ?, 'now')",
                (event_id or str(uuid.uuid4()), envelope),
            )

    def append(self, *events: DomainEvent) -> None:
        trace = TraceContext(correlation_id=str(uuid.uuid4()), causation_id=str(uuid.uuid4()))
        with sqlite3.connect(self.path) as conn:
            conn.executemany(
                "INSERT INTO outbox (event_id, aggregate_type, aggregate_id, aggregate_version, "
                "event_type, envelope, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        e.event_id,
                        e.aggregate_type,
                        e.aggregate_id,
                        e.aggregate_version,
                        e.event_type(),
                        json.dumps(to_envelope(e, trace)),
                        e.occurred_at,
                    )
                    for e in events
                ],
            )

    def count(self) -> int:
        with sqlite3.connect(self.path) as conn:
            return int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])


class Programme:
    """Builds events with per-aggregate versions, appending them to the outbox."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self.versions: defaultdict[str, int] = defaultdict(int)
        self.ratings: defaultdict[str, list[int]] = defaultdict(list)

    def _next(self, aggregate_id: str) -> int:
        self.versions[aggregate_id] += 1
        return self.versions[aggregate_id]

    def conference(self, **fields: Any) -> str:
        conference_id = f"conf-{uuid.uuid4()}"
        values: dict[str, Any] = {
            "name": "DevConf",
            "starts_on": "2025-05-01",
            "ends_on": "2025-05-02",
            "timezone": "Europe/Berlin",
            "stages": ["Main", "Side"],
            **fields,
        }
        self.outbox.append(
            ConferenceCreated(aggregate_id=conference_id, aggregate_version=1, **values)
        )
        self.versions[conference_id] = 1
        return conference_id

    def submit(self, conference_id: str, **fields: Any) -> str:
        talk_id = f"talk-{uuid.uuid4()}"
        values: dict[str, Any] = {
            "title": "A talk",
            "abstract": "",
            "speakers": [{"name": "Ada Lovelace", "company": "ACME"}],
            "tags": [],
            "level": "beginner",
            "format": "talk",
            "duration_minutes": 40,
            "language": "en",
            **fields,
        }
        self.outbox.append(
            TalkSubmitted(
                aggregate_id=talk_id,
                aggregate_version=self._next(talk_id),
                conference_id=conference_id,
                **values,
            )
        )
        return talk_id

    def accept(self, talk_id: str) -> None:
        self.outbox.append(
            TalkAccepted(aggregate_id=talk_id, aggregate_version=self._next(talk_id))
        )

    def reject(self, talk_id: str) -> None:
        self.outbox.append(
            TalkRejected(aggregate_id=talk_id, aggregate_version=self._next(talk_id), reason="no")
        )

    def withdraw(self, talk_id: str, conference_id: str | None = None) -> None:
        events: list[DomainEvent] = [
            TalkWithdrawn(aggregate_id=talk_id, aggregate_version=self._next(talk_id))
        ]
        if conference_id is not None:
            events.append(
                TalkUnscheduled(
                    aggregate_id=conference_id,
                    aggregate_version=self._next(conference_id),
                    talk_id=talk_id,
                    reason="withdrawn",
                )
            )
        self.outbox.append(*events)

    def schedule(
        self, conference_id: str, talk_id: str, stage: str, starts_at: str, ends_at: str
    ) -> None:
        self.outbox.append(
            TalkScheduled(
                aggregate_id=conference_id,
                aggregate_version=self._next(conference_id),
                talk_id=talk_id,
                stage=stage,
                starts_at=starts_at,
                ends_at=ends_at,
            )
        )

    def unschedule(self, conference_id: str, talk_id: str) -> None:
        self.outbox.append(
            TalkUnscheduled(
                aggregate_id=conference_id,
                aggregate_version=self._next(conference_id),
                talk_id=talk_id,
                reason="moved",
            )
        )

    def rate(self, talk_id: str, stars: int) -> None:
        key = f"ratings:{talk_id}"
        self.ratings[talk_id].append(stars)
        given = self.ratings[talk_id]
        self.outbox.append(
            TalkRated(
                aggregate_id=talk_id,
                aggregate_version=self._next(key),
                attendee_id=f"attendee-{len(given)}",
                stars=stars,
                previous_stars=None,
                count=len(given),
                total=sum(given),
                average=round(sum(given) / len(given), 2),
            )
        )
