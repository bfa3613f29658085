"""Uvicorn's HTTP protocol with ``TCP_NODELAY`` on every connection, whatever the socket.

With ``--workers N`` uvicorn binds the listening socket itself as ``socket.socket(family)``,
whose ``proto`` is 0, and asyncio only sets ``TCP_NODELAY`` on sockets whose ``proto`` is
``IPPROTO_TCP``: the workers' connections then keep Nagle's algorithm, and each small
answer waits for the client's delayed ACK, about 40 ms (ADR 077 measured 44 ms per request
on a bare endpoint, against 0.3 ms with one worker). Setting the option when a connection
is made restores what a single worker gets. Pass ``http=NODELAY_HTTP`` to ``uvicorn.run``.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

NODELAY_HTTP = "service_conventions.nodelay:NoDelayH11Protocol"


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_nodelay(transport)
        super().connection_made(transport)


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    """Turn Nagle's algorithm off on the transport's TCP socket (no-op for other sockets)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
