"""The seam between the store and an engine's Python client: plain dicts in and out.

Both engines speak the same REST API for everything the store needs; their official
clients differ in keyword names (``operations=`` vs ``body=``), response types and
exception classes. ``EngineClient`` is that small common surface; ``elasticsearch.py`` and
``opensearch.py`` implement it and translate the client's exceptions into the port's:

- the engine cannot be reached -> ``ReadStoreUnavailable`` (the API answers 503);
- an index or alias is missing -> ``IndexMissing`` (also "unavailable": not initialised);
- anything else the engine refuses -> ``ReadStoreError`` with the engine's reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, Protocol

from query_service.read_store.port import ReadStoreError, ReadStoreUnavailable
from service_conventions.json_types import JsonDict

Refresh = Literal["true", "false", "wait_for"]


class IndexMissing(ReadStoreUnavailable):
    """An index or alias the store needs does not exist (yet)."""


class IndexExists(ReadStoreError):
    """An index to create exists already (another process created it first)."""


INDEX_EXISTS = "resource_already_exists_exception"
"""The engine's error type for it (both engines answer 400 with this ``error.type``)."""


class EngineClient(Protocol):
    engine: str
    """"Elasticsearch" or "OpenSearch", for messages."""
    url: str

    def info(self) -> JsonDict: ...

    def search(self, index: str, body: JsonDict) -> JsonDict: ...

    def mget(self, index: str, ids: Sequence[str]) -> list[JsonDict]:
        """The ``docs`` of a realtime multi-get (each with ``found``, ``_index``,
        ``_seq_no``, ``_primary_term`` and ``_source`` when found)."""

    def get(self, index: str, doc_id: str, *, realtime: bool = True) -> JsonDict | None:
        """The whole response, or None when the document is missing. Realtime reads see
        writes before a refresh (what the projector's guards need); non-realtime ones see
        exactly what searches see (what the API answers with)."""

    def bulk(self, operations: Sequence[JsonDict], refresh: Refresh) -> JsonDict: ...

    def create_index(self, name: str, body: JsonDict) -> bool:
        """Create ``name``; False (not an error) when it exists already."""

    def indices(self, pattern: str) -> Mapping[str, set[str]]:
        """Concrete indices matching ``pattern`` (an index, alias or wildcard), each with
        the aliases it holds; empty when nothing matches."""

    def created_at(self, pattern: str) -> Mapping[str, int]:
        """The ``index.creation_date`` (epoch milliseconds) of each index matching
        ``pattern``; empty when nothing matches."""

    def update_aliases(self, actions: Sequence[JsonDict]) -> None:
        """Apply all ``actions`` in one atomic ``_aliases`` call."""

    def refresh(self, index: str) -> None: ...

    def put_mapping(self, index: str, body: JsonDict) -> None:
        """Add fields to an index's mapping (never changes an existing one)."""

    def delete_indices(self, names: Sequence[str]) -> None: ...

    def close(self) -> None: ...
