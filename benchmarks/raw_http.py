"""A minimal keep-alive HTTP/1.1 client on asyncio streams, for load generation.

Why not httpx: on this kind of machine ``httpx.AsyncClient`` spends about 2 ms of CPU per
request, so one client process saturates a core at a few hundred requests/s, below what a
bare uvicorn endpoint serves: the "ceiling" would have measured the client. This client
writes each request as one pre-built byte string and parses only the status line and
``Content-Length``, which is all that the APIs under test send (uvicorn answers every JSON
response with a length). It is not a general HTTP client: no chunked bodies, no redirects,
no TLS.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


KEEP_IDLE_SECONDS = 3.0
"""Idle connections older than this are not reused: uvicorn closes them after 5 s, and a
request written into a connection the server is closing would fail for nothing."""


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.last_used = time.monotonic()

    async def exchange(self, request: bytes) -> Answer:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        length = 0
        for line in header_lines:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
            elif name.strip().lower() == "transfer-encoding":
                raise ValueError("chunked answers are not supported by this load client")
        body = await self.reader.readexactly(length) if length else b""
        return Answer(int(status_line.split(" ", 2)[1]), body)

    def close(self) -> None:
        self.writer.close()


class RawClient:
    """Keep-alive connections to one server, at most ``max_connections`` at once."""

    def __init__(self, base_url: str, max_connections: int, token: str | None = None) -> None:
        parts = urlsplit(base_url)
        self._authorization = f"Authorization: Bearer {token}\r\n" if token else ""
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(max_connections)

    def _request(self, method: str, path: str, body: bytes | None) -> bytes:
        head = f"{method} {path} HTTP/1.1\r\nHost: {self._host}:{self._port}\r\n"
        head += self._authorization
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        return (head + "\r\n").encode("latin-1") + (body or b"")

    async def post(self, path: str, payload: Any) -> Answer:
        body = json.dumps(payload, separators=(",", ":")).encode()
        return await self._send(self._request("POST", path, body))

    async def get(self, path: str) -> Answer:
        return await self._send(self._request("GET", path, None))

    async def _send(self, request: bytes) -> Answer:
        async with self._slots, self._connection() as connection:
            return await connection.exchange(request)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[_Connection]:
        """An idle connection or a new one; back to the idle list only if it completed
        its exchange (a half-read answer would poison the next one)."""
        while self._idle and time.monotonic() - self._idle[-1].last_used > KEEP_IDLE_SECONDS:
            self._idle.pop().close()
        if self._idle:
            connection = self._idle.pop()
        else:
            connection = _Connection(*await asyncio.open_connection(self._host, self._port))
        try:
            yield connection
        except BaseException:
            connection.close()
            raise
        connection.last_used = time.monotonic()
        self._idle.append(connection)

    async def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
