"""The search benchmark's floor on OpenSearch: the same request bodies, sent straight.

For every query type the adapter's own request (``query_builder``: the body of a search,
of top talks, the get of one talk) is sent by a bare Starlette endpoint straight to the
engine and its raw answer returned: what the engine costs for the same answer, with none
of our parsing or presenting. The same bodies go to a copy of the talks index that uses
the engine's default BM25 similarity, to show what ADR 050's scripted similarity costs.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from benchmarks import search_corpus as corpus
from query_service.read_store.cursor import decode_cursor
from query_service.read_store.port import TalkQuery, TopTalksQuery, WriteBatch
from query_service.read_store.search_engine import query_builder as qb
from query_service.read_store.search_engine.factory import build_search_engine_store
from query_service.read_store.search_engine.mappings import SIMILARITY, index_body
from query_service.read_store.search_engine.store import SearchEngineReadStore

Request = dict[str, Any]
"""method, path (under the engine's URL, ``{index}`` for the talks index) and body."""


def store(url: str, prefix: str) -> SearchEngineReadStore:
    return build_search_engine_store("opensearch", url, prefix=prefix, replicas=0)


def load(url: str, prefix: str, talks: int) -> float:
    """Writes the corpus through the write port; then copies the talks index to one with
    the default similarity. Returns the seconds the load took."""
    started = time.perf_counter()
    engine = store(url, prefix)
    engine.write(WriteBatch(conferences=[corpus.conference()]))
    batch = []
    for talk in corpus.talks(talks):
        batch.append(talk)
        if len(batch) == 1000:
            engine.write(WriteBatch(talks=batch, searchable_now=False))
            batch = []
    engine.write(WriteBatch(talks=batch))
    engine.close()
    seconds = time.perf_counter() - started
    _copy_with_default_similarity(url, prefix)
    return seconds


def _default_bm25(mapping: Any) -> Any:
    """The talks mapping with every field on the engine's own BM25."""
    if isinstance(mapping, dict):
        return {
            k: ("BM25" if k == "similarity" and v == SIMILARITY else _default_bm25(v))
            for k, v in mapping.items()
            if k != "similarity" or v == SIMILARITY
        }
    return mapping


def bm25_index(prefix: str) -> str:
    return f"{prefix}talks-default-bm25"


def _copy_with_default_similarity(url: str, prefix: str) -> None:
    body = index_body("talks", 0)
    body["settings"].pop("similarity", None)
    body["mappings"] = _default_bm25(body["mappings"])
    with httpx.Client(base_url=url, timeout=600) as client:
        client.put(f"/{bm25_index(prefix)}", json=body).raise_for_status()
        client.post(
            "/_reindex?wait_for_completion=true&refresh=true",
            json={"source": {"index": f"{prefix}talks"}, "dest": {"index": bm25_index(prefix)}},
        ).raise_for_status()


def drop(url: str, prefix: str) -> None:
    with httpx.Client(base_url=url, timeout=60) as client:
        client.delete(f"/{prefix}*")


def request(query: TalkQuery | TopTalksQuery | str) -> Request:
    """The adapter's request for what a case asks (SearchEngineReadStore's own bodies)."""
    if isinstance(query, str):
        return {"method": "GET", "path": f"/{{index}}/_doc/{query}?realtime=false", "body": None}
    if isinstance(query, TopTalksQuery):
        return {"method": "POST", "path": "/{index}/_search", "body": qb.top_talks_body(query)}
    after = decode_cursor(query, len(qb.sort_for(query)))
    return {"method": "POST", "path": "/{index}/_search", "body": qb.search_body(query, after)}


def serve(url: str, prefix: str, requests: dict[str, Request], port: int) -> None:
    """The bare endpoint: ``/floor?case=...&similarity=scripted|default``."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request as HttpRequest
    from starlette.responses import Response
    from starlette.routing import Route

    client = httpx.Client(base_url=url, timeout=60)
    indices = {"scripted": f"{prefix}talks", "default": bm25_index(prefix)}

    def floor(incoming: HttpRequest) -> Response:
        sent = requests[incoming.query_params["case"]]
        index = indices[incoming.query_params.get("similarity", "scripted")]
        answer = client.request(sent["method"], sent["path"].format(index=index), json=sent["body"])
        answer.raise_for_status()
        return Response(answer.content, media_type="application/json")

    app = Starlette(routes=[Route("/floor", floor)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
