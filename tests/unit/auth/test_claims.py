"""Roles are found wherever the provider puts them (``AUTH_ROLES_CLAIM``)."""

from __future__ import annotations

from typing import Any

import pytest

from service_conventions.auth.claims import claim_at, nested_claim, roles_in

KEYCLOAK = {"realm_access": {"roles": ["organizer", "offline_access"]}, "scope": "openid email"}


@pytest.mark.parametrize(
    ("claims", "path", "expected"),
    [
        ({"roles": ["speaker"]}, "roles", ["speaker"]),
        (KEYCLOAK, "realm_access.roles", ["organizer", "offline_access"]),
        (KEYCLOAK, "realm_access.missing", None),
        (KEYCLOAK, "scope.deeper", None),
        ({"https://example.com/roles": ["attendee"]}, "https://example.com/roles", ["attendee"]),
        ({}, "roles", None),
    ],
)
def test_a_claim_is_found_by_name_or_dotted_path(
    claims: dict[str, Any], path: str, expected: Any
) -> None:
    assert claim_at(claims, path) == expected


@pytest.mark.parametrize(
    ("value", "roles"),
    [
        (["organizer", "speaker"], {"organizer", "speaker"}),
        ("organizer speaker", {"organizer", "speaker"}),
        (["organizer", 3, None, ""], {"organizer"}),
        (7, set()),
        ({"organizer": True}, set()),
        (None, set()),
    ],
)
def test_roles_are_a_list_of_strings_or_a_space_separated_string(
    value: Any, roles: set[str]
) -> None:
    assert roles_in({"a": {"b": value}}, "a.b") == roles


def test_a_local_token_states_its_roles_where_the_settings_look() -> None:
    claims = nested_claim("realm_access.roles", ["organizer"])

    assert claims == {"realm_access": {"roles": ["organizer"]}}
    assert roles_in(claims, "realm_access.roles") == {"organizer"}
