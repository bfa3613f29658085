"""Every write route needs a verified caller (``service_conventions/auth/bearer.py``).

The write routers list ``AUTHENTICATED`` as their first dependency, so a request without a
valid token gets its 401 before its media type or body is judged; ``Commands`` then reuses
the same principal (FastAPI resolves a dependency once per request).
"""

from __future__ import annotations

from fastapi import Depends
from fastapi.params import Depends as Dependency

from service_conventions.auth.bearer import caller

AUTHENTICATED: list[Dependency] = [Depends(caller)]
