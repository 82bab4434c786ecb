"""No leaks over many requests, and many concurrent streams within the pool's bounds.

Soak: per async binding, requests of which a third are streams left midway; open
sockets (server side, and this process's file descriptors) and traced memory return
to where they started.  Load: concurrent streaming requests all complete with the
right content while the server never sees more connections than the pool allows.
CI runs 300 soak requests and 100 streams; ``OPENAI_PROTO_SLOW=1`` runs 2,000 and 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import threading
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import httpx
import pytest
import trio

from openai_proto.testing.script import Script, demo_script, sse_reply
from openai_proto.testing.server import LoopbackServer
from openai_proto_aiohttp import AsyncOpenAI as AiohttpOpenAI
from openai_proto_httpx import AsyncOpenAI as HttpxOpenAI
from openai_proto_trio import AsyncOpenAI as TrioOpenAI
from openai_proto_trio import Limits
from tests.bindings.conftest import SLOW
from tests.bindings.harness import CHAT, Binding, async_client, gather

pytestmark = pytest.mark.filterwarnings("ignore:Async generator 'httpcore\\.:ResourceWarning")

SOAK_REQUESTS = 2000 if SLOW else 300
LOAD_STREAMS = 500 if SLOW else 100
POOL_LIMIT = 50
#: Memory a soak run may keep for good (caches that fill once); a leak of even 1 KiB a
#: request would exceed it.
MEMORY_SLACK = 200 * 1024


def _stream_events(count: int) -> list[dict[str, Any]]:
    return [{"n": n, "text": "x" * 40} for n in range(count)]


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _run(binding: Binding, main: Callable[[], Any]) -> Any:
    return asyncio.run(main()) if binding.loop == "asyncio" else trio.run(main)


def _client_memory() -> int:
    """Traced bytes, less what the in-process test server keeps (every request it got)."""
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [
            tracemalloc.Filter(False, "*/openai_proto/testing/*"),
            tracemalloc.Filter(False, "*/threading.py"),
        ]
    )
    return sum(stat.size for stat in snapshot.statistics("filename"))


# -- soak -------------------------------------------------------------------------------------


async def _soak(binding: Binding, client: Any, requests: int) -> None:
    """``requests`` calls from 8 workers; every third is a stream left after 2 events."""
    counter = iter(range(requests))

    async def worker() -> None:
        for n in counter:
            if n % 3 == 0:
                async with await client.post("/stream", body=CHAT, stream=True) as stream:
                    seen = 0
                    async for _ in stream:
                        seen += 1
                        if seen == 2:
                            break
            else:
                completion = await client.post("/chat/completions", body=CHAT)
                assert completion["object"] == "chat.completion"

    await gather(binding, [worker] * 8)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts fds with /proc")
def test_soak_leaves_no_sockets_and_no_memory(async_binding: Binding) -> None:
    binding = async_binding
    events = _stream_events(200)
    script = demo_script().route("POST", "/v1/stream", lambda _: sse_reply(events))
    with LoopbackServer(script, max_connections=256) as server:
        config = {"api_key": "sk-test", "base_url": server.url}

        def one_run(requests: int) -> None:
            async def main() -> None:
                async with async_client(binding, None, dict(config)) as client:
                    await _soak(binding, client, requests)

            _run(binding, main)
            assert server.wait_for_no_open_connections(10)

        one_run(60)  # warm up: imports, caches
        gc.collect()
        fds = _open_fds()
        tracemalloc.start()
        try:
            before = _client_memory()
            one_run(SOAK_REQUESTS)
            gc.collect()
            after = _client_memory()
        finally:
            tracemalloc.stop()
        print(
            f"soak {binding}: {SOAK_REQUESTS} requests, "
            f"fds {fds} -> {_open_fds()}, kept {after - before} bytes"
        )
        assert _open_fds() <= fds
        assert after - before < MEMORY_SLACK, f"kept {after - before} bytes"
        assert len(server.requests) == 60 + SOAK_REQUESTS


# -- load -------------------------------------------------------------------------------------


@contextlib.contextmanager
def _peak_connections(server: LoopbackServer) -> Iterator[Callable[[], int]]:
    """Sample the server's open connections from a thread (any event loop)."""
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.001):
            peak = max(peak, server.open_connections)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield lambda: peak
    finally:
        stop.set()
        thread.join()


@contextlib.asynccontextmanager
async def _limited_client(binding: Binding, config: dict[str, Any]) -> AsyncIterator[Any]:
    """A client whose pool allows :data:`POOL_LIMIT` connections."""
    if binding.name.startswith("httpx"):
        pool = httpx.Limits(max_connections=POOL_LIMIT, max_keepalive_connections=POOL_LIMIT)
        async with (
            httpx.AsyncClient(limits=pool) as http_client,
            HttpxOpenAI(http_client=http_client, **config) as client,
        ):
            yield client
    elif binding.name == "aiohttp":
        connector = aiohttp.TCPConnector(limit=POOL_LIMIT)
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            AiohttpOpenAI(http_client=session, **config) as client,
        ):
            yield client
    else:
        limits = Limits(max_connections=POOL_LIMIT, max_idle=POOL_LIMIT)
        async with TrioOpenAI(limits=limits, **config) as client:
            yield client


def test_concurrent_streams_complete_within_the_pool_limit(async_binding: Binding) -> None:
    binding = async_binding
    events = _stream_events(20)
    expected = [f"data: {e}".replace("'", '"').replace(" ", "") for e in events]
    script = Script().route(
        "POST", "/v1/stream", lambda _: sse_reply(events, delay_between_chunks=0.002)
    )
    config = {"api_key": "sk-test", "timeout": 60.0}
    with LoopbackServer(script, max_connections=1000) as server:
        config["base_url"] = server.url

        async def one(client: Any) -> list[str]:
            async with await client.post("/stream", body=CHAT, stream=True) as stream:
                # lines, read to the end of the body: the connection goes back to the pool
                return [line async for line in stream.aiter_lines() if line]

        async def main() -> list[list[str]]:
            async with _limited_client(binding, dict(config)) as client:
                jobs: list[Callable[[], Awaitable[Any]]] = [lambda: one(client)] * LOAD_STREAMS
                return await gather(binding, jobs)

        with _peak_connections(server) as peak:
            results = _run(binding, main)
        assert server.wait_for_no_open_connections(10)
    print(f"load {binding}: {LOAD_STREAMS} streams, peak {peak()} connections")
    assert len(results) == LOAD_STREAMS
    for lines in results:
        assert [line.replace(" ", "") for line in lines[:-1]] == expected
        assert lines[-1] == "data: [DONE]"
    assert peak() <= POOL_LIMIT
    assert len(server.requests) == LOAD_STREAMS
