"""``read_versions``: the marks a Consistency-Token waits for, as searches see them."""

from __future__ import annotations

import time
from dataclasses import replace

from query_service.read_store.port import ReadStore, TalkQuery, WriteBatch
from service_conventions.consistency.token import MarkKind, MarkRef
from tests.contract.read_store.documents import conference, new_id, talk


def test_each_mark_reads_its_own_version(read_store: ReadStore) -> None:
    conf_id = new_id("conf")
    doc = replace(talk(conf_id), talk_version=3, rating_version=5, schedule_version=8)
    read_store.write(WriteBatch(talks=[doc], conferences=[replace(conference(conf_id), version=8)]))
    refs: list[MarkRef] = [
        (MarkKind.TALK, doc.id),
        (MarkKind.RATINGS, doc.id),
        (MarkKind.SLOT, doc.id),
        (MarkKind.CONFERENCE, conf_id),
    ]
    assert read_store.read_versions(refs) == dict(zip(refs, (3, 5, 8, 8), strict=True))


def test_a_missing_or_partial_document_is_at_zero(read_store: ReadStore) -> None:
    rated_first = replace(
        talk(new_id("conf")), details=None, lifecycle=None, talk_version=0, rating_version=2
    )
    read_store.write(WriteBatch(talks=[rated_first]))
    missing = new_id("talk")
    refs: list[MarkRef] = [
        (MarkKind.TALK, rated_first.id),
        (MarkKind.RATINGS, rated_first.id),
        (MarkKind.TALK, missing),
        (MarkKind.CONFERENCE, new_id("conf")),
    ]
    assert read_store.read_versions(refs) == dict(zip(refs, (0, 2, 0, 0), strict=True))
    assert read_store.read_versions([]) == {}


def test_a_reached_mark_is_visible_to_every_read(read_store: ReadStore) -> None:
    """Written without a refresh (a batch with another behind it): once ``read_versions``
    says reached, the search and the lookup show that version, never an older one."""
    conf_id = new_id("conf")
    read_store.write(WriteBatch(conferences=[conference(conf_id)]))
    doc = replace(talk(conf_id, title="Before"), talk_version=1)
    read_store.write(WriteBatch(talks=[doc]))
    changed = replace(doc, details=replace(doc.details, title="After"), talk_version=2)  # type: ignore[type-var]
    read_store.write(WriteBatch(talks=[changed], searchable_now=False))
    ref = (MarkKind.TALK, doc.id)
    deadline = time.monotonic() + 10
    while read_store.read_versions([ref])[ref] < 2:
        assert time.monotonic() < deadline, "the write never became searchable"
        time.sleep(0.01)
    found = read_store.get_talk(doc.id)
    assert found is not None
    assert found.talk_version == 2
    [hit] = read_store.search_talks(TalkQuery(conference_id=conf_id)).items
    assert hit.talk.talk_version == 2


def test_versions_follow_the_serving_generation(read_store: ReadStore) -> None:
    conf_id = new_id("conf")
    read_store.write(WriteBatch(conferences=[replace(conference(conf_id), version=4)]))
    ref = (MarkKind.CONFERENCE, conf_id)
    fresh = read_store.create_generation()
    rebuilt = read_store.for_generation(fresh)
    rebuilt.write(WriteBatch(conferences=[replace(conference(conf_id), version=6)]))
    assert read_store.read_versions([ref]) == {ref: 4}
    read_store.activate_generation(fresh)
    assert read_store.read_versions([ref]) == {ref: 6}
