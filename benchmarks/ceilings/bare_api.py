"""The ceiling of the write API: a bare FastAPI POST endpoint served by uvicorn exactly as
``conference command-api`` is served (one process, ``uvicorn.run``, default loop and HTTP
implementation, log level ``warning``).

It parses the JSON body and answers ``201`` with a small JSON document and the headers a
command answer carries (``Location``, ``ETag``), and does nothing else: no validation, no
database. Driven by the same client code as the command API, the ratio of the two is the
share of the HTTP stack's capacity that the command path leaves. Run:

    .venv/bin/python -m benchmarks.ceilings.bare_api --port 8099
"""

from __future__ import annotations

import argparse
import uuid
from typing import Any

import uvicorn
from fastapi import Body, FastAPI
from fastapi.responses import JSONResponse
from uvicorn.importer import import_from_string

from service_conventions.nodelay import NODELAY_HTTP

app = FastAPI(title="bare POST ceiling")


@app.get("/health/ready")
def ready() -> dict[str, str]:
    return {"status": "ready"}


@app.post("/talks", status_code=201)
async def create(body: dict[str, Any] = Body(...)) -> JSONResponse:
    """Answer like ``POST /talks`` does, without the command behind it."""
    return created_answer(str(uuid.uuid4()))


def created_answer(created: str) -> JSONResponse:
    """The ``201`` a submitted talk gets: its id, version, status, Location and ETag."""
    return JSONResponse(
        {"id": created, "version": 1, "status": "submitted"},
        status_code=201,
        headers={"Location": f"/talks/{created}", "ETag": '"1"'},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--workers", type=int, default=1, help="as `command-api --workers`")
    args = parser.parse_args()
    serve("benchmarks.ceilings.bare_api:app", args)


def serve(app_path: str, args: argparse.Namespace) -> None:
    """Serve like ``conference command-api --workers N``: uvicorn, one process or N workers
    (which need the app as an import string), log level warning, TCP_NODELAY."""
    target = app_path if args.workers > 1 else import_from_string(app_path)
    uvicorn.run(
        target,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        http=NODELAY_HTTP,
    )


if __name__ == "__main__":
    main()
