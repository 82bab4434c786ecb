"""Bindings over loopback: requests/s for a small chat completion, chunks/s for one long stream.

``python -m tests.bench bindings``.  Every row talks to the same in-process loopback
server in the same run: our aiohttp, trio and httpx-async bindings (typed results:
``ChatCompletion`` / ``ChatCompletionChunk``), the official ``openai.AsyncOpenAI``
(typed, pydantic), and the floor: a bare ``aiohttp`` session doing ``json.loads``
(for the stream: splitting lines and ``json.loads`` of each ``data:`` payload).
The server runs in this process, so every row also pays for it: the ratios compare
clients under the same load.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import trio

from openai_proto.generated.familiar import ChatCompletion, ChatCompletionChunk
from openai_proto.testing import fixtures
from openai_proto.testing.script import Script, chat_completions, sse_reply
from openai_proto.testing.server import LoopbackServer

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
CONCURRENCY = (1, 16, 64)
STREAM_EVENTS = 2000
ROUNDS = 3

Call = Callable[[], Awaitable[Any]]


def long_stream() -> Any:
    chunks = list(fixtures.chat_completion_chunks("gpt-4o-mini"))
    first, middle, last = chunks[0], chunks[1], chunks[-1]
    return sse_reply([first, *[middle] * (STREAM_EVENTS - 2), last])


# -- one row: how to make a client on its loop, a call, and a stream read ---------------------


class Row:
    name: str
    loop = "asyncio"

    async def open(self, base_url: str) -> None:
        raise NotImplementedError

    async def call(self) -> None:
        raise NotImplementedError

    async def stream(self) -> int:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class Floor(Row):
    name = "bare aiohttp + json.loads (floor)"

    async def open(self, base_url: str) -> None:
        connector = aiohttp.TCPConnector(limit=1000, limit_per_host=100)
        self.session = aiohttp.ClientSession(connector=connector)
        self.url = base_url + "/chat/completions"
        self.headers = {"Authorization": "Bearer sk-bench", "Content-Type": "application/json"}

    async def call(self) -> None:
        data = json.dumps(CHAT).encode()
        async with self.session.post(self.url, data=data, headers=self.headers) as response:
            json.loads(await response.read())

    async def stream(self) -> int:
        count = 0
        body = json.dumps({**CHAT, "stream": True}).encode()
        async with self.session.post(self.url, data=body, headers=self.headers) as response:
            async for line in response.content:
                if line.startswith(b"data: ") and line.strip() != b"data: [DONE]":
                    json.loads(line[6:])
                    count += 1
        return count

    async def close(self) -> None:
        await self.session.close()


class Ours(Row):
    def __init__(self, name: str, loop: str, make: Callable[[str], Any]) -> None:
        self.name, self.loop, self._make = name, loop, make

    async def open(self, base_url: str) -> None:
        self.client = self._make(base_url)

    async def call(self) -> None:
        await self.client.post("/chat/completions", body=CHAT, cast_to=ChatCompletion)

    async def stream(self) -> int:
        count = 0
        body = {**CHAT, "stream": True}
        async with await self.client.post(
            "/chat/completions", body=body, cast_to=ChatCompletionChunk, stream=True
        ) as stream:
            async for _ in stream:
                count += 1
        return count

    async def close(self) -> None:
        await self.client.close()


class Official(Row):
    name = "official openai.AsyncOpenAI"

    async def open(self, base_url: str) -> None:
        import openai

        self.client = openai.AsyncOpenAI(api_key="sk-bench", base_url=base_url, max_retries=0)

    async def call(self) -> None:
        await self.client.chat.completions.create(**CHAT)  # type: ignore[call-overload]

    async def stream(self) -> int:
        count = 0
        stream = await self.client.chat.completions.create(**CHAT, stream=True)  # type: ignore[call-overload]
        async for _ in stream:
            count += 1
        return count

    async def close(self) -> None:
        await self.client.close()


def _ours(binding: str) -> Ours:
    def make(base_url: str) -> Any:
        if binding == "aiohttp":
            from openai_proto_aiohttp import AsyncOpenAI as A

            return A(api_key="sk-bench", base_url=base_url, max_retries=0)
        if binding == "trio":
            from openai_proto_trio import AsyncOpenAI as T

            return T(api_key="sk-bench", base_url=base_url, max_retries=0)
        from openai_proto_httpx import AsyncOpenAI as H

        return H(api_key="sk-bench", base_url=base_url, max_retries=0)

    loop = "trio" if binding == "trio" else "asyncio"
    return Ours(f"openai_proto {binding}", loop, make)


# -- measuring ----------------------------------------------------------------------------------


async def _concurrently(row: Row, concurrency: int, per_worker: int) -> None:
    async def worker() -> None:
        for _ in range(per_worker):
            await row.call()

    if row.loop == "asyncio":
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return
    async with trio.open_nursery() as nursery:
        for _ in range(concurrency):
            nursery.start_soon(worker)


async def _measure(row: Row, base_url: str, requests: int) -> tuple[list[float], float]:
    """requests/s at each concurrency (best of ROUNDS), and chunks/s of the long stream."""
    await row.open(base_url)
    try:
        rates = []
        for concurrency in CONCURRENCY:
            per_worker = max(requests // concurrency, 1)
            await _concurrently(row, concurrency, max(per_worker // 10, 1))  # warm up
            best = 0.0
            for _ in range(ROUNDS):
                started = time.perf_counter()
                await _concurrently(row, concurrency, per_worker)
                elapsed = time.perf_counter() - started
                best = max(best, per_worker * concurrency / elapsed)
            rates.append(best)
        stream_best = 0.0
        for _ in range(ROUNDS):
            started = time.perf_counter()
            count = await row.stream()
            stream_best = max(stream_best, count / (time.perf_counter() - started))
            assert count == STREAM_EVENTS, (row.name, count)
        return rates, stream_best
    finally:
        await row.close()


def measure(row: Row, base_url: str, requests: int) -> tuple[list[float], float]:
    if row.loop == "trio":
        return trio.run(_measure, row, base_url, requests)
    return asyncio.run(_measure(row, base_url, requests))


def main(requests: int = 640) -> None:
    rows: list[Row] = [
        Floor(),
        _ours("aiohttp"),
        _ours("trio"),
        _ours("httpx-async"),
        Official(),
    ]
    script = Script().route("POST", "/v1/chat/completions", _router(long_stream()))
    results: dict[str, tuple[list[float], float]] = {}
    with LoopbackServer(script, max_connections=1024) as server:
        for row in rows:
            results[row.name] = measure(row, server.url, requests)
    floor_rates, floor_stream = results[rows[0].name]
    header = "".join(f"{f'c={c} req/s':>14}{'ratio':>7}" for c in CONCURRENCY)
    print(f"\nbindings over loopback ({requests} requests per round, best of {ROUNDS})")
    print(f"  {'':36}{header}{'stream chunks/s':>17}{'ratio':>7}")
    for name, (rates, stream) in results.items():
        cells = "".join(
            f"{rate:14.0f}{rate / floor:6.2f}x"
            for rate, floor in zip(rates, floor_rates, strict=True)
        )
        print(f"  {name:36}{cells}{stream:17.0f}{stream / floor_stream:6.2f}x")


def _router(stream_reply: Any) -> Callable[[Any], Any]:
    """The demo completion, or the long stream when the request asks to stream."""

    def route(request: Any) -> Any:
        payload = request.json()
        return stream_reply if payload.get("stream") is True else chat_completions(request)

    return route


if __name__ == "__main__":
    main()
