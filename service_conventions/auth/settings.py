"""The ``AUTH_*`` settings, a mixin of each service's settings (12-factor, from the environment).

Unset ``AUTH_JWKS_URL`` is the embedded default: tokens signed by a local key in a file
under ``./var/`` (``conference token`` issues them). Set, any OIDC provider's JWKS verifies
tokens, and then its issuer and audience must be named: a default issuer would accept
nothing, or worse, something unintended.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
"""The only algorithms a deployment may allow: a public key can never sign (no ``none``,
no HMAC, so a public key cannot be misused as a shared secret)."""

LOCAL_ISSUER = "conference-program-local"
AUDIENCE = "conference-program"


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    auth_jwks_url: str | None = Field(
        default=None,
        description="The OIDC provider's JWKS (e.g. Keycloak's .../protocol/openid-connect/"
        "certs); unset: the local signing key.",
    )
    auth_issuer: str = Field(default=LOCAL_ISSUER, min_length=1)
    auth_audience: str = Field(default=AUDIENCE, min_length=1)
    auth_roles_claim: str = Field(
        default="roles",
        min_length=1,
        description="Where the roles are: a claim name or a dotted path "
        "(realm_access.roles); a list of strings or a space-separated string.",
    )
    auth_algorithms: tuple[str, ...] = ("RS256", "ES256")
    auth_leeway_seconds: int = Field(default=30, ge=0, le=300)
    auth_signing_key_file: Path = Path("./var/auth-signing-key.pem")
    auth_verified_token_seconds: float = Field(
        default=60,
        ge=0,
        le=300,
        description="How long a token that verified is taken as verified again without "
        "re-checking its signature (expiry is checked on every request); it bounds how long "
        "a withdrawn key still counts. 0: verify every request in full.",
    )
    auth_jwks_refetch_cooldown_seconds: float = Field(
        default=30,
        ge=0,
        le=3600,
        description="At most one refetch of the JWKS this often for tokens with an unknown "
        "key id (a rotation), so that forged key ids cannot hammer the provider.",
    )

    @field_validator("auth_jwks_url")
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        """``AUTH_JWKS_URL=`` (as compose passes an unset variable) means the local key."""
        return value or None

    @field_validator("auth_algorithms")
    @classmethod
    def _asymmetric_only(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        refused = sorted(set(value) - ASYMMETRIC_ALGORITHMS)
        if refused or not value:
            raise ValueError(
                f"AUTH_ALGORITHMS may name only asymmetric algorithms, not {refused or 'none'}"
            )
        return value

    @model_validator(mode="after")
    def _provider_named(self) -> Self:
        if self.auth_jwks_url and not {"auth_issuer", "auth_audience"} <= self.model_fields_set:
            raise ValueError("AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE too")
        return self
