"""What the outbox holds after commands: CloudEvents envelopes, versions without gaps."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from command_service.adapters.tables import outbox
from command_service.api.app import create_app
from command_service.settings import load_settings
from tests.command_api.conftest import Api, TestClient, assert_problem

CLOUDEVENTS_ATTRIBUTES = {
    "specversion",
    "id",
    "source",
    "type",
    "subject",
    "time",
    "datacontenttype",
    "data",
    "aggregatetype",
    "aggregateid",
    "aggregateversion",
    "correlationid",
    "causationid",
}


def test_every_event_is_a_cloudevent_with_contiguous_versions(api: Api) -> None:
    talk_id = api.talk(api.conference())
    api.ok("PATCH", f"/talks/{talk_id}", {"title": "Edited title"}, **{"X-Correlation-ID": "c-1"})
    api.ok("POST", f"/talks/{talk_id}/accept", **{"X-Correlation-ID": "c-2"})

    envelopes = api.outbox(talk_id)

    assert [e["aggregateversion"] for e in envelopes] == [1, 2, 3]
    assert [e["type"] for e in envelopes] == [
        "conference.talk.submitted.v2",
        "conference.talk.edited.v2",
        "conference.talk.accepted.v1",
    ]
    assert [e["correlationid"] for e in envelopes][1:] == ["c-1", "c-2"]
    for envelope in envelopes:
        assert set(envelope) >= CLOUDEVENTS_ATTRIBUTES
        assert envelope["specversion"] == "1.0"
        assert envelope["datacontenttype"] == "application/json"
        assert envelope["subject"] == envelope["aggregateid"] == talk_id
        assert envelope["aggregatetype"] == "talk"
        uuid.UUID(envelope["id"])
        assert datetime.fromisoformat(envelope["time"]).tzinfo is not None


def test_outbox_rows_carry_the_envelope_and_its_keys_in_position_order(api: Api) -> None:
    conference_id = api.conference()
    api.talk(conference_id)

    with api.engine.connect() as connection:
        rows = connection.execute(
            sa.select(outbox).where(outbox.c.position > 0).order_by(outbox.c.position)
        ).all()

    assert [row.position for row in rows] == sorted({row.position for row in rows})
    assert [row.aggregate_type for row in rows] == ["conference", "talk"]
    assert all(row.published_at is None for row in rows)
    assert rows[0].event_type == "conference.conference.created.v1"
    assert rows[0].aggregate_id == conference_id
    assert rows[0].aggregate_version == 1


def test_refused_commands_leave_no_trace(api: Api) -> None:
    conference_id = api.conference()
    talk_id = api.talk(conference_id)
    before = api.outbox()

    refusals = [
        api.send("PATCH", f"/conferences/{conference_id}", {"name": ""}),
        api.send("POST", f"/conferences/{conference_id}/stages", {"name": "main"}),
        api.send("DELETE", f"/conferences/{conference_id}/stages/Nope"),
        api.send(
            "PUT",
            f"/conferences/{conference_id}/schedule/{talk_id}",
            {"stage": "Main", "starts_at": "2026-06-01T10:00:00"},
        ),
        api.send("POST", f"/talks/{talk_id}/accept", **{"If-Match": '"9"'}),
        api.send("PATCH", f"/talks/{talk_id}", {"title": "x"}),
        api.send("PUT", f"/talks/{talk_id}/ratings/ann", {"stars": 5}),
        api.send("DELETE", f"/talks/{talk_id}/ratings/ann"),
    ]

    assert [r.status_code for r in refusals] == [422, 409, 409, 409, 412, 422, 409, 404]
    assert api.outbox() == before
    assert api.ok("POST", f"/talks/{talk_id}/accept", **{"If-Match": '"1"'})["version"] == 2
    assert api.ok("PATCH", f"/conferences/{conference_id}", {"name": "Z"})["version"] == 2


def test_ready_is_503_until_the_database_is_migrated(tmp_path: Path) -> None:
    app = create_app(load_settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}"))
    with TestClient(app) as client:
        assert_problem(client.get("/health/ready"), 503, "not-ready")
        assert client.get("/health/live").status_code == 200
