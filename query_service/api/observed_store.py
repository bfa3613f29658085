"""The read store as the search API sees it, reporting outages once each way.

Every call that fails because the engine is away tells the outage log, which says so once;
the first call that succeeds again says it is back and how long it was gone. The 503
problem+json answers stay exactly as they were; only the log stops repeating itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TypeVar

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

log = logging.getLogger("query_service.api")

T = TypeVar("T")


class ObservedSearch:
    def __init__(self, inner: TalkSearch, outage: OutageLog | None = None) -> None:
        self.inner = inner
        self.outage = outage or OutageLog("read store", log)

    def _call(self, call: Callable[[], T]) -> T:
        try:
            result = call()
        except ReadStoreUnavailable as error:
            self.outage.down(error)
            raise
        self.outage.up()
        return result

    def ping(self) -> None:
        self._call(self.inner.ping)

    def search_talks(self, query: TalkQuery) -> TalkPage:
        return self._call(lambda: self.inner.search_talks(query))

    def get_talk(self, talk_id: str) -> TalkDocument | None:
        return self._call(lambda: self.inner.get_talk(talk_id))

    def get_conference(self, conference_id: str) -> ConferenceDocument | None:
        return self._call(lambda: self.inner.get_conference(conference_id))

    def talk_counts(self, conference_id: str) -> Mapping[str, int]:
        return self._call(lambda: self.inner.talk_counts(conference_id))

    def scheduled_talks(self, conference_id: str, day: date | None) -> Sequence[TalkDocument]:
        return self._call(lambda: self.inner.scheduled_talks(conference_id, day))

    def top_talks(self, query: TopTalksQuery) -> Sequence[TalkDocument]:
        return self._call(lambda: self.inner.top_talks(query))

    def speakers(self, query: SpeakerQuery) -> Sequence[SpeakerSummary]:
        return self._call(lambda: self.inner.speakers(query))
