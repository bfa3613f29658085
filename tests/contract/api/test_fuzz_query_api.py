"""Schemathesis against the search API, in-process over ASGI, on a real SQLite read store.

Every check is on, in the examples, coverage and fuzzing phases. A programme is projected
into the store first (a conference, talks in every status, a schedule over two days,
ratings) and the path parameters draw from its ids part of the time, so the reads find
documents to shape, page and rank instead of answering 404.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI

from query_service.api.app import create_api
from query_service.consumers.outbox_tail import OutboxTail
from query_service.projector.projector import Projector
from query_service.projector.retry import RetryPolicy
from query_service.read_store.sqlite import SqliteReadStore
from tests.contract.api.documents import search_api_document
from tests.contract.api.fuzzing import CONFIG, FuzzCase, Tally, bounded, repair, steer_to
from tests.query_api.support import Outbox, Programme

MAX_EXAMPLES = 60
"""Per operation and phase: 6 reads and 2 probes give well over 500 requests."""


schema = schemathesis.openapi.from_dict(search_api_document(), config=CONFIG)
known: dict[str, list[str]] = {}
steer_to(schema, known)


def project_a_programme(directory: Path, store: SqliteReadStore) -> tuple[str, list[str]]:
    """Events of a small programme, through the projector into ``store``."""
    outbox = Outbox(directory / "command.db")
    programme = Programme(outbox)
    conference_id = programme.conference()
    talks = [
        programme.submit(conference_id, title="Scaling Kubernetes", tags=["kubernetes", "ops"]),
        programme.submit(conference_id, title="Typing Python", tags=["python"], level="advanced"),
        programme.submit(conference_id, title="Hands-on CQRS", format="workshop"),
        programme.submit(conference_id, title="Rejected idea"),
    ]
    programme.reject(talks[3])
    for talk_id, start in ((talks[0], "2025-05-01T08:00:00Z"), (talks[2], "2025-05-02T09:00:00Z")):
        programme.accept(talk_id)
        programme.schedule(
            conference_id, talk_id, "Main", start, start.replace(":00:00Z", ":40:00Z")
        )
    for stars in (5, 4, 2):
        programme.rate(talks[0], stars)
    retry = RetryPolicy(attempts=3, first_delay=0.001, max_delay=0.01)
    projector = Projector(OutboxTail(outbox.path, poll_interval=0.005), store, retry=retry)
    projector.run_until_idle()
    projector.close()
    return conference_id, talks


@pytest.fixture(scope="module")
def search_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """A search API over a seeded SQLite read store; ``known`` gets the seeded ids."""
    directory = tmp_path_factory.mktemp("fuzz-read")
    store = SqliteReadStore(directory / "query.db")
    store.initialize()
    conference_id, talk_ids = project_a_programme(directory, store)
    known.update(conference_id=[conference_id], talk_id=talk_ids)
    yield create_api(store)
    store.close()


@schema.parametrize()
@bounded(MAX_EXAMPLES)
def test_the_search_api_answers_as_documented(
    case: FuzzCase, search_app: FastAPI, tally: Tally
) -> None:
    tally.count(case)
    repair(case)
    case.call_and_validate(app=search_app)
