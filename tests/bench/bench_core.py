"""The core's own cost per call: a small typed chat completion over an in-memory transport.

``python -m tests.bench core`` (or ``python -m tests.bench.bench_core [--profile sync|async]``).
The transport answers at once with a pre-rendered body, so what is measured is the
Python work of ``client.chat.completions.create(...)`` alone: resource lookup, the
builder, the request, the flow and the typed decoding.  The floor is what any client
must do at least: ``json.dumps`` of the request body and ``json.loads`` of the answer.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
from collections.abc import Callable
from typing import Any

from openai_proto import AsyncClient, Client
from openai_proto.http import Request
from openai_proto.testing import fixtures
from openai_proto.testing.memory import AsyncMemoryTransport, MemoryTransport, Reply, json_reply
from tests.bench.timing import best_of, report

CHAT: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
BATCH = 100


def _answer() -> Reply:
    return json_reply(fixtures.chat_completion(), headers=[("x-request-id", "req_bench")])


def _forgetful(transport: MemoryTransport | AsyncMemoryTransport) -> Callable[[Request], Reply]:
    """A handler that answers at once and keeps the transport's request log short."""
    reply = _answer()
    requests = transport.requests

    def handle(_request: Request) -> Reply:
        requests.clear()
        return reply

    return handle


def floor() -> Callable[[], object]:
    body = json.dumps(fixtures.chat_completion()).encode()

    def call() -> object:
        json.dumps(CHAT).encode()
        return json.loads(body)

    return call


def sync_call() -> Callable[[], object]:
    transport = MemoryTransport(lambda _request: _answer())
    transport.handler = _forgetful(transport)
    client = Client(transport, api_key="sk-bench", max_retries=0)

    def call() -> object:
        return client.chat.completions.create(**CHAT)

    return call


def async_batch() -> Callable[[], object]:
    """``BATCH`` awaited calls in one coroutine, on one long-lived event loop."""
    transport = AsyncMemoryTransport(lambda _request: _answer())
    transport.handler = _forgetful(transport)
    client = AsyncClient(transport, api_key="sk-bench", max_retries=0)
    loop = asyncio.new_event_loop()

    async def calls() -> None:
        for _ in range(BATCH):
            await client.chat.completions.create(**CHAT)

    def call() -> object:
        return loop.run_until_complete(calls())

    return call


def warmed(function: Callable[[], object], calls: int = 200) -> Callable[[], object]:
    """``function`` after ``calls`` calls: the first one imports the models and builds
    their decoders (tens of milliseconds), which must not set the timing loop's size."""
    for _ in range(calls):
        function()
    return function


def _profile(function: Callable[[], object], loops: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(loops):
        function()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_core")
    parser.add_argument("--profile", choices=("sync", "async"))
    args, _ = parser.parse_known_args()
    if args.profile == "sync":
        _profile(warmed(sync_call()), 20000)
        return
    if args.profile == "async":
        _profile(warmed(async_batch(), 2), 200)
        return
    rows = [
        ("json.dumps + json.loads (floor)", best_of(warmed(floor()))),
        ("Client chat.completions.create", best_of(warmed(sync_call()))),
        ("AsyncClient chat.completions.create", best_of(warmed(async_batch(), 2)) / BATCH),
    ]
    report("Core cost of a small typed chat completion", rows, "json.dumps + json.loads (floor)")


if __name__ == "__main__":
    main()
