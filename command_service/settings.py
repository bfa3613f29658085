"""Configuration of the command service, from the environment (12-factor).

Unset means the embedded default: a SQLite file under ``./var/``. Settings are built by
``load_settings()`` when a process starts, never at import.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_BACKENDS = ("sqlite", "postgresql")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: str = "sqlite:///./var/command.db"
    port: int = Field(default=8000, ge=1, le=65535)

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            raise ValueError(f"DATABASE_URL {value!r} is not a database URL") from None
        if backend not in SUPPORTED_BACKENDS:
            raise ValueError(
                f"DATABASE_URL must be one of {', '.join(SUPPORTED_BACKENDS)}, not {backend}"
            )
        return value


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with explicit ``overrides`` (tests, CLI flags) on top."""
    return Settings(**overrides)
