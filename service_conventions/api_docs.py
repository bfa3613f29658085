"""Swagger UI and ReDoc from the API itself, not from a CDN.

FastAPI's own ``/docs`` and ``/redoc`` pages load their scripts from a CDN, so they stay
blank offline and behind firewalls. The pages here are FastAPI's, pointed at the assets
that the ``fastapi-offline`` package ships (the distributions of Swagger UI, Apache-2.0,
and ReDoc, MIT), mounted under ``/docs-assets``. The app's docs settings (URLs, OAuth2
redirect and init, Swagger UI parameters) are kept.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request

ASSETS = "/docs-assets"
_DIST = files("fastapi_offline") / "static"


def serve_docs_locally(app: FastAPI) -> None:
    """Replace the app's CDN-based doc pages with ones whose assets it serves."""
    docs_url, redoc_url, openapi_url = app.docs_url, app.redoc_url, app.openapi_url
    cdn_pages = (docs_url, redoc_url)
    app.router.routes[:] = [r for r in app.routes if getattr(r, "path", None) not in cdn_pages]
    app.mount(ASSETS, StaticFiles(directory=str(_DIST)), name="docs-assets")
    if openapi_url is None:
        return

    def root(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    if docs_url is not None:

        @app.get(docs_url, include_in_schema=False)
        def swagger_ui(request: Request) -> HTMLResponse:
            prefix = root(request)
            redirect = app.swagger_ui_oauth2_redirect_url
            return get_swagger_ui_html(
                openapi_url=prefix + openapi_url,
                title=f"{app.title} - Swagger UI",
                swagger_js_url=f"{prefix}{ASSETS}/swagger-ui-bundle.js",
                swagger_css_url=f"{prefix}{ASSETS}/swagger-ui.css",
                swagger_favicon_url=f"{prefix}{ASSETS}/favicon.png",
                oauth2_redirect_url=prefix + redirect if redirect else None,
                init_oauth=app.swagger_ui_init_oauth,
                swagger_ui_parameters=app.swagger_ui_parameters,
            )

    if redoc_url is not None:

        @app.get(redoc_url, include_in_schema=False)
        def redoc(request: Request) -> HTMLResponse:
            prefix = root(request)
            return get_redoc_html(
                openapi_url=prefix + openapi_url,
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{prefix}{ASSETS}/redoc.standalone.js",
                redoc_favicon_url=f"{prefix}{ASSETS}/favicon.png",
                with_google_fonts=False,
            )
