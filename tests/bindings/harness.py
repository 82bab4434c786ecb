"""Run one contract case over every binding: the bindings, their runners, and a sync shim.

Every case is written once as ``async def case(client) -> result``.  Async bindings
run it on their event loop; the sync httpx binding runs it through
:class:`SyncAsAsync`, whose awaitables never suspend, so driving the coroutine with
one ``send(None)`` completes it.  :func:`run` makes the client (trusting the test CA
for TLS), runs the case, closes the client and checks that the server has no
connection left open.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from typing import Any

import attrs
import httpx
import trio

from openai_proto.responses import StreamedResponse
from openai_proto.testing.server import LoopbackServer

Case = Callable[[Any], Awaitable[Any]]

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
FAST_RETRY = (("retry-after-ms", "10"),)


@attrs.frozen
class Binding:
    """One binding on one event loop."""

    name: str
    loop: str  # "sync", "asyncio" or "trio"

    @property
    def is_async(self) -> bool:
        return self.loop != "sync"

    def __str__(self) -> str:
        return self.name


BINDINGS = [
    Binding("httpx-sync", "sync"),
    Binding("httpx-asyncio", "asyncio"),
    Binding("httpx-trio", "trio"),
    Binding("aiohttp", "asyncio"),
    Binding("trio", "trio"),
]
ASYNC_BINDINGS = [b for b in BINDINGS if b.is_async]


# -- the sync shim ----------------------------------------------------------------------------


class _AsyncOf:
    """A sync iterator as an async one (its awaits never suspend)."""

    def __init__(self, items: Iterator[Any]) -> None:
        self._items = items

    def __aiter__(self) -> _AsyncOf:
        return self

    async def __anext__(self) -> Any:
        try:
            return next(self._items)
        except StopIteration:
            raise StopAsyncIteration from None


class SyncStream:
    """A sync :class:`StreamedResponse` with the async stream's methods."""

    def __init__(self, stream: StreamedResponse[Any]) -> None:
        self.stream = stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)

    def aiter_bytes(self) -> _AsyncOf:
        return _AsyncOf(self.stream.iter_bytes())

    def aiter_lines(self) -> _AsyncOf:
        return _AsyncOf(self.stream.iter_lines())

    def aiter_events(self) -> _AsyncOf:
        return _AsyncOf(self.stream.iter_events())

    def __aiter__(self) -> _AsyncOf:
        return _AsyncOf(iter(self.stream))

    async def read(self) -> bytes:
        return self.stream.read()

    async def aclose(self) -> None:
        self.stream.close()

    async def __aenter__(self) -> SyncStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.stream.close()


class SyncAsAsync:
    """A sync client whose raw request methods are coroutines that never suspend."""

    def __init__(self, client: Any) -> None:
        self.client = client

    @property
    def with_raw_response(self) -> SyncAsAsync:
        return SyncAsAsync(self.client.with_raw_response)

    def with_options(self, **changes: Any) -> SyncAsAsync:
        return SyncAsAsync(self.client.with_options(**changes))

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        result = getattr(self.client, method)(path, **kwargs)
        return SyncStream(result) if isinstance(result, StreamedResponse) else result

    async def get(self, path: str, **kwargs: Any) -> Any:
        return await self._call("get", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> Any:
        return await self._call("post", path, **kwargs)


def run_sync(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine that never suspends."""
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    coroutine.close()
    raise RuntimeError("a case run on the sync binding awaited something that suspends")


# -- loop-neutral helpers ---------------------------------------------------------------------


async def sleep(binding: Binding, seconds: float) -> None:
    if binding.loop == "asyncio":
        await asyncio.sleep(seconds)
    elif binding.loop == "trio":
        await trio.sleep(seconds)
    else:
        time.sleep(seconds)


async def wait_for_no_connections(binding: Binding, server: LoopbackServer, seconds: float) -> bool:
    """Poll the server (yielding to the loop) until it has no open connection."""
    deadline = time.monotonic() + seconds
    while server.open_connections:
        if time.monotonic() > deadline:
            return False
        await sleep(binding, 0.02)
    return True


async def gather(binding: Binding, jobs: list[Callable[[], Awaitable[Any]]]) -> list[Any]:
    """Run ``jobs`` concurrently on the binding's loop; their results in order."""
    if binding.loop == "asyncio":
        return list(await asyncio.gather(*(job() for job in jobs)))
    results: list[Any] = [None] * len(jobs)

    async def one(index: int) -> None:
        results[index] = await jobs[index]()

    async with trio.open_nursery() as nursery:
        for index in range(len(jobs)):
            nursery.start_soon(one, index)
    return results


async def cancel_after(binding: Binding, seconds: float, job: Callable[[], Awaitable[Any]]) -> bool:
    """Run ``job`` and cancel it after ``seconds``; True when it was cancelled."""
    if binding.loop == "asyncio":
        try:
            await asyncio.wait_for(job(), seconds)
        except asyncio.TimeoutError:
            return True
        return False
    with trio.move_on_after(seconds) as scope:
        await job()
    return scope.cancelled_caught


# -- making clients ---------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def async_client(
    binding: Binding, tls: ssl.SSLContext | None, config: dict[str, Any]
) -> AsyncIterator[Any]:
    """A client of ``binding`` (an async one) trusting ``tls``; closed on exit."""
    if binding.name.startswith("httpx"):
        from openai_proto_httpx import AsyncOpenAI as HttpxAsyncOpenAI

        if tls is None:
            async with HttpxAsyncOpenAI(**config) as client:
                yield client
            return
        async with (
            httpx.AsyncClient(verify=tls, follow_redirects=True) as http_client,
            HttpxAsyncOpenAI(http_client=http_client, **config) as client,
        ):
            yield client
    elif binding.name == "aiohttp":
        import aiohttp

        from openai_proto_aiohttp import AsyncOpenAI as AiohttpAsyncOpenAI

        if tls is None:
            async with AiohttpAsyncOpenAI(**config) as client:
                yield client
            return
        connector = aiohttp.TCPConnector(ssl=tls)
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            AiohttpAsyncOpenAI(http_client=session, **config) as client,
        ):
            yield client
    else:
        from openai_proto_trio import AsyncOpenAI as TrioAsyncOpenAI

        async with TrioAsyncOpenAI(ssl_context=tls, **config) as client:
            yield client


@contextlib.contextmanager
def sync_client(tls: ssl.SSLContext | None, config: dict[str, Any]) -> Iterator[SyncAsAsync]:
    from openai_proto_httpx import OpenAI

    http_client = httpx.Client(verify=tls, follow_redirects=True) if tls is not None else None
    try:
        with OpenAI(http_client=http_client, **config) as client:
            yield SyncAsAsync(client)
    finally:
        if http_client is not None:
            http_client.close()


def run(
    binding: Binding,
    server: LoopbackServer,
    case: Case,
    *,
    tls: ssl.SSLContext | None = None,
    check_connections: bool = True,
    **config: Any,
) -> Any:
    """Run ``case(client)`` with a fresh client of ``binding`` against ``server``.

    After the client is closed the server must see no connection left open.
    """
    config.setdefault("api_key", "sk-test")
    config.setdefault("base_url", server.url)
    try:
        if binding.loop == "sync":
            with sync_client(tls, config) as client:
                return run_sync(case(client))  # type: ignore[arg-type]

        async def main() -> Any:
            async with async_client(binding, tls, config) as client:
                return await case(client)

        return asyncio.run(main()) if binding.loop == "asyncio" else trio.run(main)
    finally:
        if check_connections:
            assert server.wait_for_no_open_connections(5), "a connection was left open"
