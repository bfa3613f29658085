"""What only the search-engine stores have: versioned indices behind aliases, per-document
version guards, the write order, and a clear "unavailable". Runs on every engine that
resolves (see conftest.py); the SQLite equivalents live in the shared contract."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest

from query_service.read_store.port import (
    Checkpoint,
    DocumentVersionConflict,
    ReadStoreUnavailable,
    TalkQuery,
    WriteBatch,
)
from query_service.read_store.search_engine import SearchEngineReadStore
from query_service.read_store.search_engine.client import EngineClient, IndexMissing, Refresh
from query_service.read_store.search_engine.factory import engine_client
from query_service.read_store.search_engine.naming import KINDS, IndexNames
from service_conventions.json_types import JsonDict
from tests.contract.read_store.documents import conference, new_id, talk

ENGINES = ["opensearch", "elasticsearch"]


def _replica(
    store: SearchEngineReadStore, client: EngineClient | None = None
) -> SearchEngineReadStore:
    """Another projector process on the same indices."""
    return SearchEngineReadStore(
        client or store._client, names=store.names, replicas=0, owns_client=False
    )


def _ids(store: SearchEngineReadStore) -> list[str]:
    return [hit.talk.id for hit in store.search_talks(TalkQuery()).items]


def test_aliases_serve_the_first_generation(engine_store: SearchEngineReadStore) -> None:
    assert engine_store.active_generation() == "g1"
    assert engine_store.generations() == ["g1"]
    engine_store.initialize()  # idempotent
    _replica(engine_store).initialize()
    assert engine_store.generations() == ["g1"]


def test_a_rebuilt_generation_serves_only_once_activated(
    engine_store: SearchEngineReadStore,
) -> None:
    old = talk(new_id("conf"))
    engine_store.write(WriteBatch(talks=[old]))
    generation = engine_store.create_generation()
    assert generation == "g2"
    target = engine_store.for_generation(generation)
    fresh = talk(new_id("conf"))
    target.write(WriteBatch(talks=[fresh], checkpoint=Checkpoint("rebuild", 0, 9)))
    assert _ids(engine_store) == [old.id]
    assert engine_store.checkpoint("rebuild") == 0
    engine_store.activate_generation(generation)
    assert _ids(engine_store) == [fresh.id]
    assert engine_store.checkpoint("rebuild") == 9
    assert engine_store.active_generation() == "g2"
    for kind in KINDS:
        holders = engine_store._client.indices(engine_store.names.alias(kind))
        assert set(holders) == {engine_store.names.index(kind, "g2")}
    assert engine_store.create_generation() == "g3"


def test_a_concurrent_write_fails_the_guard(engine_store: SearchEngineReadStore) -> None:
    conf_id = new_id("conf")
    doc = talk(conf_id, title="First")
    engine_store.write(WriteBatch(talks=[doc]))
    other = _replica(engine_store)
    mine = engine_store.load_documents([doc.id], [])
    theirs = other.load_documents([doc.id], [])
    other.write(
        WriteBatch(talks=[replace(theirs.talks[doc.id], talk_version=3)], versions=theirs.versions)
    )
    with pytest.raises(DocumentVersionConflict):
        engine_store.write(
            WriteBatch(talks=[replace(mine.talks[doc.id], talk_version=4)], versions=mine.versions)
        )
    assert engine_store.load_talks([doc.id])[doc.id].talk_version == 3


def test_a_write_is_guarded_by_the_load_it_carries_not_by_the_thread(
    engine_store: SearchEngineReadStore,
) -> None:
    """The versions travel in the batch: a load on one thread guards a write on another,
    and a plain read (``load_talks``) in between changes nothing."""
    doc = talk(new_id("conf"))
    engine_store.write(WriteBatch(talks=[doc]))
    with ThreadPoolExecutor(1) as elsewhere:
        loaded = elsewhere.submit(engine_store.load_documents, [doc.id], []).result()
    engine_store.write(WriteBatch(talks=[replace(doc, talk_version=2)]))
    engine_store.load_talks([doc.id])
    stale = replace(loaded.talks[doc.id], talk_version=5)
    with pytest.raises(DocumentVersionConflict):
        engine_store.write(WriteBatch(talks=[stale], versions=loaded.versions))
    assert engine_store.load_talks([doc.id])[doc.id].talk_version == 2


def test_two_replicas_creating_one_document(engine_store: SearchEngineReadStore) -> None:
    doc = talk(new_id("conf"))
    other = _replica(engine_store)
    mine, theirs = engine_store.load_documents([doc.id], []), other.load_documents([doc.id], [])
    assert mine.talks == {}
    assert theirs.talks == {}
    other.write(WriteBatch(talks=[doc], versions=theirs.versions))
    with pytest.raises(DocumentVersionConflict):
        engine_store.write(WriteBatch(talks=[replace(doc, talk_version=9)], versions=mine.versions))
    assert engine_store.load_talks([doc.id])[doc.id] == doc


def test_a_switch_over_between_load_and_write_writes_where_the_load_read(
    engine_store: SearchEngineReadStore,
) -> None:
    """The batch goes, guarded, to the generation its documents came from; the new one is
    untouched (the rebuild's catch-up applies those events there, ADR 081)."""
    doc = talk(new_id("conf"))
    engine_store.write(WriteBatch(talks=[doc]))
    loaded = engine_store.load_documents([doc.id], [])
    generation = engine_store.create_generation()
    new = engine_store.for_generation(generation)
    new.write(WriteBatch(talks=[doc]))
    engine_store.activate_generation(generation)
    engine_store.write(
        WriteBatch(talks=[replace(loaded.talks[doc.id], talk_version=5)], versions=loaded.versions)
    )
    assert engine_store.for_generation("g1").load_talks([doc.id])[doc.id].talk_version == 5
    assert new.load_talks([doc.id])[doc.id] == doc


def test_a_stale_load_still_loses_its_guard_after_a_switch_over(
    engine_store: SearchEngineReadStore,
) -> None:
    """Writing where the load read keeps the version guard: another write to that
    document in the old generation since the load is still a lost race."""
    doc = talk(new_id("conf"))
    engine_store.write(WriteBatch(talks=[doc]))
    loaded = engine_store.load_documents([doc.id], [])
    old = engine_store.for_generation("g1")
    old.write(WriteBatch(talks=[replace(doc, talk_version=2)]))
    engine_store.activate_generation(engine_store.create_generation())
    with pytest.raises(DocumentVersionConflict):
        engine_store.write(
            WriteBatch(
                talks=[replace(loaded.talks[doc.id], talk_version=5)], versions=loaded.versions
            )
        )
    assert old.load_talks([doc.id])[doc.id].talk_version == 2


def test_documents_loaded_from_two_generations_are_a_lost_race(
    engine_store: SearchEngineReadStore,
) -> None:
    """A switch-over between the loads of one batch: no single generation saw them all, so
    the batch is re-read rather than written across two."""
    first = talk(new_id("conf"))
    engine_store.write(WriteBatch(talks=[first]))
    before = engine_store.load_documents([first.id], [])
    generation = engine_store.create_generation()
    second = talk(new_id("conf"))
    engine_store.for_generation(generation).write(WriteBatch(talks=[first, second]))
    engine_store.activate_generation(generation)
    after = engine_store.load_documents([second.id], [])
    with pytest.raises(DocumentVersionConflict):
        engine_store.write(
            WriteBatch(
                talks=[replace(first, talk_version=7), replace(second, talk_version=7)],
                versions={**before.versions, **after.versions},
            )
        )
    assert engine_store.load_talks([first.id, second.id]) == {first.id: first, second.id: second}


class _CrashOnConferences:
    """A client whose bulk of conference documents never arrives (a crash in between)."""

    def __init__(self, inner: EngineClient) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def bulk(self, operations: Sequence[JsonDict], refresh: Refresh) -> JsonDict:
        if any("conferences" in str(op.get("index", {}).get("_index", "")) for op in operations):
            raise ConnectionError("crashed before the conference documents")
        return self._inner.bulk(operations, refresh)


def test_talks_are_written_before_conferences(engine_store: SearchEngineReadStore) -> None:
    conf_id = new_id("conf")
    doc = talk(conf_id)
    crashing = _replica(engine_store, _CrashOnConferences(engine_store._client))
    with pytest.raises(ConnectionError):
        crashing.write(WriteBatch(talks=[doc], conferences=[conference(conf_id)]))
    assert engine_store.get_talk(doc.id) == doc
    assert engine_store.get_conference(conf_id) is None


class _RecordingRefresh:
    """A client that records the ``refresh`` of every bulk of talk documents."""

    def __init__(self, inner: EngineClient) -> None:
        self._inner = inner
        self.talk_refreshes: list[Refresh] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def bulk(self, operations: Sequence[JsonDict], refresh: Refresh) -> JsonDict:
        if any("talks" in str(next(iter(op.values())).get("_index", "")) for op in operations):
            self.talk_refreshes.append(refresh)
        return self._inner.bulk(operations, refresh)


def test_a_batch_with_another_behind_it_leaves_the_refresh_to_that_one(
    engine_store: SearchEngineReadStore,
) -> None:
    recording = _RecordingRefresh(engine_store._client)
    store = _replica(engine_store, recording)
    first, second = talk(new_id("conf")), talk(new_id("conf"))
    store.write(WriteBatch(talks=[first], searchable_now=False))
    store.write(WriteBatch(talks=[second]))
    assert recording.talk_refreshes == ["false", "true"]
    assert sorted(_ids(engine_store)) == sorted([first.id, second.id]), "one refresh for both"


@pytest.mark.parametrize("engine", ENGINES)
def test_an_unreachable_engine_is_unavailable_with_advice(engine: str) -> None:
    client = engine_client(engine, "http://127.0.0.1:9")
    store = SearchEngineReadStore(client, names=IndexNames("nowhere-"), replicas=0)
    try:
        with pytest.raises(ReadStoreUnavailable, match=r"cannot reach .* SEARCH_URL"):
            store.ping()
    finally:
        store.close()


class _ShardsRecovering:
    """A client answering what a restarted node answers while a shard recovers: an
    ``error`` entry per document in a multi-get, instead of the document."""

    def __init__(self, inner: EngineClient) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def mget(self, index: str, ids: Sequence[str]) -> list[JsonDict]:
        error = {"type": "no_shard_available_action_exception", "reason": "No shard available"}
        return [{"_index": index, "_id": doc_id, "error": error} for doc_id in ids]


def test_a_document_whose_shard_is_not_ready_is_unavailable_not_absent(
    engine_store: SearchEngineReadStore,
) -> None:
    """Taken for absent, it would be written afresh, unguarded, over the real one."""
    doc = talk(new_id("conf"))
    engine_store.write(WriteBatch(talks=[doc]))
    recovering = _replica(engine_store, _ShardsRecovering(engine_store._client))
    with pytest.raises(ReadStoreUnavailable, match="No shard available"):
        recovering.load_documents([doc.id], [])
    assert engine_store.load_talks([doc.id]) == {doc.id: doc}


def test_creating_an_index_that_exists_answers_false_and_a_missing_document_none(
    engine_store: SearchEngineReadStore,
) -> None:
    """The engines' typed answers, not their messages, tell these cases apart."""
    client = engine_store._client
    name = engine_store.names.index("talks", "g1")
    assert client.create_index(name, {}) is False
    assert client.get(name, "no-such-document") is None
    with pytest.raises(IndexMissing):
        client.get(f"{name}-never-created", "any")
