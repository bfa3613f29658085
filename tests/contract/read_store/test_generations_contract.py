"""Generations, on every adapter: a rebuild's new one, the switch, and dropping old ones."""

from __future__ import annotations

import pytest

from query_service.read_store.port import ReadStore


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
