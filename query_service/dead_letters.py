"""Operator tools for dead letters: list, show, replay, drop (``conference dead-letters``).

Where the dead letters live follows the projector's transport (ADR 013, ADR 060): with
``BROKER_URL`` set, the projector parks events in the RabbitMQ dead-letter queue
``<PROJECTOR_QUEUE>.dead``; without it (the embedded shape), in the read store's
``dead_letters`` table. The functions below take the settings and pick the place, so the
CLI stays ignorant of both; every entry has a string id to show, replay or drop it by (the
event id on the broker, the row id in the store).

Replay order is the order events were parked in, which per stream is version order: replay
a stream's letters together (or all) so that each one finds its predecessor applied.

Dropping passes over the event (its stream's mark moves on, ADR 061), so the aggregate's
later events apply: on the broker they are held and come back by themselves; in the store,
the letters parked behind it (``blocked``) are replayed right after, as they are after a
replay of the letter they waited for.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from query_service.bootstrap import build_read_store, projector_topology
from query_service.consumers.rabbitmq_dead_letters import (
    BrokerDeadLetters,
    BrokerLetter,
    letters_with_ids,
)
from query_service.projector.broker_writer import fence_of
from query_service.projector.replay import pass_over_letter, replay_letter
from query_service.read_store.port import DeadLetter, ProjectionStore
from query_service.settings import QuerySettings


@dataclass(frozen=True)
class DeadLetterEntry:
    id: str
    """What ``show``/``replay``/``drop`` take: the event id (broker) or row id (store)."""
    event_id: str | None
    event_type: str | None
    stream: str | None
    """``<aggregate type>/<aggregate id>``, when the envelope says so."""
    reason: str
    attempts: int
    envelope: str
    """The message body as it was received (it may not be JSON: that may be the reason)."""
    where: str
    """``rabbitmq:<dead-letter queue>`` or ``read-store``."""


@dataclass(frozen=True)
class DropReport:
    dropped: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    """Ids that could not be passed over (an earlier event of their stream is missing),
    with why; they stay dead letters."""
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReplayReport:
    replayed: list[str] = field(default_factory=list)
    """Ids sent back (broker: re-queued to the projector) or applied (store)."""
    refused: dict[str, str] = field(default_factory=dict)
    """Store only: ids the projections refused again, with why; they stay dead letters.
    On the broker a replayed event that fails again is parked again by the projector."""
    missing: list[str] = field(default_factory=list)
    """Requested ids that are not dead letters (any more)."""


def list_dead_letters(settings: QuerySettings, *, limit: int = 100) -> list[DeadLetterEntry]:
    """The oldest ``limit`` dead letters, oldest first. Nothing is removed."""
    if settings.broker_url:
        box = _broker(settings)
        return [_from_broker(letter, box) for letter in box.browse(limit)]
    return [_from_store(letter) for letter in _store_letters(settings)[:limit]]


def show_dead_letter(settings: QuerySettings, letter_id: str) -> DeadLetterEntry | None:
    """One dead letter by id (the oldest, if a duplicate was parked twice), or None."""
    if settings.broker_url:
        box = _broker(settings)
        found = [letter for letter in box.browse() if letter.letter_id == letter_id]
        return _from_broker(found[0], box) if found else None
    for letter in _store_letters(settings):
        if str(letter.id) == letter_id:
            return _from_store(letter)
    return None


def replay_dead_letters(
    settings: QuerySettings, letter_ids: Sequence[str] | None = None
) -> ReplayReport:
    """Feed the given dead letters (all when ``None``) back to the projector, oldest first,
    and remove each one that was replayed."""
    if settings.broker_url:
        box = _broker(settings)
        wanted = letters_with_ids(letter_ids) if letter_ids is not None else lambda _: True
        sent = [letter.letter_id for letter in box.replay(wanted)]
        return ReplayReport(replayed=sent, missing=_missing(letter_ids, sent))
    return _replay_in_store(settings, letter_ids)


def drop_dead_letters(settings: QuerySettings, letter_ids: Sequence[str]) -> DropReport:
    """Remove the given dead letters for good, each passing over its event first."""
    report = DropReport()
    store = build_read_store(settings)
    try:
        if settings.broker_url:
            fence = fence_of(settings.projector_queue)
            chosen = set(letter_ids)

            def passed_over(letter: BrokerLetter) -> bool:
                if letter.letter_id not in chosen:
                    return False
                envelope = letter.body.decode("utf-8", errors="replace")
                why = pass_over_letter(store, envelope, consumer=fence, advance_fence=True)
                if why is not None:
                    report.refused[letter.letter_id] = why
                return why is None

            report.dropped.extend(
                letter.letter_id for letter in _broker(settings).drop(passed_over)
            )
        else:
            _drop_in_store(store, letter_ids, report)
    finally:
        store.close()
    report.missing.extend(_missing(letter_ids, report.dropped + list(report.refused)))
    return report


# --- the two places ---------------------------------------------------------------------


def _broker(settings: QuerySettings) -> BrokerDeadLetters:
    assert settings.broker_url is not None
    return BrokerDeadLetters(settings.broker_url, projector_topology(settings))


def _from_broker(letter: BrokerLetter, box: BrokerDeadLetters) -> DeadLetterEntry:
    envelope = letter.body.decode("utf-8", errors="replace")
    parsed = _json_object(envelope)
    headers = letter.headers
    aggregate_type = parsed.get("aggregatetype", _text(headers.get("aggregatetype")))
    aggregate_id = parsed.get("aggregateid", _text(headers.get("aggregateid")))
    return DeadLetterEntry(
        id=letter.letter_id,
        event_id=_text(parsed.get("id") or letter.properties.message_id),
        event_type=_text(parsed.get("type") or letter.properties.type),
        stream=f"{aggregate_type}/{aggregate_id}" if aggregate_type and aggregate_id else None,
        reason=letter.reason,
        attempts=letter.attempts,
        envelope=envelope,
        where=f"rabbitmq:{box.topology.dead_letter_queue}",
    )


def _store_letters(settings: QuerySettings) -> list[DeadLetter]:
    store = build_read_store(settings)
    try:
        return list(store.dead_letters())
    finally:
        store.close()


def _from_store(letter: DeadLetter) -> DeadLetterEntry:
    return DeadLetterEntry(
        id=str(letter.id),
        event_id=letter.event_id,
        event_type=letter.event_type,
        stream=letter.stream,
        reason=letter.reason,
        attempts=letter.attempts,
        envelope=letter.envelope,
        where="read-store",
    )


def _drop_in_store(store: ProjectionStore, letter_ids: Sequence[str], report: DropReport) -> None:
    streams: set[str] = set()
    for letter in store.dead_letters():
        key = str(letter.id)
        if key not in letter_ids or letter.id is None:
            continue
        why = pass_over_letter(store, letter.envelope, resolved=[letter.id])
        if why is None:
            report.dropped.append(key)
            streams.add(letter.stream or "")
        else:
            report.refused[key] = why
    _replay_passes(store, None, streams, ReplayReport())


def _replay_in_store(settings: QuerySettings, letter_ids: Sequence[str] | None) -> ReplayReport:
    report = ReplayReport()
    store = build_read_store(settings)
    try:
        _replay_passes(store, letter_ids, set(), report)
    finally:
        store.close()
    report.missing.extend(_missing(letter_ids, report.replayed + list(report.refused)))
    return report


def _replay_passes(
    store: ProjectionStore,
    letter_ids: Sequence[str] | None,
    streams: set[str],
    report: ReplayReport,
) -> None:
    """Passes over the selected letters, oldest first, until a pass replays nothing: a
    letter refused on a gap gets another chance once a later pass applied its predecessor
    (the live projector parks a late predecessor *behind* it, as ``blocked``). Each pass
    re-reads the table, so "all" includes letters the live projector parked meanwhile.
    Letters parked behind one that was replayed or dropped (``blocked``, of a stream in
    ``streams``) follow it without being asked for: nothing else would ever release them."""
    progress = True
    while progress:
        progress = False
        for letter in store.dead_letters():
            key = str(letter.id)
            behind = letter.reason.startswith("blocked") and (letter.stream or "") in streams
            if letter_ids is not None and key not in letter_ids and not behind:
                continue
            refusal = replay_letter(store, letter)
            if refusal is None:
                report.replayed.append(key)
                report.refused.pop(key, None)
                streams.add(letter.stream or "")
                progress = True
            elif not behind:
                report.refused[key] = refusal


def _missing(requested: Sequence[str] | None, found: Sequence[str]) -> list[str]:
    return [] if requested is None else [i for i in requested if i not in set(found)]


def _json_object(text: str) -> dict[str, Any]:
    try:
        parsed = json.loads(text)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)
