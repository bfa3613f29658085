"""What the projector relies on, and what each adapter says of itself, checked on each.

``guards_documents`` and ``searchable_now`` make the projector branch (its fence, its
pipelining, its refreshes), so each is a promise with a test: a store that says it guards
documents refuses a write over a newer version, a store that says it does not writes it
(then only the checkpoint fences), and every store fences with the checkpoint.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from query_service.read_store.port import (
    Checkpoint,
    CheckpointMoved,
    DocumentVersionConflict,
    ReadStore,
    TalkQuery,
    WriteBatch,
)
from query_service.read_store.search_engine import SearchEngineReadStore
from query_service.read_store.sqlite import SqliteReadStore
from tests.contract.read_store.documents import new_id, talk


def _twin(store: ReadStore, tmp_path: Path) -> ReadStore:
    """Another process on the same read models."""
    if isinstance(store, SqliteReadStore):
        return SqliteReadStore(tmp_path / "query.db")
    assert isinstance(store, SearchEngineReadStore)
    return SearchEngineReadStore(store._client, names=store.names, replicas=0, owns_client=False)


def test_guards_documents_says_whether_a_write_over_a_newer_version_is_refused(
    read_store: ReadStore, tmp_path: Path
) -> None:
    doc = talk(new_id("conf"))
    read_store.write(WriteBatch(talks=[doc]))
    other = _twin(read_store, tmp_path)
    mine = read_store.load_documents([doc.id], [])
    theirs = other.load_documents([doc.id], [])
    other.write(
        WriteBatch(talks=[replace(theirs.talks[doc.id], talk_version=3)], versions=theirs.versions)
    )
    stale = WriteBatch(talks=[replace(mine.talks[doc.id], talk_version=4)], versions=mine.versions)
    if read_store.guards_documents:
        with pytest.raises(DocumentVersionConflict):
            read_store.write(stale)
        assert read_store.load_talks([doc.id])[doc.id].talk_version == 3
    else:
        assert mine.versions == {}, "a store that does not guard hands out no versions"
        read_store.write(stale)
        assert read_store.load_talks([doc.id])[doc.id].talk_version == 4


def test_every_store_fences_a_write_with_the_checkpoint(read_store: ReadStore) -> None:
    doc = talk(new_id("conf"))
    read_store.write(WriteBatch(checkpoint=Checkpoint("fence", 0, 1)))
    with pytest.raises(CheckpointMoved):
        read_store.write(WriteBatch(talks=[doc], checkpoint=Checkpoint("fence", 0, 1)))
    assert read_store.load_talks([doc.id]) == {}
    assert read_store.checkpoint("fence") == 1


def test_a_searchable_now_write_is_found_as_soon_as_it_returns(read_store: ReadStore) -> None:
    later, now = talk(new_id("conf"), title="Quokka"), talk(new_id("conf"), title="Quokka")
    read_store.write(WriteBatch(talks=[later], searchable_now=False))
    read_store.write(WriteBatch(talks=[now], searchable_now=True))
    found = {hit.talk.id for hit in read_store.search_talks(TalkQuery(text="quokka")).items}
    assert found == {later.id, now.id}, "the second write makes both searchable"
