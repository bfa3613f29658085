"""Which methods a path allows, across every route of an app.

Starlette answers a wrong method with the methods of the first route whose path matches,
but one path often has several routes (``PUT`` and ``DELETE`` of a rating): ``Allow``, on
a 405 and on ``OPTIONS``, must list them all. Each method is asked of the routes as a
request would be, so routers included into routers answer for themselves. Mounted apps
(the docs' static assets) are left out: they answer their own methods.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute, Match, Mount
from starlette.types import Scope

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(routes: Sequence[BaseRoute], scope: Scope) -> list[str]:
    """The methods some route serves at the request's path (empty: an unknown path)."""
    return [
        method
        for method in METHODS
        if any(
            not isinstance(route, Mount)
            and route.matches({**scope, "method": method})[0] is Match.FULL
            for route in routes
        )
    ]
