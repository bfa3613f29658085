"""The read store as the search API sees it, reporting outages once each way and timing
every search on ``conference_search_duration_seconds`` by endpoint (the read-store call
behind it: ``search_talks``, ``get_talk``, ``speakers``…, a bounded set) and, with tracing
on, giving each its client span.

Every call that fails because the engine is away tells the outage log, which says so once;
the first call that succeeds again says it is back and how long it was gone. The 503
problem+json answers stay exactly as they were; only the log stops repeating itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date
from typing import TypeVar

from opentelemetry import trace

from query_service.documents import ConferenceDocument, TalkDocument
from query_service.outages import OutageLog
from query_service.read_store.port import (
    ReadStoreUnavailable,
    SpeakerQuery,
    SpeakerSummary,
    TalkPage,
    TalkQuery,
    TalkSearch,
    TopTalksQuery,
)
from service_conventions.consistency.token import MarkRef
from service_conventions.metrics.catalog import SEARCH_DURATION
from service_conventions.telemetry import tracing

log = logging.getLogger("query_service.api")

T = TypeVar("T")


class ObservedSearch:
    def __init__(self, inner: TalkSearch, outage: OutageLog | None = None) -> None:
        self.inner = inner
        self.outage = outage or OutageLog("read store", log)

    def _call(self, call: Callable[[], T], endpoint: str | None = None) -> T:
        if endpoint is not None and tracing.enabled():
            # The search clients (opensearch-py, elasticsearch) have no instrumentation
            # package: the read-store call is the query API's client span instead.
            with tracing.tracer().start_as_current_span(
                f"read store {endpoint}",
                kind=trace.SpanKind.CLIENT,
                attributes={"db.operation.name": endpoint},
            ):
                return self._timed(call, endpoint)
        return self._timed(call, endpoint)

    def _timed(self, call: Callable[[], T], endpoint: str | None) -> T:
        started = time.perf_counter()
        try:
            result = call()
        except ReadStoreUnavailable as error:
            self.outage.down(error)
            raise
        finally:
            if endpoint is not None:
                SEARCH_DURATION.labels(endpoint).observe(time.perf_counter() - started)
        self.outage.up()
        return result

    def ping(self) -> None:
        self._call(self.inner.ping)

    def search_talks(self, query: TalkQuery) -> TalkPage:
        return self._call(lambda: self.inner.search_talks(query), "search_talks")

    def get_talk(self, talk_id: str) -> TalkDocument | None:
        return self._call(lambda: self.inner.get_talk(talk_id), "get_talk")

    def get_conference(self, conference_id: str) -> ConferenceDocument | None:
        return self._call(lambda: self.inner.get_conference(conference_id), "get_conference")

    def talk_counts(self, conference_id: str) -> Mapping[str, int]:
        return self._call(lambda: self.inner.talk_counts(conference_id), "talk_counts")

    def scheduled_talks(self, conference_id: str, day: date | None) -> Sequence[TalkDocument]:
        return self._call(lambda: self.inner.scheduled_talks(conference_id, day), "scheduled_talks")

    def top_talks(self, query: TopTalksQuery) -> Sequence[TalkDocument]:
        return self._call(lambda: self.inner.top_talks(query), "top_talks")

    def read_versions(self, refs: Collection[MarkRef]) -> dict[MarkRef, int]:
        return self._call(lambda: self.inner.read_versions(refs))

    def speakers(self, query: SpeakerQuery) -> Sequence[SpeakerSummary]:
        return self._call(lambda: self.inner.speakers(query), "speakers")
