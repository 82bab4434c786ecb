"""Fixtures of the binding contract suite: every binding, and loopback servers (plain or TLS)."""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import trustme

from openai_proto.testing.script import Script
from openai_proto.testing.server import LoopbackServer
from tests.bindings.harness import ASYNC_BINDINGS, BINDINGS, Binding

SLOW = os.environ.get("OPENAI_PROTO_SLOW") == "1"


@pytest.fixture(params=BINDINGS, ids=str)
def binding(request: pytest.FixtureRequest) -> Binding:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(params=ASYNC_BINDINGS, ids=str)
def async_binding(request: pytest.FixtureRequest) -> Binding:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture(scope="session")
def client_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


Serve = Callable[..., LoopbackServer]


@pytest.fixture
def serve(server_tls: ssl.SSLContext) -> Iterator[Serve]:
    """``serve(script, tls=False, **options)``: a loopback server closed after the test."""
    servers: list[LoopbackServer] = []

    def make(script: Script, *, tls: bool = False, **options: Any) -> LoopbackServer:
        server = LoopbackServer(script, ssl_context=server_tls if tls else None, **options)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()
