"""The HTTP side of bearer tokens (RFC 6750), shared by both APIs.

``install_bearer_tokens(app, settings)`` builds the verifier once (the local key file is
created then) and maps the two failures to problems: 401 with a ``WWW-Authenticate``
challenge (``error="invalid_token"`` only when a token was sent), and 503 when the
provider's keys cannot be fetched. Each API decides which routes depend on ``caller``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service_conventions.auth.keys import verifier_from
from service_conventions.auth.settings import AuthSettings
from service_conventions.auth.verifier import (
    InvalidToken,
    KeysUnavailable,
    Principal,
    TokenVerifier,
)
from service_conventions.problems import problem_response

REALM = "conference-program"

_bearer = HTTPBearer(auto_error=False, description="An OAuth2 bearer JWT")


class Unauthenticated(Exception):
    """No token (``reason`` None), or one that does not verify; never holds the token."""

    def __init__(self, reason: str | None) -> None:
        self.reason = reason
        self.detail = (
            "The request needs a bearer token."
            if reason is None
            else f"The bearer token was refused: {reason}."
        )
        super().__init__(self.detail)


async def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The verified principal of the request, or ``Unauthenticated``. A token verified a
    moment ago answers on the event loop; any other is verified in a worker thread, since
    fetching a provider's keys blocks."""
    if credentials is None:
        raise Unauthenticated(None)
    verifier: TokenVerifier = request.app.state.verifier
    principal = verifier.remembered(credentials.credentials)
    if principal is not None:
        return principal
    try:
        return await run_in_threadpool(verifier.verify, credentials.credentials)
    except InvalidToken as error:
        raise Unauthenticated(error.description) from None


Caller = Annotated[Principal, Depends(caller)]
"""The dependency of a route that needs a token."""


def challenge(error: Unauthenticated) -> str:
    """The ``WWW-Authenticate`` value (RFC 6750 section 3); the reasons are this package's
    own fixed texts, so they need no quoting."""
    if error.reason is None:
        return f'Bearer realm="{REALM}"'
    return f'Bearer realm="{REALM}", error="invalid_token", error_description="{error.reason}"'


async def _unauthenticated(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Unauthenticated)
    return problem_response(
        request,
        status=401,
        code="unauthenticated",
        title="A valid bearer token is required",
        detail=error.detail,
        headers={"WWW-Authenticate": challenge(error)},
    )


async def _keys_unavailable(request: Request, error: Exception) -> JSONResponse:
    return problem_response(
        request,
        status=503,
        code="service-unavailable",
        title="The service is temporarily unavailable",
        detail="The identity provider's signing keys could not be fetched; retry shortly.",
        headers={"Retry-After": "5"},
    )


def install_bearer_tokens(app: FastAPI, settings: AuthSettings) -> None:
    app.state.verifier = verifier_from(settings)
    app.add_exception_handler(Unauthenticated, _unauthenticated)
    app.add_exception_handler(KeysUnavailable, _keys_unavailable)
