"""A read store made before talks had a language serves the language filter and facet
once started by the new code, without a rebuild (ADR 082): SQLite adds and fills the
column, a search engine adds the field to the mapping and reads a missing one as English."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from query_service.document_codec import talk_to_json
from query_service.documents import TalkDocument
from query_service.read_store.port import ReadStore, TalkQuery, WriteBatch
from query_service.read_store.search_engine import indexed, mappings
from query_service.read_store.sqlite import SqliteReadStore
from service_conventions.json_types import JsonDict
from tests.contract.read_store.conftest import search_engine_store
from tests.contract.read_store.documents import new_id, talk


def _without_language(source: JsonDict) -> JsonDict:
    """A document as the code before v2 wrote it."""
    old = {key: value for key, value in source.items() if key != "language"}
    old["doc"] = json.loads(json.dumps(source["doc"]))
    del old["doc"]["details"]["language"]
    return old


def _old_sqlite(path: Path, doc: TalkDocument) -> SqliteReadStore:
    store = SqliteReadStore(path)
    store.initialize()
    store.write(WriteBatch(talks=[doc]))
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE g1_talks DROP COLUMN language")
        stored = talk_to_json(doc)
        del stored["details"]["language"]
        conn.execute("UPDATE g1_talks SET doc = ? WHERE id = ?", (json.dumps(stored), doc.id))
    conn.close()
    return SqliteReadStore(path)


def _old_index(engine: str, doc: TalkDocument) -> ReadStore:
    store = search_engine_store(engine)
    client, names = store._client, store.names  # the old index, by hand
    body = mappings.index_body("talks", 0)
    del body["mappings"]["properties"]["language"]
    client.create_index(names.index("talks", "g1"), body)
    source = _without_language(indexed.talk_source(doc))
    client.bulk([{"index": {"_index": names.index("talks", "g1"), "_id": doc.id}}, source], "true")
    return store


@pytest.fixture(params=["sqlite", "opensearch", "elasticsearch"])
def upgraded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ReadStore, str]]:
    """An old store holding one English talk of conference ``conf``, then initialised."""
    conference_id = new_id("conf")
    doc = talk(conference_id)
    if request.param == "sqlite":
        store: ReadStore = _old_sqlite(tmp_path / "query.db", doc)
    else:
        store = _old_index(request.param, doc)
    try:
        store.initialize()
        yield store, conference_id
    finally:
        if request.param != "sqlite":
            store.drop()  # type: ignore[attr-defined]
        store.close()


def test_an_old_store_serves_languages_without_a_rebuild(
    upgraded: tuple[ReadStore, str],
) -> None:
    store, conference_id = upgraded
    french = talk(conference_id, language="fr")
    store.write(WriteBatch(talks=[french]))

    def ids(*languages: str) -> set[str]:
        query = TalkQuery(conference_id=conference_id, languages=languages)
        return {hit.talk.id for hit in store.search_talks(query).items}

    everything = store.search_talks(TalkQuery(conference_id=conference_id))
    old = next(hit.talk for hit in everything.items if hit.talk.id != french.id)
    assert old.details is not None
    assert old.details.language == "en"
    assert ids("en") == {old.id}
    assert ids("fr") == {french.id}
    assert ids("en", "fr") == {old.id, french.id}
    assert {f.value: f.count for f in everything.facets["language"]} == {"en": 1, "fr": 1}
