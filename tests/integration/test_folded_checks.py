"""Checks folded into constraints (ADR 077): the same refusal as the query they replace,
and nothing written, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from command_service.adapters.tables import idempotency_keys, outbox, talks
from command_service.adapters.unit_of_work import SqlUnitOfWork
from command_service.errors import ConcurrencyConflict
from command_service.handlers.runner import IdempotencyClaim, run
from command_service.handlers.submit_talk import SubmitTalk, submit_talk
from shared_domain.errors import UnknownConference
from shared_domain.values import Format, Level, Speaker
from tests.integration.conftest import new_conference, trace


def submission(conference_id: str, talk_id: str | None = None) -> SubmitTalk:
    return SubmitTalk(
        talk_id=talk_id or str(uuid.uuid4()),
        conference_id=conference_id,
        title="Folded checks",
        speakers=(Speaker("Ada"),),
        level=Level("beginner"),
        format=Format("talk"),
    )


def rows(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def given_conference(engine: sa.Engine) -> str:
    conference = new_conference()
    with SqlUnitOfWork(engine, trace()) as uow:
        uow.conferences.add(conference)
        uow.commit()
    return conference.id


def test_a_talk_of_an_unknown_conference_is_refused_by_the_foreign_key(
    engine: sa.Engine,
) -> None:
    unknown = str(uuid.uuid4())
    claim = IdempotencyClaim(key="k-unknown", fingerprint="f")
    with pytest.raises(UnknownConference) as refused:
        run(
            submit_talk,
            submission(unknown),
            lambda: SqlUnitOfWork(engine, trace()),
            idempotency=claim,
        )
    assert [error.field for error in refused.value.errors] == ["conference_id"]
    assert (rows(engine, talks), rows(engine, outbox), rows(engine, idempotency_keys)) == (0, 0, 0)


def test_after_a_refusal_the_connection_serves_the_next_command(engine: sa.Engine) -> None:
    """The aborted transaction is rolled back, not left on the pooled connection."""
    with pytest.raises(UnknownConference):
        run(submit_talk, submission(str(uuid.uuid4())), lambda: SqlUnitOfWork(engine, trace()))
    conference_id = given_conference(engine)
    outcome = run(submit_talk, submission(conference_id), lambda: SqlUnitOfWork(engine, trace()))
    assert outcome.result.version == 1
    assert rows(engine, talks) == 1


def test_a_talk_id_that_exists_still_conflicts_and_writes_nothing(engine: sa.Engine) -> None:
    """The unique violation stays a lost race (ConcurrencyConflict, 409 after retries)."""
    conference_id = given_conference(engine)
    talk_id = str(uuid.uuid4())
    run(submit_talk, submission(conference_id, talk_id), lambda: SqlUnitOfWork(engine, trace()))
    before = rows(engine, outbox)
    with pytest.raises(ConcurrencyConflict):
        run(
            submit_talk,
            submission(conference_id, talk_id),
            lambda: SqlUnitOfWork(engine, trace()),
            sleep=lambda _: None,
        )
    assert (rows(engine, talks), rows(engine, outbox)) == (1, before)


def test_a_conference_and_its_talk_can_be_created_in_one_transaction(engine: sa.Engine) -> None:
    """Conferences are written before talks, so the foreign key finds the new one; the
    outbox still lists the talk's event first."""
    conference = new_conference()
    with SqlUnitOfWork(engine, trace()) as uow:
        uow.conferences.add(conference)
        submit_talk(submission(conference.id), uow)
        uow.commit()
    with engine.connect() as connection:
        types = list(
            connection.scalars(sa.select(outbox.c.aggregate_type).order_by(outbox.c.position))
        )
    assert types == ["talk", "conference"]
