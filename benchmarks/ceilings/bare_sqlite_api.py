"""The embedded write API's ceiling: a bare FastAPI POST endpoint that INSERTs one row into
SQLite and commits, served by uvicorn the way ``conference command-api`` is.

The database is configured like the command service's (WAL, ``synchronous=NORMAL``, a busy
timeout, ``BEGIN IMMEDIATE``), so the ratio against the write API is what our command path
costs on top of one durable SQLite write. Run:

    .venv/bin/python -m benchmarks.ceilings.bare_sqlite_api --port 8098 --database /tmp/b.db
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import threading
import uuid
from typing import Any

from fastapi import Body, FastAPI
from fastapi.responses import JSONResponse

from benchmarks.ceilings.bare_api import created_answer, serve

DATABASE_ENV = "BARE_SQLITE_DATABASE"
app = FastAPI(title="bare SQLite INSERT ceiling")
_local = threading.local()


def _connection() -> sqlite3.Connection:
    """One connection per threadpool thread, as SQLAlchemy's pool would hand out."""
    connection: sqlite3.Connection | None = getattr(_local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(os.environ[DATABASE_ENV], timeout=10, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA busy_timeout=10000")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS talks (id TEXT PRIMARY KEY, body TEXT NOT NULL)"
        )
        _local.connection = connection
    return connection


@app.get("/health/ready")
def ready() -> dict[str, str]:
    return {"status": "ready"}


@app.post("/talks", status_code=201)
def create(body: dict[str, Any] = Body(...)) -> JSONResponse:
    """One INSERT and a COMMIT, in the threadpool like the command API's handlers."""
    created = str(uuid.uuid4())
    connection = _connection()
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO talks (id, body) VALUES (?, ?)", (created, json.dumps(body)))
    connection.execute("COMMIT")
    return created_answer(created)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8098)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    os.environ[DATABASE_ENV] = args.database
    serve("benchmarks.ceilings.bare_sqlite_api:app", args)


if __name__ == "__main__":
    main()
