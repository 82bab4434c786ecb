"""The httpx binding against the real loopback server: sync, async on asyncio, async on trio."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import trio

from openai_proto import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    InternalServerError,
    StreamError,
)
from openai_proto.testing.script import (
    Reply,
    Script,
    demo_script,
    error_reply,
    json_reply,
    retry_after_reply,
    sse_reply,
)
from openai_proto.testing.server import LoopbackServer
from openai_proto_httpx import AsyncOpenAI, OpenAI

FLAVORS = ["sync", "asyncio", "trio"]
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
FAST_RETRY = (("retry-after-ms", "10"),)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(demo_script()) as running:
        yield running


def scripted(*replies: Reply, path: str = "/v1/models", method: str = "GET") -> LoopbackServer:
    return LoopbackServer(Script().enqueue(method, path, *replies))


def perform(flavor: str, server: LoopbackServer, use: Callable[[Any], Any], **config: Any) -> Any:
    """Run ``use(client)`` with a fresh client of ``flavor``; async uses must return awaitables."""
    config.setdefault("api_key", "sk-test")
    config.setdefault("base_url", server.url)
    if flavor == "sync":
        with OpenAI(**config) as client:
            return use(client)

    async def main() -> Any:
        async with AsyncOpenAI(**config) as client:
            return await use(client)

    return asyncio.run(main()) if flavor == "asyncio" else trio.run(main)


@pytest.mark.parametrize("flavor", FLAVORS)
def test_json_call_decodes(flavor: str, server: LoopbackServer) -> None:
    completion = perform(flavor, server, lambda c: c.post("/chat/completions", body=CHAT))
    assert completion["object"] == "chat.completion"
    assert completion["choices"][0]["message"]["role"] == "assistant"
    sent = server.requests[0]
    assert sent.header("authorization") == "Bearer sk-test"
    assert (sent.header("user-agent") or "").startswith("openai-proto/")
    assert server.wait_for_no_open_connections(5)


@pytest.mark.parametrize("flavor", FLAVORS)
def test_429_with_retry_after_is_retried(flavor: str) -> None:
    with scripted(retry_after_reply(0.05), json_reply({"object": "list", "data": []})) as server:
        assert perform(flavor, server, lambda c: c.get("/models")) == {"object": "list", "data": []}
        assert len(server.requests) == 2


@pytest.mark.parametrize("flavor", FLAVORS)
def test_500_after_retries_raises_with_request_id(flavor: str) -> None:
    failing = error_reply(500, "The server had an error", headers=FAST_RETRY)
    with scripted(failing, failing, failing) as server:
        with pytest.raises(InternalServerError) as info:
            perform(flavor, server, lambda c: c.get("/models"))
        assert len(server.requests) == 3
    assert info.value.request_id is not None
    assert info.value.request_id.startswith("req_")
    assert info.value.message.endswith(f"(request id: {info.value.request_id})")


@pytest.mark.parametrize("flavor", FLAVORS)
def test_read_timeout_raises_api_timeout_error(flavor: str) -> None:
    slow = json_reply({}).replace(delay_before_head=2.0)
    with scripted(slow) as server, pytest.raises(APITimeoutError) as info:
        perform(flavor, server, lambda c: c.get("/models"), timeout=0.2, max_retries=0)
    assert info.value.request is not None
    assert isinstance(info.value.__cause__.__cause__, httpx.TimeoutException)  # type: ignore[union-attr]


@pytest.mark.parametrize("flavor", FLAVORS)
def test_reset_mid_body_raises_connection_error(flavor: str) -> None:
    broken = json_reply({"data": ["x" * 200]}).replace(reset_after=20)
    with scripted(broken, broken) as server:
        with pytest.raises(APIConnectionError) as info:
            perform(flavor, server, lambda c: c.get("/models"), max_retries=1)
        assert len(server.requests) == 2
    assert not isinstance(info.value, APITimeoutError)


@pytest.mark.parametrize("flavor", FLAVORS)
def test_reset_before_head_then_success(flavor: str) -> None:
    reset = json_reply({}).replace(reset_after=0)
    with scripted(reset, json_reply({"ok": True})) as server:
        assert perform(flavor, server, lambda c: c.get("/models")) == {"ok": True}


@pytest.mark.parametrize("flavor", FLAVORS)
def test_auth_error_is_not_retried(flavor: str) -> None:
    with scripted(error_reply(401, "Incorrect API key provided", "invalid_api_key")) as server:
        with pytest.raises(AuthenticationError) as info:
            perform(flavor, server, lambda c: c.get("/models"))
        assert len(server.requests) == 1
    assert info.value.code == "invalid_api_key"
    assert "sk-test" not in str(info.value)


def _slow_stream() -> Reply:
    chunks = [{"n": n, "text": "x" * 50} for n in range(50)]
    return sse_reply(chunks, delay_between_chunks=0.05)


def test_leaving_a_sync_stream_early_closes_the_connection() -> None:
    with scripted(_slow_stream(), method="POST", path="/v1/chat/completions") as server:
        with OpenAI(api_key="sk-test", base_url=server.url) as client:
            with client.post("/chat/completions", body=CHAT, stream=True) as stream:
                for line in stream.iter_lines():
                    assert line.startswith("data: ")
                    break
            assert server.wait_for_no_open_connections(5)


@pytest.mark.parametrize("runner", ["asyncio", "trio"])
def test_leaving_an_async_stream_early_closes_the_connection(runner: str) -> None:
    with scripted(_slow_stream(), method="POST", path="/v1/chat/completions") as server:

        async def main() -> bool:
            async with AsyncOpenAI(api_key="sk-test", base_url=server.url) as client:
                async with await client.post("/chat/completions", body=CHAT, stream=True) as s:
                    async for line in s.aiter_lines():
                        assert line.startswith("data: ")
                        break
                for _ in range(100):
                    if server.open_connections == 0:
                        return True
                    await (asyncio.sleep(0.05) if runner == "asyncio" else trio.sleep(0.05))
                return False

        assert (asyncio.run(main()) if runner == "asyncio" else trio.run(main)) is True


@pytest.mark.parametrize("flavor", FLAVORS)
def test_stream_events_end_at_done(flavor: str, server: LoopbackServer) -> None:
    body = {**CHAT, "stream": True}

    def use(client: Any) -> Any:
        if flavor == "sync":
            with client.post("/chat/completions", body=body, stream=True) as stream:
                return [chunk["choices"] for chunk in stream]

        async def collect() -> Any:
            async with await client.post("/chat/completions", body=body, stream=True) as stream:
                return [chunk["choices"] async for chunk in stream]

        return collect()

    choices = perform(flavor, server, use)
    text = "".join(c[0]["delta"].get("content") or "" for c in choices if c)
    assert text
    assert choices[-1][0]["finish_reason"] == "stop"


@pytest.mark.parametrize("flavor", FLAVORS)
def test_error_event_inside_a_stream(flavor: str) -> None:
    events = [{"n": 1}, {"error": {"message": "overloaded", "code": "server_busy"}}]
    with scripted(sse_reply(events), method="POST", path="/v1/chat/completions") as server:

        def use(client: Any) -> Any:
            if flavor == "sync":
                with client.post("/chat/completions", body=CHAT, stream=True) as stream:
                    return list(stream)

            async def collect() -> Any:
                async with await client.post("/chat/completions", body=CHAT, stream=True) as s:
                    return [event async for event in s]

            return collect()

        with pytest.raises(StreamError) as info:
            perform(flavor, server, use)
    assert info.value.code == "server_busy"
    assert str(info.value) == "overloaded"


def test_user_supplied_httpx_client_is_used_and_left_open() -> None:
    with scripted(json_reply({"ok": 1})) as server:
        http_client = httpx.Client(headers={"X-From-User": "yes"})
        with OpenAI(api_key="sk-test", base_url=server.url, http_client=http_client) as client:
            assert client.get("/models") == {"ok": 1}
        assert server.requests[0].header("x-from-user") == "yes"
        assert not http_client.is_closed
        http_client.close()


def test_multipart_upload_streams_a_file(tmp_path: Any) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(b'{"prompt": "x"}\n' * 10_000)
    with scripted(json_reply({"id": "file-1"}), method="POST", path="/v1/files") as server:
        with OpenAI(api_key="sk-test", base_url=server.url) as client:
            result = client.post("/files", body={"purpose": "fine-tune"}, files={"file": path})
        assert result == {"id": "file-1"}
        sent = server.requests[0]
    assert (sent.header("content-type") or "").startswith("multipart/form-data; boundary=")
    assert int(sent.header("content-length") or 0) == len(sent.body)
    assert b'name="purpose"\r\n\r\nfine-tune' in sent.body
    assert b'filename="data.jsonl"' in sent.body
    assert sent.body.count(b'{"prompt": "x"}\n') == 10_000
