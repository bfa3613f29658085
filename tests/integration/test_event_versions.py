"""A retained outbox holding v1 events, written the way the code before v2 wrote them, is
rebuilt into read models as v2 (language ``en``), on each write store and each read store;
a version newer than the code knows is parked with its reason, not dropped (ADR 082)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from command_service.adapters.tables import outbox
from query_service.bootstrap import build_read_store
from query_service.dead_letters import list_dead_letters
from query_service.read_store.port import TalkQuery
from query_service.rebuild import rebuild_read_models
from query_service.settings import QuerySettings
from shared_domain.envelope import to_envelope
from shared_domain.events import ConferenceCreated, DomainEvent, JsonDict, TalkAccepted
from shared_domain.upcasting import TalkEditedV1
from tests.integration.conftest import trace
from tests.old_events import V1_DETAILS, v1_submitted
from tests.services import elasticsearch_url, opensearch_url, random_index_prefix


def _row(envelope: JsonDict) -> JsonDict:
    """An outbox row exactly as the write side records one (``event_type`` = its type)."""
    return {
        "event_id": envelope["id"],
        "aggregate_type": envelope["aggregatetype"],
        "aggregate_id": envelope["aggregateid"],
        "aggregate_version": envelope["aggregateversion"],
        "event_type": envelope["type"],
        "envelope": json.dumps(envelope),
        "recorded_at": datetime.now(UTC),
    }


def _envelope(event: DomainEvent) -> JsonDict:
    return to_envelope(event, trace())


@pytest.fixture
def old_outbox(engine: sa.Engine) -> tuple[str, str, str]:
    """Conference, a talk submitted and edited at v1, and a second talk submitted by a
    newer producer (v3): the ids of the conference, the v1 talk and the v3 one."""
    conference_id, talk_id, future_id = (str(uuid.uuid4()) for _ in range(3))
    created = ConferenceCreated(
        aggregate_id=conference_id,
        aggregate_version=1,
        name="Old",
        starts_on="2025-05-01",
        ends_on="2025-05-02",
        timezone="Europe/Berlin",
        stages=["Main"],
    )
    submitted = v1_submitted(talk_id, conference_id, "Recorded before languages")
    edited = TalkEditedV1(
        aggregate_id=talk_id, aggregate_version=2, title="Edited before languages", **V1_DETAILS
    )
    accepted = TalkAccepted(aggregate_id=talk_id, aggregate_version=3)
    future = _envelope(v1_submitted(future_id, conference_id, "From the future"))
    future["type"] = "conference.talk.submitted.v3"
    future["data"] |= {"language": "fr", "subtitles": ["en"]}
    envelopes = [_envelope(e) for e in (created, submitted, edited, accepted)] + [future]
    assert [e["type"] for e in envelopes][1:3] == [
        "conference.talk.submitted.v1",
        "conference.talk.edited.v1",
    ]
    with engine.begin() as connection:
        connection.execute(sa.insert(outbox), [_row(e) for e in envelopes])
    return conference_id, talk_id, future_id


READ_STORES = ["sqlite", "opensearch", "elasticsearch"]


@pytest.fixture(params=READ_STORES)
def settings(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> Iterator[QuerySettings]:
    if request.param == "sqlite":
        yield QuerySettings(
            database_url=database_url, search_url=f"sqlite:///{tmp_path / 'query.db'}"
        )
        return
    url = opensearch_url() if request.param == "opensearch" else elasticsearch_url()
    chosen = QuerySettings(
        database_url=database_url,
        search_url=url,
        search_engine=request.param,
        search_index_prefix=random_index_prefix(),
        search_index_replicas=0,
    )
    yield chosen
    store = build_read_store(chosen)
    try:
        store.drop()  # type: ignore[attr-defined]
    finally:
        store.close()


def test_v1_events_in_the_outbox_rebuild_as_v2_and_a_newer_one_is_parked(
    old_outbox: tuple[str, str, str], settings: QuerySettings
) -> None:
    conference_id, talk_id, future_id = old_outbox

    assert rebuild_read_models(settings, threading.Event()) is not None

    store = build_read_store(settings)
    try:
        talk = store.get_talk(talk_id)
        page = store.search_talks(TalkQuery(conference_id=conference_id, languages=("en",)))
        assert store.get_talk(future_id) is None
    finally:
        store.close()
    assert talk is not None
    assert talk.details is not None
    assert (talk.details.title, talk.details.language, talk.status) == (
        "Edited before languages",
        "en",
        "accepted",
    )
    assert [hit.talk.id for hit in page.items] == [talk_id]
    assert {f.value: f.count for f in page.facets["language"]} == {"en": 1}
    [letter] = list_dead_letters(settings)
    assert letter.event_type == "conference.talk.submitted.v3"
    assert letter.stream == f"talk/{future_id}"
    assert letter.reason.startswith("unknown_event_type: ")
    assert "newer than this consumer knows (v2)" in letter.reason
