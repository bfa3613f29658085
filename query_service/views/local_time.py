"""Slots are stored in UTC and shown in the conference's time zone, with its offset."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local_iso(utc_iso: str, timezone: str) -> str:
    return datetime.fromisoformat(utc_iso).astimezone(ZoneInfo(timezone)).isoformat()
