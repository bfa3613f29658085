"""Response shapes of the search API (field names are part of the contract)."""

from __future__ import annotations

from pydantic import BaseModel


class SpeakerOut(BaseModel):
    name: str
    company: str | None


class RatingOut(BaseModel):
    average: float
    count: int


class ScheduleOut(BaseModel):
    stage: str
    starts_at: str
    ends_at: str
    day: str


class TalkOut(BaseModel):
    id: str
    conference_id: str
    title: str
    abstract: str
    speakers: list[SpeakerOut]
    tags: list[str]
    level: str
    format: str
    duration_minutes: int
    language: str
    status: str
    version: int
    rating: RatingOut
    schedule: ScheduleOut | None
    submitted_at: str | None


class TalkHitOut(TalkOut):
    highlight: dict[str, list[str]]


class FacetOut(BaseModel):
    value: str
    count: int


class SearchOut(BaseModel):
    total: int
    items: list[TalkHitOut]
    facets: dict[str, list[FacetOut]]
    next_cursor: str | None


class ConferenceOut(BaseModel):
    id: str
    name: str
    starts_on: str
    ends_on: str
    timezone: str
    stages: list[str]
    talk_counts: dict[str, int]
    version: int


class SlotOut(BaseModel):
    talk_id: str
    title: str
    speakers: list[SpeakerOut]
    starts_at: str
    ends_at: str


class StageOut(BaseModel):
    name: str
    slots: list[SlotOut]


class DayOut(BaseModel):
    date: str
    stages: list[StageOut]


class ConferenceScheduleOut(BaseModel):
    conference_id: str
    timezone: str
    days: list[DayOut]


class TopTalksOut(BaseModel):
    items: list[TalkOut]


class SpeakerSummaryOut(BaseModel):
    name: str
    companies: list[str]
    talk_count: int


class SpeakersOut(BaseModel):
    items: list[SpeakerSummaryOut]


class HealthOut(BaseModel):
    status: str
