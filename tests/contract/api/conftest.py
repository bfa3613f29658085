"""The tally of generated requests, one per fuzz module: a full run of fewer than
``MIN_CASES`` fails it (a partial one, ``-k``, is not held to the bound)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.contract.api.fuzzing import Tally


@pytest.fixture(scope="module")
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    operations = sum(len(methods) for methods in request.module.schema.raw_schema["paths"].values())
    counted = Tally()
    yield counted
    if len(counted.cases) == operations:
        counted.assert_enough()
