"""OpenSearch 2/3 through ``opensearch-py``: the ``EngineClient`` of the shared store."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from opensearchpy import JSONSerializer, OpenSearch
from opensearchpy import exceptions as errors

from query_service.read_store.port import ReadStoreError, ReadStoreUnavailable
from query_service.read_store.search_engine.bulk import is_overload
from query_service.read_store.search_engine.client import (
    INDEX_EXISTS,
    IndexExists,
    IndexMissing,
    Refresh,
)
from service_conventions.json_types import JsonDict

ENGINE = "OpenSearch"
CONNECTIONS = 10
"""As many as elasticsearch-py keeps by default (``connections_per_node``)."""
HINT = "start it (ops/opensearch-node/start for a local node) or point SEARCH_URL at it"


def _reason(error: errors.TransportError) -> str:
    info: Any = error.info
    if isinstance(info, Mapping):
        cause = info.get("error")
        if isinstance(cause, Mapping):
            return f"{cause.get('type')}: {cause.get('reason')}"
    return str(error.error)


class OrjsonSerializer(JSONSerializer):
    """``opensearch-py``'s JSON serializer with orjson doing the work: a ``_bulk`` of the
    projector's batch is one ``dumps`` per line, and the standard library's took 8% of the
    projector's CPU (ADR 083). What orjson does not know falls back to the stock
    ``default`` (dates, UUIDs, decimals); errors are the client's ``SerializationError``."""

    def loads(self, s: str) -> Any:
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError as error:
            raise errors.SerializationError(s, error) from None

    def dumps(self, data: Any) -> Any:
        if isinstance(data, str):
            return data
        try:
            return orjson.dumps(data, default=self.default, option=orjson.OPT_NON_STR_KEYS).decode()
        except TypeError as error:
            raise errors.SerializationError(data, error) from None


class OpenSearchClient:
    engine = ENGINE

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url
        self._client = OpenSearch(
            hosts=[url],
            timeout=timeout,
            max_retries=2,
            retry_on_timeout=True,
            # Kept-alive connections: the query API's worker threads and the projector's
            # two writers call at once (urllib3 keeps 1 by default and reconnects the rest).
            pool_maxsize=CONNECTIONS,
            serializer=OrjsonSerializer(),
        )

    @contextmanager
    def _translated(self, what: str) -> Iterator[None]:
        try:
            yield
        except errors.ConnectionError as error:
            raise ReadStoreUnavailable(
                f"cannot reach {ENGINE} at {self.url} ({type(error).__name__}); {HINT}"
            ) from None
        except errors.NotFoundError as error:
            raise IndexMissing(
                f"{ENGINE} at {self.url} has no {what} ({_reason(error)}); start the projector "
                "or the query API once so that the read store initialises its indices"
            ) from None
        except errors.TransportError as error:
            if error.error == INDEX_EXISTS:  # the client's parsed ``error.type``
                raise IndexExists(f"{ENGINE} has the index already: {_reason(error)}") from None
            if isinstance(error.status_code, int) and is_overload(error.status_code):
                raise ReadStoreUnavailable(
                    f"{ENGINE} at {self.url} is overloaded or failing ({error.status_code}) "
                    f"on {what}: {_reason(error)}"
                ) from None
            raise ReadStoreError(f"{ENGINE} refused {what}: {_reason(error)}") from None

    def info(self) -> JsonDict:
        with self._translated("the info request"):
            return dict(self._client.info())

    def search(self, index: str, body: JsonDict) -> JsonDict:
        with self._translated(f"index {index}"):
            return dict(self._client.search(index=index, body=body))

    def mget(self, index: str, ids: Sequence[str]) -> list[JsonDict]:
        with self._translated(f"index {index}"):
            response = self._client.mget(index=index, body={"ids": list(ids)})
        return list(response["docs"])

    def get(self, index: str, doc_id: str, *, realtime: bool = True) -> JsonDict | None:
        with self._translated(f"index {index}"):
            response = self._client.get(
                index=index, id=doc_id, ignore=[404], params={"realtime": str(realtime).lower()}
            )
        if response.get("found"):
            return dict(response)
        if "error" in response:
            raise IndexMissing(f"{ENGINE} at {self.url} has no index {index}")
        return None

    def bulk(self, operations: Sequence[JsonDict], refresh: Refresh) -> JsonDict:
        with self._translated("the bulk request"):
            return dict(self._client.bulk(body=list(operations), refresh=refresh))

    def create_index(self, name: str, body: JsonDict) -> bool:
        try:
            with self._translated(f"creating index {name}"):
                self._client.indices.create(index=name, body=body)
        except IndexExists:
            return False
        return True

    def indices(self, pattern: str) -> Mapping[str, set[str]]:
        with self._translated(f"index {pattern}"):
            response = self._client.indices.get_alias(index=pattern, ignore=[404])
        if "error" in response or "status" in response:
            return {}
        return {name: set(entry.get("aliases", {})) for name, entry in response.items()}

    def created_at(self, pattern: str) -> Mapping[str, int]:
        with self._translated(f"index {pattern}"):
            response = self._client.indices.get_settings(
                index=pattern, name="index.creation_date", ignore=[404]
            )
        if "error" in response or "status" in response:
            return {}
        return {
            name: int(entry["settings"]["index"]["creation_date"])
            for name, entry in response.items()
        }

    def update_aliases(self, actions: Sequence[JsonDict]) -> None:
        with self._translated("the alias switch"):
            self._client.indices.update_aliases(body={"actions": list(actions)})

    def refresh(self, index: str) -> None:
        with self._translated(f"index {index}"):
            self._client.indices.refresh(index=index)

    def put_mapping(self, index: str, body: JsonDict) -> None:
        with self._translated(f"the mapping of {index}"):
            self._client.indices.put_mapping(index=index, body=body)

    def delete_indices(self, names: Sequence[str]) -> None:
        if names:
            with self._translated("deleting indices"):
                self._client.indices.delete(index=",".join(names), ignore=[404])

    def close(self) -> None:
        self._client.close()
