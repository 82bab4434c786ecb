"""A small, fast HTTP/1.1 server for the binding benchmark, run in a process of its own.

``python -m tests.bench.fast_server [--events N]`` listens on a free loopback port,
prints the port on one line and serves until its stdin closes (or it is killed).
Every ``POST`` gets a pre-rendered answer: a small chat completion (``Content-Length``),
or, when the JSON body says ``"stream": true``, a chat completion stream of ``N``
chunks and ``[DONE]``, one HTTP chunk per event as the API sends them.  Keep-alive,
no pipelining, no chunked request bodies: what the benchmarked clients need, so the
server costs as little as possible and runs on another core than the clients.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import Any

from openai_proto.testing import fixtures

MODEL = "gpt-4o-mini"
STREAM_EVENTS = 2000
_HEAD_END = b"\r\n\r\n"
_LENGTH = b"\r\ncontent-length:"


def completion_response() -> bytes:
    body = json.dumps(fixtures.chat_completion(MODEL), indent=2).encode()
    head = (
        "HTTP/1.1 200 OK\r\n"
        "content-type: application/json\r\n"
        "x-request-id: req_bench\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def stream_events(count: int) -> list[Any]:
    """``count`` chat completion chunks: the first, the middle one repeated, the last."""
    chunks = list(fixtures.chat_completion_chunks(MODEL))
    first, middle, last = chunks[0], chunks[1], chunks[-1]
    return [first, *[middle] * (count - 2), last]


def stream_response(count: int) -> bytes:
    head = (
        b"HTTP/1.1 200 OK\r\n"
        b"content-type: text/event-stream; charset=utf-8\r\n"
        b"x-request-id: req_bench\r\n"
        b"transfer-encoding: chunked\r\n\r\n"
    )
    events = [f"data: {json.dumps(e)}\n\n".encode() for e in stream_events(count)]
    events.append(b"data: [DONE]\n\n")
    framed = b"".join(b"%x\r\n%s\r\n" % (len(event), event) for event in events)
    return head + framed + b"0\r\n\r\n"


def wants_stream(body: bytes) -> bool:
    return b'"stream":true' in body.replace(b" ", b"")


def content_length(head: bytes) -> int:
    at = head.lower().find(_LENGTH)
    if at < 0:
        return 0
    end = head.find(b"\r\n", at + 2)
    return int(head[at + len(_LENGTH) : end if end >= 0 else len(head)])


class Answering(asyncio.Protocol):
    """One connection: read each request whole, write its pre-rendered answer."""

    def __init__(self, completion: bytes, stream: bytes) -> None:
        self._completion = completion
        self._stream = stream
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(_HEAD_END)
            if end < 0:
                return
            start = end + len(_HEAD_END)
            total = start + content_length(bytes(self._buffer[:end]))
            if len(self._buffer) < total:
                return
            body = bytes(self._buffer[start:total])
            del self._buffer[:total]
            assert self._transport is not None
            self._transport.write(self._stream if wants_stream(body) else self._completion)


async def serve(events: int, ready: Any) -> None:
    completion, stream = completion_response(), stream_response(events)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: Answering(completion, stream), "127.0.0.1", 0, backlog=1024
    )
    print(server.sockets[0].getsockname()[1], file=ready, flush=True)
    stdin_closed = asyncio.Event()
    stdin = sys.stdin.fileno()

    def on_stdin() -> None:
        if not os.read(stdin, 4096):
            stdin_closed.set()

    loop.add_reader(stdin, on_stdin)
    async with server:
        await stdin_closed.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=STREAM_EVENTS)
    asyncio.run(serve(parser.parse_args().events, sys.stdout))


if __name__ == "__main__":
    main()
