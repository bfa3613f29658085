"""The Jinja2 environment of the pages, and the one way they answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from query_service.views.local_time import local_iso
from query_service.web import views
from query_service.web.highlight import safe_highlight

HERE = Path(__file__).parent
STATIC = HERE / "static"
ASSETS = "/assets/programme"

templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals.update(
    assets=ASSETS, clock=views.clock, day_label=views.day_label, local=local_iso
)
templates.env.filters["highlight"] = safe_highlight


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status_code)
