"""What differs between bindings: passing your own session/client/transport, pool limits, TLS."""

from __future__ import annotations

import asyncio
import json
import ssl
from typing import Any

import aiohttp
import httpx
import pytest
import trio

from openai_proto import APIConnectionError, APIStatusError, APITimeoutError, Timeout
from openai_proto.http import Request
from openai_proto.testing.script import Reply, Script, demo_script, json_reply, sse_reply
from openai_proto.transport import TransportTimeout
from openai_proto_aiohttp import AiohttpTransport, client_timeout
from openai_proto_aiohttp import AsyncOpenAI as AiohttpOpenAI
from openai_proto_httpx import OpenAI as HttpxOpenAI
from openai_proto_trio import AsyncOpenAI as TrioOpenAI
from openai_proto_trio import Limits, TrioTransport
from openai_proto_trio.connection import Connection
from tests.bindings.conftest import Serve
from tests.bindings.harness import CHAT

# -- httpx ------------------------------------------------------------------------------------


def test_user_supplied_httpx_client_is_used_and_left_open(serve: Serve) -> None:
    server = serve(Script().enqueue("GET", "/v1/models", json_reply({"ok": 1})))
    http_client = httpx.Client(headers={"X-From-User": "yes"})
    with HttpxOpenAI(api_key="sk-test", base_url=server.url, http_client=http_client) as client:
        assert client.get("/models") == {"ok": 1}
    assert server.requests[0].header("x-from-user") == "yes"
    assert not http_client.is_closed
    http_client.close()
    assert server.wait_for_no_open_connections(5)


@pytest.mark.parametrize("follows", [True, False])
def test_user_supplied_httpx_client_decides_whether_redirects_are_followed(
    serve: Serve, follows: bool
) -> None:
    """The redirect itself is followed by the binding (the core's rules), but only
    when the client says to, as httpx would."""
    script = Script().enqueue("GET", "/v1/models", Reply(302, (("location", "/v1/moved"),)))
    server = serve(script.enqueue("GET", "/v1/moved", json_reply({"moved": True})))
    http_client = httpx.Client(follow_redirects=follows)
    try:
        with HttpxOpenAI(
            api_key="sk-test", base_url=server.url, http_client=http_client, max_retries=0
        ) as client:
            if follows:
                assert client.get("/models") == {"moved": True}
            else:
                with pytest.raises(APIStatusError) as info:
                    client.get("/models")
                assert info.value.status_code == 302
    finally:
        http_client.close()
    assert [r.path for r in server.requests] == ["/v1/models", "/v1/moved"][: 1 + follows]


# -- aiohttp ----------------------------------------------------------------------------------


def test_user_supplied_aiohttp_session_is_used_and_left_open(serve: Serve) -> None:
    server = serve(Script().enqueue("GET", "/v1/models", json_reply({"ok": 1})))

    async def main() -> bool:
        async with aiohttp.ClientSession(headers={"X-From-User": "yes"}) as session:
            async with AiohttpOpenAI(
                api_key="sk-test", base_url=server.url, http_client=session
            ) as client:
                assert await client.get("/models") == {"ok": 1}
            return session.closed

    assert asyncio.run(main()) is False
    assert server.requests[0].header("x-from-user") == "yes"
    assert server.wait_for_no_open_connections(5)


def test_aiohttp_owned_session_has_limits_and_is_closed() -> None:
    async def main() -> tuple[int, int, bool]:
        transport = AiohttpTransport()
        session = transport.session
        limits = (session.connector.limit, session.connector.limit_per_host)  # type: ignore[union-attr]
        await transport.aclose()
        return (*limits, session.closed)

    assert asyncio.run(main()) == (1000, 100, True)


def test_aiohttp_timeouts_map_phase_by_phase() -> None:
    mapped = client_timeout(Timeout(connect=2.0, read=30.0, write=9.0, pool=3.0))
    assert (mapped.total, mapped.connect, mapped.sock_connect, mapped.sock_read) == (
        None,
        5.0,
        2.0,
        30.0,
    )
    assert client_timeout(Timeout.of(None)) == aiohttp.ClientTimeout(total=None)


# -- trio -------------------------------------------------------------------------------------


def _max_open_while(server: Any, job: Any, transport: TrioTransport) -> tuple[int, int]:
    """Run ``job`` on trio, sampling the connections the pool holds (lent and idle) and
    those the server sees open (which lag: a close is still in flight)."""
    peak = pooled = 0
    origin = ("http", server.host, server.port)

    async def main() -> None:
        nonlocal peak
        async with trio.open_nursery() as nursery:

            async def sample() -> None:
                nonlocal peak, pooled
                while True:
                    peak = max(peak, server.open_connections)
                    pooled = max(
                        pooled, transport._pool.lent(origin) + transport._pool.idle(origin)
                    )
                    await trio.sleep(0.005)

            nursery.start_soon(sample)
            await job()
            nursery.cancel_scope.cancel()

    trio.run(main)
    return pooled, peak


def test_trio_pool_is_bounded_per_origin(serve: Serve) -> None:
    events = [{"n": n} for n in range(5)]
    script = Script().route(
        "POST", "/v1/chat/completions", lambda _: sse_reply(events, delay_between_chunks=0.01)
    )
    server = serve(script)
    results: list[list[Any]] = []
    transport = TrioTransport(limits=Limits(max_connections=3))

    async def job() -> None:
        async with TrioOpenAI(api_key="sk-test", base_url=server.url, http_client=transport) as c:

            async def one() -> None:
                async with await c.post("/chat/completions", body=CHAT, stream=True) as s:
                    results.append([event async for event in s])

            async with trio.open_nursery() as nursery:
                for _ in range(12):
                    nursery.start_soon(one)
        await transport.aclose()

    pooled, seen_by_server = _max_open_while(server, job, transport)
    assert pooled == 3
    assert seen_by_server <= 6  # 3 open, and at most 3 closes not yet noticed by the server
    assert results == [events] * 12
    assert server.wait_for_no_open_connections(5)


def test_trio_pool_timeout_when_every_connection_is_busy(serve: Serve) -> None:
    slow = sse_reply([{"n": n} for n in range(20)], delay_between_chunks=0.05)
    server = serve(Script().enqueue("POST", "/v1/chat/completions", slow))

    async def main() -> None:
        limits = Limits(max_connections=1)
        timeout = Timeout(connect=5, read=5, write=5, pool=0.1)
        async with (
            TrioOpenAI(
                api_key="sk-test",
                base_url=server.url,
                limits=limits,
                timeout=timeout,
                max_retries=0,
            ) as client,
            await client.post("/chat/completions", body=CHAT, stream=True),
        ):
            with pytest.raises(APITimeoutError) as info:
                await client.get("/models")
            assert isinstance(info.value.__cause__, TransportTimeout)
            assert "pooled connection" in str(info.value.__cause__)

    trio.run(main)
    assert server.wait_for_no_open_connections(5)


def test_trio_replaces_a_pooled_connection_the_server_closed(serve: Serve) -> None:
    reply = json_reply({"ok": True})
    closes_after = reply.replace(close_after=len(reply.body))  # complete, then a silent close
    server = serve(Script().enqueue("GET", "/v1/models", closes_after, reply))

    async def main() -> list[Any]:
        async with TrioOpenAI(api_key="sk-test", base_url=server.url, max_retries=0) as client:
            first = await client.get("/models")
            await trio.sleep(0.05)  # the server's FIN arrives
            return [first, await client.get("/models")]

    assert trio.run(main) == [{"ok": True}, {"ok": True}]
    assert server.connection_count == 2
    assert server.wait_for_no_open_connections(5)


def test_trio_resends_once_when_a_reused_connection_fails_before_answering(
    serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = json_reply({"ok": True})
    closes_after = reply.replace(close_after=len(reply.body))
    server = serve(Script().enqueue("GET", "/v1/models", closes_after, reply))
    monkeypatch.setattr(Connection, "peer_closed", lambda self: False)  # miss the close

    async def main() -> list[Any]:
        async with TrioOpenAI(api_key="sk-test", base_url=server.url, max_retries=0) as client:
            first = await client.get("/models")
            await trio.sleep(0.05)
            return [first, await client.get("/models")]

    assert trio.run(main) == [{"ok": True}, {"ok": True}]
    assert len(server.requests) == 2
    assert server.wait_for_no_open_connections(5)


def test_trio_idle_connections_expire(serve: Serve) -> None:
    server = serve(demo_script())

    async def main() -> int:
        limits = Limits(idle_timeout=0.0)
        async with TrioOpenAI(api_key="sk-test", base_url=server.url, limits=limits) as client:
            for _ in range(3):
                await client.post("/chat/completions", body=CHAT)
            await trio.sleep(0.05)
            return server.open_connections

    assert trio.run(main) <= 1  # each expired connection was closed when the next began
    assert server.connection_count == 3
    assert server.wait_for_no_open_connections(5)


def test_trio_connection_goes_back_with_the_last_piece_of_the_body(serve: Serve) -> None:
    """When the end of the body arrived with its last piece, the connection is back in
    the pool as that piece is handed over: before the caller asks for more."""
    server = serve(Script().enqueue("GET", "/v1/models", json_reply({"ok": True})))
    origin = ("http", server.host, server.port)

    async def main() -> None:
        transport = TrioTransport()
        response = await transport.open(Request("GET", f"{server.url}/models"))
        assert (transport._pool.lent(origin), transport._pool.idle(origin)) == (1, 0)
        assert json.loads(await response.__anext__()) == {"ok": True}
        assert (transport._pool.lent(origin), transport._pool.idle(origin)) == (0, 1)
        with pytest.raises(StopAsyncIteration):
            await response.__anext__()
        await response.aclose()
        assert (transport._pool.lent(origin), transport._pool.idle(origin)) == (0, 1)
        await transport.aclose()

    trio.run(main)
    assert server.wait_for_no_open_connections(5)


def test_trio_shared_transport_is_left_open_by_the_client(serve: Serve) -> None:
    server = serve(demo_script())

    async def main() -> None:
        transport = TrioTransport()
        for _ in range(2):
            async with TrioOpenAI(
                api_key="sk-test", base_url=server.url, http_client=transport
            ) as client:
                await client.post("/chat/completions", body=CHAT)
        assert server.open_connections == 1  # kept for the next client
        await transport.aclose()

    trio.run(main)
    assert server.connection_count == 1
    assert server.wait_for_no_open_connections(5)


def test_trio_verifies_certificates_with_the_system_store(serve: Serve) -> None:
    server = serve(demo_script(), tls=True)  # signed by a test CA the system does not trust

    async def main() -> None:
        async with TrioOpenAI(api_key="sk-test", base_url=server.url, max_retries=0) as client:
            await client.post("/chat/completions", body=CHAT)

    with pytest.raises(APIConnectionError) as info:
        trio.run(main)
    assert isinstance(info.value.__cause__.__cause__, (trio.BrokenResourceError, ssl.SSLError))  # type: ignore[union-attr]
    assert server.wait_for_no_open_connections(5)
