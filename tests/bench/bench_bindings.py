"""Bindings over loopback: requests/s for a small chat completion, chunks/s for one long stream.

``python -m tests.bench bindings`` (or ``python -m tests.bench.bench_bindings [--runs N]
[--profile ROW]``).  The server (:mod:`tests.bench.fast_server`) runs in a process of
its own, so what is measured here is the client side alone.  Rows, all against the
same server in the same run:

- the floor: a bare ``aiohttp`` session doing ``json.loads`` of the body (for the
  stream: reading lines and ``json.loads`` of each ``data:`` payload);
- our aiohttp, trio and httpx-async bindings through the generated resource,
  ``client.chat.completions.create(...)``: typed ``ChatCompletion`` results, and
  ``create(stream=True)`` giving typed ``ChatCompletionChunk`` events;
- the official ``openai.AsyncOpenAI`` (pydantic models, over its ``httpx2`` fork);
- for context, in parentheses: trio + h11 used bare, and ``httpx.AsyncClient`` used
  bare, each doing ``json.loads`` like the floor: what the library under a binding
  costs by itself.

Requests/s at concurrency 1, 16 and 64: each round runs that many workers, each
calling in a loop, for :data:`ROUND_SECONDS`.  Chunks/s: one stream of
:data:`STREAM_EVENTS` events per round.  Every row runs on its own event loop in its
own thread (:class:`Runner`) and the rows take turns round by round, so each round of
a row is next in time to a round of the floor.  A run is :data:`ROUNDS` rounds per
concurrency and :data:`STREAM_ROUNDS` streams; the whole is repeated ``--runs`` times
(default 3, or ``BENCH_RUNS``).  Each cell of the table is the median over all rounds:
of the rate, and of the ratio of each round to the floor's round next to it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import queue
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import h11
import httpx
import trio

from tests.bench.fast_server import STREAM_EVENTS

CHAT: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
CONCURRENCY = (1, 16, 64)
ROUNDS = 3
STREAM_ROUNDS = 7
ROUND_SECONDS = 0.25
WARMUP_SECONDS = 0.1
ROOT = Path(__file__).resolve().parents[2]


# -- the server process ---------------------------------------------------------------------


@contextmanager
def server_process() -> Iterator[str]:
    """Start :mod:`tests.bench.fast_server`; its base URL; stop it on exit."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.fast_server", "--events", str(STREAM_EVENTS)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        assert child.stdin is not None
        child.stdin.close()  # the server exits when its stdin closes
        try:
            child.wait(5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()


# -- the rows: how to open a client on its loop, make a call, read the stream ---------------


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
    name = "floor: bare aiohttp + json.loads"

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


class TrioFloor(Row):
    """Context for the trio row: bare trio + h11, one keep-alive connection per worker."""

    name = "(trio + h11 + json.loads)"
    loop = "trio"

    async def open(self, base_url: str) -> None:
        url = urlsplit(base_url + "/chat/completions")
        self.host, self.port, self.path = url.hostname or "", url.port or 80, url.path
        self.idle: list[tuple[trio.SocketStream, h11.Connection]] = []

    async def _exchange(self, body: bytes) -> AsyncIterator[bytes]:
        if self.idle:
            stream, connection = self.idle.pop()
        else:
            stream = await trio.open_tcp_stream(self.host, self.port)
            connection = h11.Connection(h11.CLIENT)
        headers = [
            ("Host", f"{self.host}:{self.port}"),
            ("Authorization", "Bearer sk-bench"),
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
        ]
        request = h11.Request(method="POST", target=self.path, headers=headers)
        wire = connection.send(request) or b""
        wire += connection.send(h11.Data(data=body)) or b""
        wire += connection.send(h11.EndOfMessage()) or b""
        await stream.send_all(wire)
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                connection.receive_data(await stream.receive_some(65536))
            elif isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                break
        connection.start_next_cycle()
        self.idle.append((stream, connection))

    async def call(self) -> None:
        json.loads(b"".join([chunk async for chunk in self._exchange(json.dumps(CHAT).encode())]))

    async def stream(self) -> int:
        count, rest = 0, b""
        async for chunk in self._exchange(json.dumps({**CHAT, "stream": True}).encode()):
            *lines, rest = (rest + chunk).split(b"\n")
            for line in lines:
                if line.startswith(b"data: ") and line != b"data: [DONE]":
                    json.loads(line[6:])
                    count += 1
        return count

    async def close(self) -> None:
        for stream, _ in self.idle:
            await stream.aclose()


class HttpxFloor(Row):
    """Context for the httpx row: a bare ``httpx.AsyncClient``."""

    name = "(httpx.AsyncClient + json.loads)"

    async def open(self, base_url: str) -> None:
        limits = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
        self.client = httpx.AsyncClient(limits=limits)
        self.url = base_url + "/chat/completions"
        self.headers = {"Authorization": "Bearer sk-bench", "Content-Type": "application/json"}

    async def call(self) -> None:
        data = json.dumps(CHAT).encode()
        response = await self.client.post(self.url, content=data, headers=self.headers)
        json.loads(response.content)

    async def stream(self) -> int:
        count = 0
        body = json.dumps({**CHAT, "stream": True}).encode()
        async with self.client.stream("POST", self.url, content=body, headers=self.headers) as r:
            async for line in r.aiter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    json.loads(line[6:])
                    count += 1
        return count

    async def close(self) -> None:
        await self.client.aclose()


class Ours(Row):
    """One of our bindings, through the generated ``chat.completions`` resource."""

    def __init__(self, binding: str) -> None:
        self.binding = binding
        self.name = f"openai_proto {binding}"
        self.loop = "trio" if binding == "trio" else "asyncio"

    async def open(self, base_url: str) -> None:
        if self.binding == "aiohttp":
            from openai_proto_aiohttp import AsyncOpenAI as Aiohttp

            self.client: Any = Aiohttp(api_key="sk-bench", base_url=base_url, max_retries=0)
        elif self.binding == "trio":
            from openai_proto_trio import AsyncOpenAI as Trio

            self.client = Trio(api_key="sk-bench", base_url=base_url, max_retries=0)
        else:
            from openai_proto_httpx import AsyncOpenAI as Httpx

            self.client = Httpx(api_key="sk-bench", base_url=base_url, max_retries=0)

    async def call(self) -> None:
        await self.client.chat.completions.create(**CHAT)

    async def stream(self) -> int:
        count = 0
        async with await self.client.chat.completions.create(**CHAT, stream=True) as stream:
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
        await self.client.chat.completions.create(**CHAT)

    async def stream(self) -> int:
        count = 0
        stream = await self.client.chat.completions.create(**CHAT, stream=True)
        async with stream:
            async for _ in stream:
                count += 1
        return count

    async def close(self) -> None:
        await self.client.close()


def all_rows() -> list[Row]:
    """The floor first; rows in parentheses are context: the library under a binding
    used bare, so a binding's cost can be told from its library's."""
    return [
        Floor(),
        Ours("aiohttp"),
        Ours("trio"),
        TrioFloor(),
        Ours("httpx-async"),
        HttpxFloor(),
        Official(),
    ]


# -- measuring --------------------------------------------------------------------------------


async def _all_at_once(loop: str, jobs: list[Callable[[], Any]]) -> None:
    if loop == "asyncio":
        await asyncio.gather(*(job() for job in jobs))
        return
    async with trio.open_nursery() as nursery:
        for job in jobs:
            nursery.start_soon(job)


async def calls_per_second(row: Row, concurrency: int, seconds: float) -> float:
    """``concurrency`` workers call in a loop until ``seconds`` have passed: calls/s."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await row.call()
            done += 1

    started = time.perf_counter()
    await _all_at_once(row.loop, [worker] * concurrency)
    return done / (time.perf_counter() - started)


async def chunks_per_second(row: Row) -> float:
    started = time.perf_counter()
    count = await row.stream()
    elapsed = time.perf_counter() - started
    assert count == STREAM_EVENTS, (row.name, count)
    return count / elapsed


class Runner:
    """A row on an event loop of its own, in a thread of its own.

    :meth:`run` hands it one job and waits for the result, so rows take turns: the
    others sit blocked on their queues (no CPU, no GIL) while one is measured.  That
    lets the rows alternate round by round, each round of a row next in time to the
    floor's, so a burst of load from elsewhere on the machine hits both alike.
    """

    def __init__(self, row: Row, base_url: str) -> None:
        self.row = row
        self._base_url = base_url
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._results: queue.Queue[object] = queue.Queue()
        self._thread = threading.Thread(target=self._main, name=row.name, daemon=True)
        self._thread.start()
        self.run(lambda row: _nothing())  # opened

    def run(self, job: Job) -> Any:
        self._jobs.put(job)
        result = self._results.get()
        if isinstance(result, BaseException):
            raise result
        return result

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(10)

    def _main(self) -> None:
        if self.row.loop == "trio":
            trio.run(self._serve)
        else:
            asyncio.run(self._serve())

    async def _serve(self) -> None:
        try:
            await self.row.open(self._base_url)
        except BaseException as exc:
            self._results.put(exc)
            return
        try:
            while (job := self._jobs.get()) is not None:  # blocks the idle loop: on purpose
                try:
                    self._results.put(await job(self.row))
                except Exception as exc:
                    self._results.put(exc)
        finally:
            await self.row.close()


Job = Callable[[Row], Awaitable[Any]]


async def _nothing() -> None:
    return None


#: Per row: per column (each concurrency, then the stream), the rate of every round.
Rounds = dict[str, list[list[float]]]


def measure_run(base_url: str) -> Rounds:
    """One run: every row, round by round in turn, at each concurrency, then the stream."""
    runners = [Runner(row, base_url) for row in all_rows()]
    rounds: Rounds = {
        runner.row.name: [[] for _ in range(len(CONCURRENCY) + 1)] for runner in runners
    }
    try:
        for column, concurrency in enumerate(CONCURRENCY):
            for runner in runners:
                runner.run(
                    partial(calls_per_second, concurrency=concurrency, seconds=WARMUP_SECONDS)
                )
            for _ in range(ROUNDS):
                for runner in runners:
                    rate = runner.run(
                        partial(calls_per_second, concurrency=concurrency, seconds=ROUND_SECONDS)
                    )
                    rounds[runner.row.name][column].append(rate)
        for runner in runners:
            runner.run(chunks_per_second)  # warm up
        for _ in range(STREAM_ROUNDS):
            for runner in runners:
                rounds[runner.row.name][-1].append(runner.run(chunks_per_second))
    finally:
        for runner in runners:
            runner.close()
    return rounds


# -- reporting --------------------------------------------------------------------------------


def _cells(values: list[float], ratios: list[float]) -> str:
    return "".join(f"{v:12.0f}{r:7.2f}x" for v, r in zip(values, ratios, strict=True))


def report(title: str, runs: list[Rounds]) -> None:
    """Per row and column, over every round of every run: the median rate, and the
    median of the ratios of each round to the floor's round next to it."""
    floor = all_rows()[0].name
    header = "".join(f"{f'c={c} req/s':>12}{'ratio':>8}" for c in CONCURRENCY)
    print(f"\n{title}")
    print(f"  {'':34}{header}{'stream ch/s':>12}{'ratio':>8}")
    for name in runs[0]:
        values, ratios = [], []
        for column in range(len(CONCURRENCY) + 1):
            rates = [rate for run in runs for rate in run[name][column]]
            floors = [rate for run in runs for rate in run[floor][column]]
            values.append(statistics.median(rates))
            ratios.append(statistics.median(r / f for r, f in zip(rates, floors, strict=True)))
        print(f"  {name:34}{_cells(values, ratios)}")


def profile(name: str, base_url: str, concurrency: int = 16, seconds: float = 2.0) -> None:
    """cProfile one row's calls at ``concurrency`` (after a warm-up); print the top entries."""
    row = next(r for r in all_rows() if name in r.name)
    profiler = cProfile.Profile()

    async def run() -> None:
        await row.open(base_url)
        try:
            await calls_per_second(row, concurrency, WARMUP_SECONDS)
            profiler.enable()
            rate = await calls_per_second(row, concurrency, seconds)
            profiler.disable()
            print(f"{row.name}: {rate:.0f} requests/s while profiled")
        finally:
            await row.close()

    trio.run(run) if row.loop == "trio" else asyncio.run(run())
    stats = pstats.Stats(profiler).strip_dirs().sort_stats("tottime")
    stats.print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="bindings over loopback")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    parser.add_argument("--profile", metavar="ROW", help="cProfile the calls of this row")
    options = parser.parse_args([] if argv is None else argv)
    with server_process() as base_url:
        if options.profile:
            profile(options.profile, base_url)
            return
        runs: list[Rounds] = []
        for number in range(options.runs):
            runs.append(measure_run(base_url))
            report(f"run {number + 1}", runs[-1:])
    report(
        f"bindings over loopback, server in its own process: medians over {options.runs} runs "
        f"x {ROUNDS} rounds ({ROUND_SECONDS} s per round of calls; streams of "
        f"{STREAM_EVENTS} events)",
        runs,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
