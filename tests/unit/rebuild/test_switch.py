from __future__ import annotations

import pytest

from query_service.read_store.port import GenerationInfo
from query_service.rebuild.switch import NothingToRollBack, rollback_target


def _generations(serving: str, *names: str) -> list[GenerationInfo]:
    return [GenerationInfo(n, n == serving, 0, 0, None) for n in names]


def test_the_target_is_the_newest_generation_older_than_the_serving_one() -> None:
    assert rollback_target(_generations("g10", "g2", "g9", "g10", "g11")) == "g9"


def test_a_newer_generation_is_never_the_target() -> None:
    with pytest.raises(NothingToRollBack, match="g1 serves and no older generation is kept"):
        rollback_target(_generations("g1", "g1", "g2"))


def test_without_a_serving_generation_there_is_nothing_to_roll_back() -> None:
    with pytest.raises(NothingToRollBack, match="no generation serves"):
        rollback_target(_generations("none", "g1"))
