"""Build the search-engine read store named by the settings (``SEARCH_ENGINE``,
``SEARCH_URL``, ``SEARCH_INDEX_PREFIX``, ``SEARCH_INDEX_REPLICAS``).

The engine may still be starting when a role starts (``docker compose up``): an
unreachable engine is logged and initialisation is retried on first use, so the role
comes up, reports not-ready (503) and recovers by itself, instead of crash-looping.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from query_service.read_store.port import ReadStoreUnavailable
from query_service.read_store.search_engine.client import EngineClient
from query_service.read_store.search_engine.naming import IndexNames
from query_service.read_store.search_engine.store import SearchEngineReadStore

log = logging.getLogger(__name__)


class InvalidSearchUrl(ValueError):
    """``SEARCH_URL`` is not an http(s) URL of a search engine."""


def engine_client(engine: str, url: str) -> EngineClient:
    if urlsplit(url).scheme not in ("http", "https"):
        raise InvalidSearchUrl(
            f"SEARCH_URL={url!r} is not an http(s) URL; SEARCH_ENGINE={engine} needs the "
            "engine's address, e.g. http://127.0.0.1:9200"
        )
    if engine == "opensearch":
        from query_service.read_store.search_engine.opensearch import OpenSearchClient

        return OpenSearchClient(url)
    if engine == "elasticsearch":
        from query_service.read_store.search_engine.elasticsearch import ElasticsearchClient

        return ElasticsearchClient(url)
    raise ValueError(f"{engine!r} is not a search engine (elasticsearch, opensearch)")


def build_search_engine_store(
    engine: str, url: str, *, prefix: str, replicas: int
) -> SearchEngineReadStore:
    store = SearchEngineReadStore(
        engine_client(engine, url), names=IndexNames(prefix), replicas=replicas
    )
    store.engine = engine  # the label of its write durations
    try:
        store.initialize()
    except ReadStoreUnavailable as error:
        log.warning("read store not initialised yet (will retry on first use): %s", error)
    return store
