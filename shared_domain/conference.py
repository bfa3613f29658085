"""The Conference aggregate: its days, its stages and its schedule.

The schedule belongs to the conference because its rules (no overlap on a stage, no
speaker in two places) span many talks; a slot change bumps the conference's version and
never the talk's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared_domain import values
from shared_domain.aggregate import Aggregate
from shared_domain.errors import (
    FieldErrors,
    LastStage,
    SlotOutsideConference,
    SpeakerDoubleBooked,
    StageExists,
    StageInUse,
    StageLimitReached,
    StageSlotTaken,
    StageUnknown,
    TalkNotAccepted,
    TalkNotScheduled,
    TalkOfOtherConference,
    invalid,
)
from shared_domain.events import (
    ConferenceCreated,
    ConferenceRenamed,
    JsonDict,
    JsonObject,
    StageAdded,
    StageRemoved,
    TalkScheduled,
    TalkUnscheduled,
)
from shared_domain.limits import CONFERENCE_NAME, EARLIEST, LATEST, MAX_DAYS, STAGE_NAME, STAGES
from shared_domain.talk import Talk
from shared_domain.values import Speaker


@dataclass(frozen=True)
class Slot:
    """Where and when a talk takes place; times are timezone-aware (stored in UTC)."""

    talk_id: str
    stage: str
    starts_at: datetime
    ends_at: datetime

    def overlaps(self, other: Slot) -> bool:
        """Back-to-back slots (one ends exactly when the other starts) do not overlap."""
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at

    def to_data(self) -> dict[str, str]:
        return {
            "talk_id": self.talk_id,
            "stage": self.stage,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, str]) -> Slot:
        return cls(
            talk_id=data["talk_id"],
            stage=data["stage"],
            starts_at=datetime.fromisoformat(data["starts_at"]),
            ends_at=datetime.fromisoformat(data["ends_at"]),
        )


def _name(value: str) -> str:
    return values.text("name", value, min_len=CONFERENCE_NAME.low, max_len=CONFERENCE_NAME.high)


def _stage_name(field: str, value: str) -> str:
    return values.text(field, value, min_len=STAGE_NAME.low, max_len=STAGE_NAME.high)


def day(field: str, value: date) -> date:
    """A calendar day (not a moment) within the calendar the domain supports."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise invalid(field, "must be a date such as 2026-06-01")
    if not EARLIEST <= value <= LATEST:
        raise invalid(field, f"must lie between {EARLIEST} and {LATEST}")
    return value


def stage_names(names: Sequence[str]) -> list[str]:
    """A conference's stage names, trimmed, their number within limits, unique ignoring case."""
    clean = values.each("stages", names, STAGES, lambda name: _stage_name("", name))
    folded = [n.casefold() for n in clean]
    if len(set(folded)) != len(folded):
        raise invalid("stages", "stage names must be unique, ignoring case")
    return clean


class Conference(Aggregate):
    def __init__(
        self,
        id: str,
        version: int,
        *,
        name: str,
        starts_on: date,
        ends_on: date,
        timezone: str,
        stages: Sequence[str],
        slots: Sequence[Slot] = (),
    ) -> None:
        super().__init__(id, version)
        self.name = name
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.timezone = timezone
        self.stages = list(stages)
        self._slots = {slot.talk_id: slot for slot in slots}

    # --- creation and details -------------------------------------------------------

    @classmethod
    def create(
        cls,
        conference_id: str,
        *,
        name: str,
        starts_on: date,
        ends_on: date,
        timezone: str = "UTC",
        stages: Sequence[str],
    ) -> Conference:
        errors = FieldErrors()
        with errors.field("name"):
            clean_name = _name(name)
        with errors.field("starts_on"):
            first = day("starts_on", starts_on)
        with errors.field("ends_on"):
            last = day("ends_on", ends_on)
        with errors.field("timezone"):
            zone = values.timezone("timezone", timezone)
        with errors.field("stages"):
            clean_stages = stage_names(stages)
        errors.raise_if_any()
        if last < first:
            raise invalid("ends_on", "must not be before starts_on")
        if (last - first).days + 1 > MAX_DAYS:
            raise invalid("ends_on", f"a conference lasts at most {MAX_DAYS} days")
        conference = cls(
            conference_id,
            0,
            name=clean_name,
            starts_on=first,
            ends_on=last,
            timezone=zone,
            stages=clean_stages,
        )
        conference._record(
            ConferenceCreated,
            name=clean_name,
            starts_on=first.isoformat(),
            ends_on=last.isoformat(),
            timezone=zone,
            stages=list(clean_stages),
        )
        return conference

    def rename(self, name: str) -> None:
        clean = _name(name)
        if clean == self.name:
            return
        self.name = clean
        self._record(ConferenceRenamed, name=clean)

    # --- stages ---------------------------------------------------------------------

    def stage_named(self, name: str) -> str:
        """The stage's canonical spelling; stage names match ignoring case."""
        if not isinstance(name, str):
            raise invalid("stage", "must be a stage name")
        wanted = name.strip().casefold()
        for stage in self.stages:
            if stage.casefold() == wanted:
                return stage
        raise StageUnknown(f"Conference {self.id!r} has no stage named {name!r}.")

    def add_stage(self, name: str) -> None:
        clean = _stage_name("name", name)
        if any(stage.casefold() == clean.casefold() for stage in self.stages):
            raise StageExists(f"The conference already has a stage named {clean!r}.")
        if len(self.stages) >= STAGES.high:
            raise StageLimitReached(f"The conference already has {STAGES.high} stages.")
        self.stages.append(clean)
        self._record(StageAdded, stage=clean)

    def remove_stage(self, name: str) -> None:
        stage = self.stage_named(name)
        if any(slot.stage == stage for slot in self._slots.values()):
            raise StageInUse(
                f"Talks are scheduled on stage {stage!r}: move or unschedule them first."
            )
        if len(self.stages) == 1:
            raise LastStage("A conference keeps at least one stage: add another one first.")
        self.stages.remove(stage)
        self._record(StageRemoved, stage=stage)

    # --- schedule -------------------------------------------------------------------

    @property
    def slots(self) -> tuple[Slot, ...]:
        return tuple(self._slots.values())

    def slot_of(self, talk_id: str) -> Slot | None:
        return self._slots.get(talk_id)

    def scheduled_talk_ids(self) -> list[str]:
        return list(self._slots)

    def schedule(
        self,
        talk: Talk,
        *,
        stage: str,
        starts_at: datetime,
        speakers_of: Mapping[str, Sequence[Speaker]],
    ) -> None:
        """Give an accepted talk a slot, or move it; ``speakers_of`` covers the other slots.

        A naive ``starts_at`` is a time in the conference's timezone."""
        if talk.conference_id != self.id:
            raise TalkOfOtherConference(f"Talk {talk.id!r} belongs to another conference.")
        if not talk.is_accepted:
            raise TalkNotAccepted(
                f"Only accepted talks can be scheduled; this one is {talk.status}."
            )
        start = self._start(starts_at)
        slot = Slot(
            talk_id=talk.id,
            stage=self.stage_named(stage),
            starts_at=start,
            ends_at=start + timedelta(minutes=talk.details.duration_minutes),
        )
        if slot == self._slots.get(talk.id):
            return
        self._ensure_within_days(slot)
        for other in self._other_slots(talk.id):
            if other.stage == slot.stage and other.overlaps(slot):
                raise StageSlotTaken(
                    f"Stage {slot.stage!r} is taken by talk {other.talk_id!r} from "
                    f"{self._local(other.starts_at)} to {self._local(other.ends_at)}."
                )
        self._ensure_speakers_free(slot, talk.details.speakers, speakers_of)
        self._slots[talk.id] = slot
        self._record(
            TalkScheduled,
            talk_id=talk.id,
            stage=slot.stage,
            starts_at=slot.starts_at.isoformat(),
            ends_at=slot.ends_at.isoformat(),
        )

    def unschedule(self, talk_id: str, reason: str = "unscheduled") -> None:
        if talk_id not in self._slots:
            raise TalkNotScheduled(f"Talk {talk_id!r} has no slot in this conference.")
        del self._slots[talk_id]
        self._record(TalkUnscheduled, talk_id=talk_id, reason=reason)

    def ensure_speakers_free(
        self,
        talk_id: str,
        speakers: Sequence[Speaker],
        speakers_of: Mapping[str, Sequence[Speaker]],
    ) -> None:
        """Check a scheduled talk's new speakers against the rest of the schedule."""
        slot = self._slots.get(talk_id)
        if slot is not None:
            self._ensure_speakers_free(slot, speakers, speakers_of)

    def _ensure_speakers_free(
        self,
        slot: Slot,
        speakers: Sequence[Speaker],
        speakers_of: Mapping[str, Sequence[Speaker]],
    ) -> None:
        keys = {speaker.key for speaker in speakers}
        for other in self._other_slots(slot.talk_id):
            if not other.overlaps(slot):
                continue
            busy = keys & {speaker.key for speaker in speakers_of[other.talk_id]}
            if busy:
                raise SpeakerDoubleBooked(
                    f"{', '.join(sorted(busy))} already speaks in talk {other.talk_id!r} "
                    f"from {self._local(other.starts_at)} to {self._local(other.ends_at)}."
                )

    def _other_slots(self, talk_id: str) -> list[Slot]:
        return [slot for tid, slot in self._slots.items() if tid != talk_id]

    def _start(self, moment: datetime) -> datetime:
        """The start in UTC; a naive moment is read in the conference's timezone."""
        if not isinstance(moment, datetime):
            raise invalid("starts_at", "must be a date-time such as 2026-06-01T09:00:00+02:00")
        if not EARLIEST <= moment.date() <= LATEST:
            raise invalid("starts_at", f"must lie between {EARLIEST} and {LATEST}")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return moment.astimezone(ZoneInfo("UTC"))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _ensure_within_days(self, slot: Slot) -> None:
        opens = datetime.combine(self.starts_on, time(), tzinfo=self.zone)
        closes = datetime.combine(self.ends_on + timedelta(days=1), time(), tzinfo=self.zone)
        if slot.starts_at < opens or slot.ends_at > closes:
            raise SlotOutsideConference(
                f"The slot {self._local(slot.starts_at)} to {self._local(slot.ends_at)} is not "
                f"within the conference days, {self.starts_on} to {self.ends_on} ({self.timezone})."
            )

    def _local(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).isoformat(timespec="minutes")

    # --- persistence snapshot -------------------------------------------------------

    def to_state(self) -> JsonDict:
        return {
            "name": self.name,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "timezone": self.timezone,
            "stages": list(self.stages),
            "slots": [slot.to_data() for slot in self._slots.values()],
        }

    @classmethod
    def from_state(cls, id: str, version: int, state: JsonObject) -> Conference:
        return cls(
            id,
            version,
            name=state["name"],
            starts_on=date.fromisoformat(state["starts_on"]),
            ends_on=date.fromisoformat(state["ends_on"]),
            timezone=state["timezone"],
            stages=state["stages"],
            slots=[Slot.from_data(slot) for slot in state["slots"]],
        )
