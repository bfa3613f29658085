"""Conference lookups, schedule, top talks, speakers, and the projector's writes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from query_service.read_store.port import (
    Checkpoint,
    CheckpointMoved,
    DeadLetter,
    SpeakerQuery,
    SpeakerSummary,
    TalkQuery,
    TopTalksQuery,
    WriteBatch,
)
from query_service.read_store.sqlite import SqliteReadStore
from tests.contract.read_store.documents import conference, new_id, talk

DAY1 = ("Main", "2025-05-01T08:00:00+00:00", "2025-05-01")
DAY1_LATER = ("Side", "2025-05-01T10:00:00+00:00", "2025-05-01")
DAY2 = ("Main", "2025-05-02T08:00:00+00:00", "2025-05-02")


@pytest.fixture
def conf_id(read_store: SqliteReadStore) -> str:
    conference_id = new_id("conf")
    read_store.write(WriteBatch(conferences=[conference(conference_id)]))
    return conference_id


def test_conference_round_trips(read_store: SqliteReadStore, conf_id: str) -> None:
    assert read_store.get_conference(conf_id) == conference(conf_id)
    assert read_store.get_conference(new_id("conf")) is None


def test_talk_counts_are_computed_from_talks(read_store: SqliteReadStore, conf_id: str) -> None:
    read_store.write(
        WriteBatch(
            talks=[
                talk(conf_id),
                talk(conf_id),
                talk(conf_id, lifecycle="accepted", slot=DAY1),
                talk(conf_id, lifecycle="withdrawn"),
                talk(new_id("conf")),
            ]
        )
    )
    assert read_store.talk_counts(conf_id) == {"submitted": 2, "scheduled": 1, "withdrawn": 1}


def test_scheduled_talks_by_day(read_store: SqliteReadStore, conf_id: str) -> None:
    late = talk(conf_id, lifecycle="accepted", slot=DAY1_LATER)
    early = talk(conf_id, lifecycle="accepted", slot=DAY1)
    second = talk(conf_id, lifecycle="accepted", slot=DAY2)
    withdrawn = talk(conf_id, lifecycle="withdrawn", slot=DAY1)
    read_store.write(WriteBatch(talks=[late, early, second, withdrawn, talk(conf_id)]))
    all_days = [t.id for t in read_store.scheduled_talks(conf_id, None)]
    assert all_days == [early.id, late.id, second.id]
    day1 = [t.id for t in read_store.scheduled_talks(conf_id, date(2025, 5, 1))]
    assert day1 == [early.id, late.id]


def test_top_talks(read_store: SqliteReadStore, conf_id: str) -> None:
    best = talk(conf_id, lifecycle="accepted", slot=DAY1, rating=(2, 10))
    popular = talk(conf_id, lifecycle="accepted", slot=DAY1, rating=(4, 16))
    good = talk(conf_id, lifecycle="accepted", slot=DAY1_LATER, rating=(2, 8))
    unrated = talk(conf_id, lifecycle="accepted", slot=DAY1)
    other_day = talk(conf_id, lifecycle="accepted", slot=DAY2, rating=(1, 5))
    not_scheduled = talk(conf_id, lifecycle="accepted", rating=(5, 25))
    read_store.write(WriteBatch(talks=[good, unrated, other_day, not_scheduled, popular, best]))

    def top(**options: object) -> list[str]:
        query = TopTalksQuery(conference_id=conf_id, **options)  # type: ignore[arg-type]
        return [t.id for t in read_store.top_talks(query)]

    assert top(day=date(2025, 5, 1)) == [best.id, popular.id, good.id]
    assert top(day=date(2025, 5, 1), limit=2) == [best.id, popular.id]
    assert top(day=date(2025, 5, 1), min_ratings=3) == [popular.id]
    assert top(day=date(2025, 5, 1), min_ratings=0)[-1] == unrated.id
    assert top() == [best.id, other_day.id, popular.id, good.id]


def test_speakers_group_by_name_ignoring_case_and_space(
    read_store: SqliteReadStore, conf_id: str
) -> None:
    read_store.write(
        WriteBatch(
            talks=[
                talk(conf_id, speakers=(("Ada Lovelace", "ACME"), ("Bob", None))),
                talk(conf_id, speakers=((" ada  LOVELACE ", "Analytical"),)),
                talk(conf_id, speakers=(("Ada Lovelace", "Rejected Inc"),), lifecycle="rejected"),
                talk(new_id("conf"), speakers=(("Ada Lovelace", "Elsewhere"),)),
            ]
        )
    )
    found = read_store.speakers(SpeakerQuery(conference_id=conf_id))
    assert list(found) == [
        SpeakerSummary(name=" ada  LOVELACE ", companies=("ACME", "Analytical"), talk_count=2),
        SpeakerSummary(name="Bob", companies=(), talk_count=1),
    ]
    by_text = read_store.speakers(SpeakerQuery(text="LOVE", conference_id=conf_id))
    assert [s.talk_count for s in by_text] == [2]
    everywhere = read_store.speakers(SpeakerQuery(text="ada lovelace"))
    assert everywhere[0].talk_count == 3


def test_checkpoint_is_compare_and_set(read_store: SqliteReadStore) -> None:
    consumer = new_id("consumer")
    assert read_store.checkpoint(consumer) == 0
    read_store.write(WriteBatch(checkpoint=Checkpoint(consumer, 0, 10)))
    assert read_store.checkpoint(consumer) == 10
    with pytest.raises(CheckpointMoved):
        read_store.write(WriteBatch(checkpoint=Checkpoint(consumer, 0, 12)))
    assert read_store.checkpoint(consumer) == 10


def test_a_lost_race_writes_nothing(read_store: SqliteReadStore, conf_id: str) -> None:
    consumer = new_id("consumer")
    read_store.write(WriteBatch(checkpoint=Checkpoint(consumer, 0, 5)))
    doc = talk(conf_id)
    with pytest.raises(CheckpointMoved):
        read_store.write(WriteBatch(talks=[doc], checkpoint=Checkpoint(consumer, 0, 7)))
    assert read_store.get_talk(doc.id) is None


def test_dead_letters_block_their_stream(read_store: SqliteReadStore) -> None:
    stream = f"talk/{new_id('talk')}"
    letter = DeadLetter(3, "e1", "conference.talk.edited.v1", stream, "boom", "{}", 5)
    read_store.write(WriteBatch(dead_letters=[letter]))
    assert read_store.blocked_streams([stream, "talk/other"]) == {stream}
    (stored,) = read_store.dead_letters()
    assert stored.id is not None
    assert replace(stored, id=None) == letter
    read_store.write(WriteBatch(resolved_dead_letters=[stored.id]))
    assert list(read_store.dead_letters()) == []
    assert read_store.blocked_streams([stream]) == set()


def test_a_new_generation_serves_only_once_activated(tmp_path: Path) -> None:
    """SQLite-specific: generations are its form of an index behind an alias."""
    path = tmp_path / "gen.db"
    live = SqliteReadStore(path)
    live.initialize()
    conf_id = new_id("conf")
    old = talk(conf_id)
    live.write(WriteBatch(talks=[old]))
    generation = live.create_generation()
    rebuild = SqliteReadStore(path, generation=generation)
    rebuild.initialize()
    fresh = talk(conf_id)
    rebuild.write(WriteBatch(talks=[fresh]))
    assert [h.talk.id for h in live.search_talks(TalkQuery()).items] == [old.id]
    live.activate_generation(generation)
    assert [h.talk.id for h in live.search_talks(TalkQuery()).items] == [fresh.id]


def test_ping(read_store: SqliteReadStore) -> None:
    read_store.ping()
