"""The read-store contract runs against every adapter through the ``read_store`` fixture.

Only SQLite exists today; Elasticsearch and OpenSearch join as further params of the same
fixture (resolved from ``SEARCH_URL`` or a container, else skipped loudly).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from query_service.read_store.sqlite import SqliteReadStore


@pytest.fixture(params=["sqlite"])
def read_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqliteReadStore]:
    if request.param == "sqlite":
        store = SqliteReadStore(tmp_path / "query.db")
        store.initialize()
        yield store
        store.close()
