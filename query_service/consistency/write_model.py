"""The port through which a consistency check reads the write model (the command database).

The check compares what the write side holds (its aggregates' snapshots) with what the
projections made of the events; it reads the aggregates as the domain knows them, so the
comparison speaks the domain's terms and no table layout leaks into the query service.
``command_service/adapters/write_model_reader.py`` implements it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from shared_domain.conference import Conference
from shared_domain.ratings import TalkRatings
from shared_domain.talk import Talk, TalkStatus


class WriteModel(Protocol):
    def talk_ids(self) -> list[str]:
        """Every talk, in a stable order."""

    def conference_ids(self) -> list[str]: ...

    def talks(self, ids: Iterable[str]) -> Mapping[str, Talk]: ...

    def ratings(self, ids: Iterable[str]) -> Mapping[str, TalkRatings]:
        """The ratings of those talks that have been rated (by talk id)."""

    def conferences(self, ids: Iterable[str]) -> Mapping[str, Conference]: ...

    def talk_statuses(self, conference_ids: Iterable[str]) -> Mapping[str, dict[str, TalkStatus]]:
        """Each conference's talks and their status (by conference id, then talk id)."""

    def close(self) -> None: ...
