"""TCP_NODELAY on the connections of a socket that asyncio would leave with Nagle on."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest
import uvicorn
from uvicorn.importer import import_from_string
from uvicorn.protocols.http.h11_impl import H11Protocol

from service_conventions.nodelay import NODELAY_HTTP, NoDelayH11Protocol, set_nodelay


@pytest.fixture
def accepted() -> Iterator[socket.socket]:
    """A connection accepted on a socket bound the way uvicorn's workers bind (proto 0)."""
    listener = socket.socket(family=socket.AF_INET)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    connection, _ = listener.accept()
    yield connection
    for sock in (connection, client, listener):
        sock.close()


class _Transport(asyncio.Transport):
    def __init__(self, sock: socket.socket) -> None:
        super().__init__({"socket": sock})
        self._sock = sock

    def get_extra_info(self, name: str, default: object = None) -> object:
        return self._sock if name == "socket" else default


def nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_such_a_connection_starts_with_nagle_on(accepted: socket.socket) -> None:
    """Why the protocol exists: asyncio skips sockets whose proto is not IPPROTO_TCP."""
    assert accepted.proto == 0
    assert nodelay(accepted) == 0


def test_the_option_is_set_when_the_connection_is_made(accepted: socket.socket) -> None:
    set_nodelay(_Transport(accepted))
    assert nodelay(accepted) != 0


def test_the_roles_protocol_is_importable_by_uvicorn() -> None:
    protocol = import_from_string(NODELAY_HTTP)
    assert protocol is NoDelayH11Protocol
    assert issubclass(protocol, H11Protocol)


def test_the_api_roles_are_served_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from conference_cli import roles

    served: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *_, **options: served.update(options))
    roles.command_api("127.0.0.1", 0, workers=1)
    assert served["http"] == NODELAY_HTTP
