"""Contract of the SQL unit of work and repositories: what one transaction guarantees."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from command_service.adapters.outbox import append_to_outbox
from command_service.adapters.tables import conferences, outbox, ratings, talks
from command_service.adapters.unit_of_work import SqlUnitOfWork
from command_service.errors import ConcurrencyConflict
from shared_domain.conference import Conference
from shared_domain.envelope import TraceContext
from shared_domain.errors import ConferenceNotFound, TalkNotFound
from shared_domain.events import DomainEvent
from shared_domain.talk import Talk, TalkDetails
from shared_domain.values import Format, Level, Speaker
from tests.integration.conftest import new_conference, store, trace


def outbox_rows(engine: sa.Engine) -> list[sa.Row[int, str]]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(outbox.c.position, outbox.c.envelope).order_by(outbox.c.position)
            )
        )


def stored_version(engine: sa.Engine, table: sa.Table, aggregate_id: str) -> int | None:
    with engine.connect() as connection:
        version: int | None = connection.scalar(
            sa.select(table.c.version).where(table.c.id == aggregate_id)
        )
        return version


def accepted_talk(conference_id: str) -> Talk:
    details = TalkDetails.parse(
        title="A talk", speakers=[Speaker("Ann")], level=Level.BEGINNER, format=Format.TALK
    )
    talk = Talk.submit(str(uuid.uuid4()), conference_id, details)
    talk.accept()
    return talk


def test_commit_saves_the_aggregate_and_its_events_together(engine: sa.Engine) -> None:
    conference = new_conference()

    with SqlUnitOfWork(engine, trace("corr-1")) as uow:
        uow.conferences.add(conference)
        uow.commit()

    assert stored_version(engine, conferences, conference.id) == 1
    [(position, envelope)] = outbox_rows(engine)
    event = json.loads(envelope)
    assert position >= 1
    assert (event["aggregateid"], event["aggregateversion"]) == (conference.id, 1)
    assert event["correlationid"] == "corr-1"
    with SqlUnitOfWork(engine, trace()) as uow:
        loaded = uow.conferences.get(conference.id)
    assert loaded.to_state() == conference.to_state()
    assert loaded.version == 1


def test_leaving_without_commit_rolls_everything_back(engine: sa.Engine) -> None:
    conference = new_conference()
    store(engine, conference)

    with SqlUnitOfWork(engine, trace()) as uow:
        uow.conferences.get(conference.id).rename("Never saved")

    def failing_handler() -> None:
        with SqlUnitOfWork(engine, trace()) as uow:
            uow.conferences.get(conference.id).rename("Nor this")
            raise RuntimeError("the handler failed")

    with pytest.raises(RuntimeError):
        failing_handler()

    assert stored_version(engine, conferences, conference.id) == 1
    assert len(outbox_rows(engine)) == 1


def test_saving_from_a_stale_version_is_a_concurrency_conflict(engine: sa.Engine) -> None:
    conference = new_conference()
    store(engine, conference)
    stale = Conference.from_state(conference.id, 1, conference.to_state())
    with SqlUnitOfWork(engine, trace()) as uow:
        uow.conferences.get(conference.id).rename("First writer")
        uow.commit()

    with SqlUnitOfWork(engine, trace()) as uow:
        stale.rename("Second writer")
        uow.conferences.add(stale)
        with pytest.raises(ConcurrencyConflict):
            uow.commit()

    assert stored_version(engine, conferences, conference.id) == 2
    assert [json.loads(e)["data"].get("name") for _, e in outbox_rows(engine)] == [
        "Conf",
        "First writer",
    ]


def test_creating_an_existing_id_is_a_concurrency_conflict(engine: sa.Engine) -> None:
    conference = new_conference()
    store(engine, conference)
    twin = Conference.create(
        conference.id,
        name="Twin",
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 6, 1),
        stages=["A"],
    )

    with SqlUnitOfWork(engine, trace()) as uow:
        uow.conferences.add(twin)
        with pytest.raises(ConcurrencyConflict):
            uow.commit()

    assert len(outbox_rows(engine)) == 1


def test_state_and_events_commit_together_or_not_at_all(engine: sa.Engine) -> None:
    conference = new_conference()
    store(engine, conference)

    def write_then_fail(
        connection: sa.Connection, events: Sequence[DomainEvent], trace: TraceContext
    ) -> None:
        append_to_outbox(connection, events, trace)  # the rows are written…
        raise OSError("…and then the outbox write fails")

    with SqlUnitOfWork(engine, trace(), write_outbox=write_then_fail) as uow:
        uow.conferences.get(conference.id).rename("Lost")
        with pytest.raises(OSError, match="outbox"):
            uow.commit()

    assert stored_version(engine, conferences, conference.id) == 1
    assert len(outbox_rows(engine)) == 1
    with SqlUnitOfWork(engine, trace()) as uow:
        assert uow.conferences.get(conference.id).name == "Conf"


def test_a_unit_of_work_saves_every_aggregate_it_changed(engine: sa.Engine) -> None:
    conference = new_conference()
    talk = accepted_talk(conference.id)

    with SqlUnitOfWork(engine, trace()) as uow:
        uow.conferences.add(conference)
        uow.talks.add(talk)
        conference.schedule(talk, stage="Main", starts_at=datetime(2026, 6, 1, 10), speakers_of={})
        uow.commit()

    assert stored_version(engine, conferences, conference.id) == 2
    assert stored_version(engine, talks, talk.id) == 2
    versions = [
        (json.loads(e)["aggregateid"], json.loads(e)["aggregateversion"])
        for _, e in outbox_rows(engine)
    ]
    assert sorted(versions) == sorted(
        [(talk.id, 1), (talk.id, 2), (conference.id, 1), (conference.id, 2)]
    )


def test_loading_twice_gives_the_same_object(engine: sa.Engine) -> None:
    conference = new_conference()
    talk = accepted_talk(conference.id)
    with SqlUnitOfWork(engine, trace()) as uow:
        uow.conferences.add(conference)
        uow.talks.add(talk)
        uow.commit()

    with SqlUnitOfWork(engine, trace()) as uow:
        assert uow.conferences.get(conference.id) is uow.conferences.get(conference.id)
        assert uow.talks.get(talk.id) is uow.talks.get_many([str(uuid.uuid4()), talk.id])[0]


def test_unknown_ids(engine: sa.Engine) -> None:
    unknown = str(uuid.uuid4())
    with SqlUnitOfWork(engine, trace()) as uow:
        assert uow.conferences.find(unknown) is None
        with pytest.raises(ConferenceNotFound):
            uow.conferences.get(unknown)
        with pytest.raises(TalkNotFound):
            uow.talks.get(unknown)
        assert uow.talks.get_many([unknown]) == []
        assert uow.talk_ratings.get(unknown).version == 0


def test_single_ratings_follow_the_summary(engine: sa.Engine) -> None:
    conference = new_conference()
    talk = accepted_talk(conference.id)
    with SqlUnitOfWork(engine, trace()) as uow:
        uow.conferences.add(conference)
        uow.talks.add(talk)
        uow.commit()

    def act(attendee: str, stars: int | None) -> None:
        with SqlUnitOfWork(engine, trace()) as uow:
            summary = uow.talk_ratings.get(talk.id)
            previous = uow.talk_ratings.stars_of(talk.id, attendee)
            if stars is None:
                summary.remove(attendee, previous)
            else:
                summary.rate(uow.talks.get(talk.id), attendee, stars, previous)
            uow.commit()

    act("ann", 5)
    act("bob", 3)
    act("ann", 1)
    act("bob", None)

    with engine.connect() as connection:
        assert connection.execute(sa.select(ratings.c.attendee_id, ratings.c.stars)).all() == [
            ("ann", 1)
        ]
    with SqlUnitOfWork(engine, trace()) as uow:
        summary = uow.talk_ratings.get(talk.id)
        assert (summary.version, summary.count, summary.total) == (4, 1, 1)
        assert uow.talk_ratings.stars_of(talk.id, "bob") is None


def test_idempotency_keys_are_recorded_once(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine, trace()) as uow:
        uow.idempotency.record("k", "f" * 64, {"id": "x", "version": 1})
        uow.commit()

    with SqlUnitOfWork(engine, trace()) as uow:
        assert uow.idempotency.find("k") == ("f" * 64, {"id": "x", "version": 1})
        assert uow.idempotency.find("other") is None
        with pytest.raises(ConcurrencyConflict):
            uow.idempotency.record("k", "g" * 64, {})


def test_a_unit_of_work_is_used_inside_its_block_only(engine: sa.Engine) -> None:
    with pytest.raises(RuntimeError, match="inside its `with` block"):
        SqlUnitOfWork(engine, trace()).commit()
