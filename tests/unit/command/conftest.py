"""Every handler test gets an empty in-memory store (``fakes.py``)."""

from __future__ import annotations

import pytest

from tests.unit.command.fakes import InMemoryStore


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()
