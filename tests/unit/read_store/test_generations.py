"""Generation names go into table and index names: only ``g<number>``, ordered by number."""

from __future__ import annotations

import pytest

from query_service.read_store.generations import (
    FIRST_GENERATION,
    check_generation,
    generation_named,
    generation_number,
    is_generation,
)


def test_generations_are_ordered_by_number() -> None:
    names = ["g10", "g2", FIRST_GENERATION]
    assert sorted(names, key=generation_number) == ["g1", "g2", "g10"]
    assert generation_named(generation_number("g41") + 1) == "g42"


@pytest.mark.parametrize("name", ["", "g", "G1", "g1; DROP TABLE x", "g1234567", "talks", "g-1"])
def test_anything_else_is_refused(name: str) -> None:
    assert not is_generation(name)
    with pytest.raises(ValueError, match="invalid generation name"):
        check_generation(name)
    with pytest.raises(ValueError, match="invalid generation name"):
        generation_number(name)
