"""Generations, on every adapter: a rebuild's new one, the switch, and dropping old ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from query_service.read_store.port import ReadStore, WriteBatch
from tests.contract.read_store.documents import conference, new_id, talk


def test_an_inactive_generation_can_be_dropped_the_active_one_cannot(
    read_store: ReadStore,
) -> None:
    [first] = read_store.generations()
    second = read_store.create_generation()
    assert read_store.generations() == [first, second]

    read_store.activate_generation(second)
    with pytest.raises(ValueError, match="active"):
        read_store.drop_generation(second)
    read_store.drop_generation(first)

    assert read_store.generations() == [second]
    read_store.ping()  # the active generation still serves


def test_describe_generations_counts_documents_names_the_serving_one_and_its_birth(
    read_store: ReadStore,
) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    [first] = read_store.generations()
    conference_id = new_id("conference")
    read_store.write(
        WriteBatch(
            conferences=[conference(conference_id)],
            talks=[talk(conference_id), talk(conference_id)],
        )
    )
    second = read_store.create_generation()
    read_store.for_generation(second).write(WriteBatch(talks=[talk(conference_id)]))

    assert [(i.name, i.serving) for i in read_store.describe_generations()] == [
        (first, True),
        (second, False),
    ]
    read_store.activate_generation(second)  # makes the rebuild's writes searchable, too

    described = {info.name: info for info in read_store.describe_generations()}
    assert list(described) == [first, second]
    assert (described[first].serving, described[second].serving) == (False, True)
    assert (described[first].talks, described[first].conferences) == (2, 1)
    assert (described[second].talks, described[second].conferences) == (1, 0)
    for info in described.values():
        assert info.created_at is not None
        assert before <= info.created_at <= datetime.now(UTC) + timedelta(seconds=5)
