"""Configuration of the query service, from the environment (12-factor).

Built by ``load_settings()`` when a role starts, never at import, so tests and the CLI can
pass their own values. Unset means the embedded default, with files under ``./var/``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class QuerySettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: str = Field(
        default="sqlite:///./var/command.db",
        description="The command database; its outbox is the embedded event transport.",
    )
    search_url: str = Field(default="sqlite:///./var/query.db")
    search_engine: Literal["sqlite", "elasticsearch", "opensearch"] = "sqlite"
    port: int = Field(default=8001, ge=1, le=65535)

    projector_batch_size: int = Field(default=500, ge=1, le=10_000)
    projector_poll_interval: float = Field(default=0.01, gt=0, le=1.0)
    projector_retry_attempts: int = Field(default=5, ge=1, le=50)
    projector_retry_delay: float = Field(default=0.05, ge=0, le=60)
    projector_retry_max_delay: float = Field(default=2.0, ge=0, le=600)


def load_settings(**overrides: object) -> QuerySettings:
    """Settings from the environment, with explicit overrides (e.g. a ``--port`` flag)."""
    return QuerySettings(**overrides)  # type: ignore[arg-type]
