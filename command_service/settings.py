"""Configuration of the command service, from the environment (12-factor).

Unset means the embedded default: a SQLite file under ``./var/``. Settings are built by
``load_settings()`` when a process starts, never at import. ``BROKER_URL`` matters to the
relay only (the distributed shape); the embedded shape needs no broker.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from service_conventions.auth.settings import AuthSettings
from service_conventions.consistency.settings import ConsistencyTokenSettings
from service_conventions.database_url import DatabaseUrl
from service_conventions.http_edge import CorsOrigins

RELAY_BATCH_SIZE = 2000
"""Outbox rows one relay claims, publishes and marks per round: the confirm window."""


class Settings(AuthSettings, ConsistencyTokenSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: DatabaseUrl = "sqlite:///./var/command.db"
    database_pool_size: int = Field(default=40, ge=1, le=200)
    """As many as the API's worker threads (40), so that a busy API reuses connections
    instead of opening and closing overflow ones, a connect per command under load."""
    database_max_overflow: int = Field(default=0, ge=0, le=200)
    broker_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    relay_batch_size: int = Field(default=RELAY_BATCH_SIZE, ge=1, le=10_000)
    max_request_body_bytes: int = Field(default=1_048_576, ge=1024, le=100 * 1_048_576)
    """Larger bodies are refused with 413 before they are read (ADR 022)."""

    # --- the HTTP edge (ADR 069) ------------------------------------------------------
    cors_allow_origins: CorsOrigins = ()

    @field_validator("broker_url")
    @classmethod
    def _amqp_broker(cls, value: str) -> str:
        if not value.startswith(("amqp://", "amqps://")):
            raise ValueError("BROKER_URL must be an amqp:// or amqps:// URL")
        return value


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with explicit ``overrides`` (tests, CLI flags) on top."""
    return Settings(**overrides)
