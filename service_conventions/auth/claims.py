"""Finding the roles in a token's claims, wherever a provider puts them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def claim_at(claims: Mapping[str, Any], path: str) -> Any:
    """The claim at a dotted ``path`` (``realm_access.roles``), or ``None`` if absent.

    A claim whose own name contains dots (``https://example.com/roles``, as Auth0 names
    them) is found too: the whole path is tried as a name first.
    """
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def roles_in(claims: Mapping[str, Any], path: str) -> frozenset[str]:
    """The roles at ``path``: a list of strings, or a space-separated string (``scope``).

    Anything else (absent, a number, a list with non-strings) gives no roles: a token that
    names its roles in an unexpected shape is allowed nothing, not refused.
    """
    value = claim_at(claims, path)
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list | tuple):
        return frozenset(role for role in value if isinstance(role, str) and role)
    return frozenset()


def nested_claim(path: str, value: Any) -> dict[str, Any]:
    """``{"realm_access": {"roles": value}}`` for ``realm_access.roles``: how a local
    token states its roles where the settings will look for them."""
    head, _, rest = path.partition(".")
    return {head: nested_claim(rest, value) if rest else value}
