"""The ``CONSISTENCY_TOKEN_*`` settings, a mixin of both services' settings.

The write API signs tokens and the search API verifies them, so both need one key:
``CONSISTENCY_TOKEN_KEY`` (the distributed shape sets it from one secret), else the key in
``CONSISTENCY_TOKEN_KEY_FILE`` under ``./var/``, created by whichever role needs it first:
on the embedded default every role on the host shares it with nothing to configure.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from service_conventions.consistency.token import ConsistencyTokens
from service_conventions.key_files import configured_or_shared, previous_keys


class ConsistencyTokenSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    consistency_token_key: SecretStr | None = Field(
        default=None,
        min_length=16,
        description="HMAC key of Consistency-Token headers: the same on the command-api and "
        "every query-api replica. Unset: the key in CONSISTENCY_TOKEN_KEY_FILE.",
    )
    consistency_token_previous_keys: SecretStr = Field(
        default=SecretStr(""),
        description="Comma-separated keys that still verify tokens during a key rotation.",
    )
    consistency_token_key_file: Path = Path("./var/consistency-token.key")


def consistency_tokens(settings: ConsistencyTokenSettings) -> ConsistencyTokens:
    key = configured_or_shared(settings.consistency_token_key, settings.consistency_token_key_file)
    return ConsistencyTokens(
        key, previous_keys=previous_keys(settings.consistency_token_previous_keys)
    )
