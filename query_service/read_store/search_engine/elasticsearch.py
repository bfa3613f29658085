"""Elasticsearch 8/9 through the official ``elasticsearch`` client: the ``EngineClient``
of the shared store.

The official client refuses servers that are not Elasticsearch (its product check), so
this adapter is tested only where an Elasticsearch answers (ADR 050)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import elastic_transport
from elasticsearch import ApiError, Elasticsearch, NotFoundError, UnsupportedProductError

from query_service.read_store.port import ReadStoreError, ReadStoreUnavailable
from query_service.read_store.search_engine.bulk import is_overload
from query_service.read_store.search_engine.client import (
    INDEX_EXISTS,
    IndexExists,
    IndexMissing,
    Refresh,
)
from service_conventions.json_types import JsonDict

ENGINE = "Elasticsearch"
HINT = "start it or point SEARCH_URL at it (SEARCH_ENGINE=opensearch for an OpenSearch)"


def _error_type(error: ApiError) -> str | None:
    """The ``error.type`` of the engine's answer, if it has one."""
    body: Any = error.body
    cause = body.get("error") if isinstance(body, Mapping) else None
    return str(cause.get("type")) if isinstance(cause, Mapping) else None


def _reason(error: ApiError) -> str:
    body: Any = error.body
    if isinstance(body, Mapping):
        cause = body.get("error")
        if isinstance(cause, Mapping):
            return f"{cause.get('type')}: {cause.get('reason')}"
    return str(error.message)


class ElasticsearchClient:
    engine = ENGINE

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url
        self._client = Elasticsearch(
            url, request_timeout=timeout, max_retries=2, retry_on_timeout=True
        )

    @contextmanager
    def _translated(self, what: str) -> Iterator[None]:
        try:
            yield
        except UnsupportedProductError:
            raise ReadStoreUnavailable(
                f"the server at {self.url} is not Elasticsearch; for an OpenSearch set "
                "SEARCH_ENGINE=opensearch"
            ) from None
        except (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout) as error:
            raise ReadStoreUnavailable(
                f"cannot reach {ENGINE} at {self.url} ({type(error).__name__}); {HINT}"
            ) from None
        except NotFoundError as error:
            raise IndexMissing(
                f"{ENGINE} at {self.url} has no {what} ({_reason(error)}); start the projector "
                "or the query API once so that the read store initialises its indices"
            ) from None
        except ApiError as error:
            if _error_type(error) == INDEX_EXISTS:
                raise IndexExists(f"{ENGINE} has the index already: {_reason(error)}") from None
            if is_overload(error.meta.status):
                raise ReadStoreUnavailable(
                    f"{ENGINE} at {self.url} is overloaded or failing ({error.meta.status}) "
                    f"on {what}: {_reason(error)}"
                ) from None
            raise ReadStoreError(f"{ENGINE} refused {what}: {_reason(error)}") from None
        except elastic_transport.TransportError as error:
            raise ReadStoreUnavailable(f"{ENGINE} at {self.url} failed: {error}") from None

    def info(self) -> JsonDict:
        with self._translated("the info request"):
            return dict(self._client.info().body)

    def search(self, index: str, body: JsonDict) -> JsonDict:
        with self._translated(f"index {index}"):
            return dict(self._client.search(index=index, body=body).body)

    def mget(self, index: str, ids: Sequence[str]) -> list[JsonDict]:
        with self._translated(f"index {index}"):
            response = self._client.mget(index=index, ids=list(ids))
        return list(response.body["docs"])

    def get(self, index: str, doc_id: str, *, realtime: bool = True) -> JsonDict | None:
        with self._translated(f"index {index}"):
            response = self._client.options(ignore_status=404).get(
                index=index, id=doc_id, realtime=realtime
            )
        body = dict(response.body)
        if body.get("found"):
            return body
        if "error" in body:  # the index is missing, not the document
            raise IndexMissing(f"{ENGINE} at {self.url} has no index {index}")
        return None

    def bulk(self, operations: Sequence[JsonDict], refresh: Refresh) -> JsonDict:
        with self._translated("the bulk request"):
            return dict(self._client.bulk(operations=list(operations), refresh=refresh).body)

    def create_index(self, name: str, body: JsonDict) -> bool:
        try:
            with self._translated(f"creating index {name}"):
                self._client.indices.create(index=name, body=body)
        except IndexExists:
            return False
        return True

    def indices(self, pattern: str) -> Mapping[str, set[str]]:
        try:
            with self._translated(f"index {pattern}"):
                response = self._client.indices.get_alias(index=pattern).body
        except IndexMissing:
            return {}
        return {name: set(entry.get("aliases", {})) for name, entry in response.items()}

    def created_at(self, pattern: str) -> Mapping[str, int]:
        with self._translated(f"index {pattern}"):
            try:
                response = self._client.indices.get_settings(
                    index=pattern, name="index.creation_date"
                ).body
            except NotFoundError:
                return {}
        return {
            name: int(entry["settings"]["index"]["creation_date"])
            for name, entry in response.items()
        }

    def update_aliases(self, actions: Sequence[JsonDict]) -> None:
        with self._translated("the alias switch"):
            self._client.indices.update_aliases(actions=list(actions))

    def refresh(self, index: str) -> None:
        with self._translated(f"index {index}"):
            self._client.indices.refresh(index=index)

    def put_mapping(self, index: str, body: JsonDict) -> None:
        with self._translated(f"the mapping of {index}"):
            self._client.indices.put_mapping(index=index, **body)

    def delete_indices(self, names: Sequence[str]) -> None:
        if names:
            with self._translated("deleting indices"):
                self._client.indices.delete(index=",".join(names), ignore_unavailable=True)

    def close(self) -> None:
        self._client.close()
