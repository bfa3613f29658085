"""What the relay puts on the wire, and what it marks published (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa

from command_service.adapters.tables import outbox
from command_service.adapters.unit_of_work import SqlUnitOfWork
from command_service.relay import ConfirmingPublisher, publish_pending
from command_service.relay.messages import PERSISTENT
from shared_domain.messaging import CONTENT_TYPE, EXCHANGE
from shared_domain.talk import Talk, TalkDetails
from shared_domain.values import Format, Level, Speaker
from tests.integration.conftest import new_conference, trace
from tests.relay.conftest import Tap, event_ids

pytestmark = pytest.mark.timeout(60)


def record_a_programme(engine: sa.Engine) -> None:
    """Events of two aggregate types, several versions each: 6 outbox rows."""
    conference = new_conference()
    details = TalkDetails.parse(
        title="Talk", speakers=[Speaker("Ann")], level=Level.BEGINNER, format=Format.TALK
    )
    talk = Talk.submit(str(uuid.uuid4()), conference.id, details)
    talk.accept()
    conference.schedule(talk, stage="Main", starts_at=datetime(2026, 6, 1, 10), speakers_of={})
    with SqlUnitOfWork(engine, trace("corr-relay")) as uow:
        uow.conferences.add(conference)
        uow.talks.add(talk)
        uow.commit()
    with SqlUnitOfWork(engine, trace("corr-relay")) as uow:
        uow.conferences.get(conference.id).rename("Renamed")
        uow.talks.get(talk.id).withdraw()
        uow.commit()


def stored_rows(engine: sa.Engine) -> list[sa.Row[str, str, object]]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(outbox.c.event_id, outbox.c.envelope, outbox.c.published_at).order_by(
                    outbox.c.position
                )
            )
        )


def test_every_row_is_published_once_in_position_order_and_marked(
    engine: sa.Engine, broker_url: str, tap: Tap
) -> None:
    tap.bind("#")
    record_a_programme(engine)
    rows = stored_rows(engine)
    assert len(rows) >= 6

    with ConfirmingPublisher.connect(broker_url, tap.exchange) as publisher:
        assert publish_pending(engine, publisher) == len(rows)
        assert publish_pending(engine, publisher) == 0  # nothing is sent twice

    received = tap.settle()
    assert [message.body.decode() for message in received] == [row.envelope for row in rows]
    assert all(row.published_at is not None for row in stored_rows(engine))
    for message, row in zip(received, rows, strict=True):
        envelope = json.loads(row.envelope)
        assert message.routing_key == envelope["type"]
        assert message.properties.delivery_mode == PERSISTENT
        assert message.properties.content_type == CONTENT_TYPE
        assert message.properties.message_id == row.event_id == envelope["id"]
        assert message.properties.headers == {
            "aggregatetype": envelope["aggregatetype"],
            "aggregateid": envelope["aggregateid"],
            "aggregateversion": envelope["aggregateversion"],
        }
        assert envelope["specversion"] == "1.0"
        assert envelope["correlationid"] == "corr-relay"
        assert {"id", "source", "type", "subject", "time", "data"} <= envelope.keys()


def test_returned_messages_stay_unpublished_until_someone_can_route_them(
    engine: sa.Engine, broker_url: str, tap: Tap
) -> None:
    tap.bind("conference.conference.#")  # nobody takes talk events yet: mandatory returns them
    record_a_programme(engine)
    talk_events = [
        row.event_id for row in stored_rows(engine) if '"aggregatetype":"talk"' in row.envelope
    ]
    assert talk_events

    with ConfirmingPublisher.connect(broker_url, tap.exchange) as publisher:
        published = publish_pending(engine, publisher)
        assert event_ids(engine, unpublished_only=True) == talk_events
        assert published == len(stored_rows(engine)) - len(talk_events)

        tap.bind("conference.talk.#")
        assert publish_pending(engine, publisher) == len(talk_events)

    assert event_ids(engine, unpublished_only=True) == []
    received = tap.settle()
    assert sorted(m.properties.message_id for m in received) == sorted(event_ids(engine))


def test_the_default_exchange_is_the_published_language_one() -> None:
    publisher = ConfirmingPublisher("amqp://guest:guest@127.0.0.1:1/%2F")
    assert publisher._exchange == EXCHANGE
