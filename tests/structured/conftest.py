"""Fixtures of the structured tests over real sockets: a script, and the loopback server
replaying it (which checks, at the end of the test, that every connection was closed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from openai_proto.testing import LoopbackServer, Script


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def server(script: Script) -> Iterator[LoopbackServer]:
    with LoopbackServer(script) as server:
        yield server
        assert server.wait_for_no_open_connections(5)
