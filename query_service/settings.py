"""Configuration of the query service, from the environment (12-factor).

Built by ``load_settings()`` when a role starts, never at import, so tests and the CLI can
pass their own values. Unset means the embedded default, with files under ``./var/``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from query_service.projector.batch import BATCH_SIZE
from service_conventions.auth.settings import AuthSettings
from service_conventions.consistency.settings import ConsistencyTokenSettings
from service_conventions.database_url import DatabaseUrl
from service_conventions.http_edge import CorsOrigins
from shared_domain.messaging import EXCHANGE


class QuerySettings(AuthSettings, ConsistencyTokenSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: DatabaseUrl = Field(
        default="sqlite:///./var/command.db",
        description="The command database; its outbox is the embedded event transport.",
    )
    search_url: str = Field(default="sqlite:///./var/query.db")
    query_require_token: bool = Field(
        default=False,
        description="Set: every search endpoint (not health) needs a valid bearer token, of "
        "any role (AUTH_* settings); unset: the published programme is public.",
    )
    search_engine: Literal["sqlite", "elasticsearch", "opensearch"] = "sqlite"
    search_index_prefix: str = Field(
        default="conference-",
        pattern=r"^([a-z0-9][a-z0-9_.-]{0,100})?$",
        description="Prefix of every index and alias on Elasticsearch/OpenSearch, so that "
        "several deployments (or test runs) can share one cluster.",
    )
    search_index_replicas: int = Field(
        default=1,
        ge=0,
        le=5,
        description="Replicas per index; 0 on a single-node development cluster.",
    )

    projector_batch_size: int = Field(default=BATCH_SIZE, ge=1, le=10_000)
    projector_poll_interval: float = Field(default=0.01, gt=0, le=1.0)
    projector_retry_attempts: int = Field(default=5, ge=1, le=50)
    projector_retry_delay: float = Field(default=0.05, ge=0, le=60)
    projector_retry_max_delay: float = Field(default=2.0, ge=0, le=600)

    broker_url: str | None = Field(
        default=None,
        description="Set: the projector consumes RabbitMQ (distributed shape); unset: it "
        "tails the outbox (embedded shape).",
    )
    broker_exchange: str = Field(default=EXCHANGE, min_length=1)
    projector_queue: str = Field(
        default="conference.projector",
        min_length=1,
        description="The projector's quorum queue; '<queue>.dlx' and '<queue>.dead' are its "
        "dead-letter exchange and queue. Replicas of one read model share it.",
    )
    projector_prefetch: int = Field(
        default=1000,
        ge=1,
        le=10_000,
        description="Unacked deliveries the broker may push to one projector: twice "
        "PROJECTOR_BATCH_SIZE, so the next batch is at hand (and, on a search engine, "
        "projected) while one is written.",
    )
    projector_batch_linger: float = Field(
        default=0.005,
        ge=0,
        le=1.0,
        description="Seconds the broker projector keeps reading after a batch's first "
        "delivery, until PROJECTOR_BATCH_SIZE are at hand: full batches under load, at most "
        "this much delay for an event arriving alone.",
    )
    projector_delivery_limit: int = Field(
        default=20,
        ge=1,
        le=1000,
        description="Deliveries of one message before the broker dead-letters it: the last "
        "line against a message that crashes the process (RabbitMQ 3.10 has no default).",
    )
    projector_gap_timeout: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="How long an event beyond a version gap waits, unacked, for its "
        "predecessor (which another replica may be applying) before it is held. Only time "
        "in which the predecessor could have been applied counts: not outages of the read "
        "store or the broker, nor time the predecessor is in this replica's hands (ADR 061).",
    )
    projector_held_seconds: float = Field(
        default=5.0,
        ge=0.1,
        le=3600,
        description="How long a held event (beyond a gap) waits in <PROJECTOR_QUEUE>.held "
        "before the broker sends it back to be tried again. Part of the held queue's "
        "declaration: changing it means deleting that queue first (ADR 061).",
    )

    # --- the HTTP edge (ADR 069) ------------------------------------------------------
    cursor_signing_key: SecretStr | None = Field(
        default=None,
        min_length=16,
        description="HMAC key that signs search cursors; the same on every replica. Unset: "
        "the key in CURSOR_SIGNING_KEY_FILE, created on first use.",
    )
    cursor_previous_signing_keys: SecretStr = Field(
        default=SecretStr(""),
        description="Comma-separated keys that still verify cursors during a key rotation.",
    )
    cursor_signing_key_file: str = "./var/cursor-signing.key"
    cursor_max_age_seconds: int = Field(
        default=86_400,
        ge=60,
        le=30 * 86_400,
        description="A cursor older than this is refused (422): start from the first page.",
    )
    cors_allow_origins: CorsOrigins = ()

    @field_validator("broker_url", mode="before")
    @classmethod
    def _amqp_or_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str) and not value.startswith(("amqp://", "amqps://")):
            raise ValueError("BROKER_URL must be an amqp:// or amqps:// URL")
        return value


def load_settings(**overrides: object) -> QuerySettings:
    """Settings from the environment, with explicit overrides (tests, benchmarks) on top."""
    return QuerySettings(**overrides)  # type: ignore[arg-type]
