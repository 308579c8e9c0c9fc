"""Fixtures of the target tests: a fresh :class:`FakeNova` per test, on one server shared by the module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakenova import PROJECT, TOKENS, FakeNova, Seen, _Server, as_json, serving

__all__ = ["PROJECT", "TOKENS", "FakeNova", "Seen", "as_json"]


@pytest.fixture(scope="module")
def _server() -> Iterator[_Server]:
    with serving() as server:
        yield server
@pytest.fixture
def nova(_server: _Server) -> FakeNova:
    _server.fake = FakeNova(f"http://127.0.0.1:{_server.server_address[1]}")
    return _server.fake


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

