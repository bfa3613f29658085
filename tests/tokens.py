"""Bearer tokens for the tests' API clients, signed by the deployment's local key.

``RoleTokens`` is an ``httpx.Auth``: every request without an ``Authorization`` header of
its own gets the token the policy wants for it. A rating (``/talks/{id}/ratings/{who}``)
is sent by that attendee, as the rules say only they may rate; everything else by an
organizer, who may do all the rest. Tests of authorization set their own header.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from functools import cache
from urllib.parse import unquote

import httpx

from service_conventions.auth.issuing import issue_token
from service_conventions.auth.settings import AuthSettings

ORGANIZER = "test-organizer"
_RATING = re.compile(r"^/talks/[^/]+/ratings/(?P<attendee>[^/]+)$")


class RoleTokens(httpx.Auth):
    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings

    @cache  # noqa: B019 (one instance per app under test; tokens live an hour)
    def token(self, subject: str, *roles: str) -> str:
        return issue_token(self.settings, subject=subject, roles=roles)

    def header(self, subject: str, *roles: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(subject, *roles)}"}

    def for_path(self, path: str) -> str:
        rating = _RATING.fullmatch(path)
        if rating is not None:
            return self.token(unquote(rating["attendee"]), "attendee")
        return self.token(ORGANIZER, "organizer")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if "authorization" not in request.headers:
            request.headers["Authorization"] = f"Bearer {self.for_path(request.url.path)}"
        yield request


def deployment_tokens(folder_var: str) -> RoleTokens:
    """The tokens of a deployment that keeps its files in ``folder_var`` (its ``./var``)."""
    return RoleTokens(AuthSettings(auth_signing_key_file=f"{folder_var}/auth-signing-key.pem"))
