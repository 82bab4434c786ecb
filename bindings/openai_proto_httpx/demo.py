"""The README demo: a chat completion, plain and streamed, against the built-in loopback server.

Run it with ``python -m openai_proto_httpx.demo``.  No API key and no network are
needed: the server runs on 127.0.0.1 inside this process.
"""

from __future__ import annotations

import asyncio

from openai_proto.testing.script import demo_script
from openai_proto.testing.server import LoopbackServer
from openai_proto_httpx import AsyncOpenAI, OpenAI

MESSAGES = [{"role": "user", "content": "Say hello in five words."}]


def sync_demo(base_url: str) -> None:
    with OpenAI(api_key="sk-demo", base_url=base_url) as client:
        raw = client.with_raw_response.post(
            "/chat/completions", body={"model": "gpt-4o-mini", "messages": MESSAGES}
        )
        completion = raw.parse()
        print(f"plain:    {completion['choices'][0]['message']['content']!r}")
        print(f"          status {raw.status_code}, request id {raw.request_id}")

        body = {"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True}
        print("streamed (raw lines):")
        with client.post("/chat/completions", body=body, stream=True) as stream:
            for line in stream.iter_lines():
                if line:
                    print(f"    {line}")


async def async_demo(base_url: str) -> None:
    async with AsyncOpenAI(api_key="sk-demo", base_url=base_url) as client:
        body = {"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True}
        pieces = []
        async with await client.post("/chat/completions", body=body, stream=True) as stream:
            async for chunk in stream:
                for choice in chunk["choices"]:
                    pieces.append(choice["delta"].get("content") or "")
        print(f"async streamed, joined: {''.join(pieces)!r}")


def main() -> None:
    with LoopbackServer(demo_script()) as server:
        print(f"loopback server at {server.url}\n")
        sync_demo(server.url)
        asyncio.run(async_demo(server.url))


if __name__ == "__main__":
    main()
