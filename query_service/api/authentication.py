"""An optional bearer token on the search API (``QUERY_REQUIRE_TOKEN``).

The programme is public by default; a deployment that serves it to its own users only
turns tokens on, and then any valid token will do (no role is needed to read). Health
probes stay open either way: an orchestrator has no token.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.params import Depends as Dependency

from service_conventions.auth.bearer import caller, install_bearer_tokens
from service_conventions.auth.settings import AuthSettings


def required(app: FastAPI, settings: AuthSettings) -> list[Dependency]:
    """Install the verifier on ``app``; the dependencies of the routes that need a token."""
    install_bearer_tokens(app, settings)
    return [Depends(caller)]
