"""The ceiling of the projector: bulk-index the same documents straight into the engine.

The index gets the read store's own talks mapping and settings (``index_body("talks")``,
the builder the adapter creates its indices with), and the documents are the projected
``_source`` documents as the projector wrote them, so the engine does the same analysis and
indexing work. What is left out is everything the projector adds around it: consuming and
acking messages, decoding CloudEvents, loading current documents (``_mget``), version
guards, the applied-events journal, the checkpoint and the refresh after every batch. The
documents go in chunks of the projector's batch size, serialised inside the timed loop, and
one ``_refresh`` at the end makes them searchable (it is part of the time).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from query_service.read_store.search_engine.mappings import index_body
from service_conventions.json_types import JsonDict


@dataclass(frozen=True)
class BulkResult:
    documents: int
    seconds: float


def create_talks_index(client: httpx.Client, index: str, replicas: int) -> None:
    """An index with exactly the mapping and settings of the read store's talks index."""
    client.put(f"/{index}", json=index_body("talks", replicas)).raise_for_status()


def _ndjson(index: str, documents: Sequence[JsonDict]) -> bytes:
    lines: list[str] = []
    for document in documents:
        lines.append(json.dumps({"index": {"_index": index, "_id": document["id"]}}))
        lines.append(json.dumps(document, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode()


def bulk_ingest(
    client: httpx.Client, index: str, documents: Sequence[JsonDict], *, chunk: int
) -> BulkResult:
    """Index ``documents`` with ``_bulk`` in chunks of ``chunk``, then refresh once."""
    started = time.perf_counter()
    for offset in range(0, len(documents), chunk):
        response = client.post(
            "/_bulk",
            content=_ndjson(index, documents[offset : offset + chunk]),
            headers={"Content-Type": "application/x-ndjson"},
        )
        response.raise_for_status()
        answer = response.json()
        if answer.get("errors"):
            failed = next(
                item for item in answer["items"] if next(iter(item.values())).get("error")
            )
            raise RuntimeError(f"bulk ingest refused a document: {failed}")
    client.post(f"/{index}/_refresh").raise_for_status()
    return BulkResult(len(documents), time.perf_counter() - started)


def every_source(search: httpx.Client, index: str) -> list[dict[str, Any]]:
    """Every ``_source`` document of ``index`` (or alias), in id order."""
    documents: list[dict[str, Any]] = []
    after: list[Any] | None = None
    while True:
        body: dict[str, Any] = {"size": 5000, "sort": [{"id": "asc"}], "query": {"match_all": {}}}
        if after is not None:
            body["search_after"] = after
        hits = search.post(f"/{index}/_search", json=body).json()["hits"]["hits"]
        if not hits:
            return documents
        documents += [hit["_source"] for hit in hits]
        after = hits[-1]["sort"]
