"""Elasticsearch and OpenSearch read stores: one shared implementation (index lifecycle,
mappings, query bodies, version-guarded bulk writes) over two thin client adapters."""

from query_service.read_store.search_engine.store import SearchEngineReadStore

__all__ = ["SearchEngineReadStore"]
