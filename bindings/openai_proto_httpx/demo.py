"""The README demo: chat completions against the built-in loopback server.

Run it with ``python -m openai_proto_httpx.demo``.  No API key and no network are
needed: the server runs on 127.0.0.1 inside this process.  It shows the sans-IO core
building a request with no IO at all, then the same call through the httpx binding:
plain (with status and request id), streamed as raw SSE lines, and streamed through
the stream helper on asyncio.
"""

from __future__ import annotations

import asyncio

import openai_proto
from openai_proto.testing.script import demo_script
from openai_proto.testing.server import LoopbackServer
from openai_proto_httpx import AsyncOpenAI, OpenAI

MODEL = "gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "Say hello in five words."}]


def sans_io_demo(base_url: str) -> None:
    call = openai_proto.api.chat.completions.create(model=MODEL, messages=MESSAGES)
    config = openai_proto.Config(api_key="sk-demo", base_url=base_url)
    request = openai_proto.build_request(config, call)
    size = len(request.body) if isinstance(request.body, bytes) else "streamed"
    print(f"sans-IO:  {request.method} {request.url}, {size} bytes of JSON")


def sync_demo(base_url: str) -> None:
    with OpenAI(api_key="sk-demo", base_url=base_url) as client:
        raw = client.with_raw_response.chat.completions.create(model=MODEL, messages=MESSAGES)
        completion = raw.parse()
        print(f"plain:    {completion.choices[0].message.content!r}")
        print(f"          status {raw.status_code}, request id {raw.request_id}")

        body = {"model": MODEL, "messages": MESSAGES, "stream": True}
        print("streamed (raw lines):")
        with client.post("/chat/completions", body=body, stream=True) as stream:
            for line in stream.iter_lines():
                if line:
                    print(f"    {line}")


async def async_demo(base_url: str) -> None:
    async with AsyncOpenAI(api_key="sk-demo", base_url=base_url) as client:
        pieces = []
        manager = client.chat.completions.stream(model=MODEL, messages=MESSAGES)
        async with manager as stream:
            async for event in stream:
                if event.type == "content.delta":
                    pieces.append(event.delta)
            final = await stream.get_final_completion()
        print(f"async stream helper, deltas {pieces}")
        print(f"          final: {final.choices[0].message.content!r}")


def main() -> None:
    with LoopbackServer(demo_script()) as server:
        print(f"loopback server at {server.url}\n")
        sans_io_demo(server.url)
        sync_demo(server.url)
        asyncio.run(async_demo(server.url))


if __name__ == "__main__":
    main()
