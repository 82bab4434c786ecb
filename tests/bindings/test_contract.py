"""The binding contract: every case runs on every binding, over the real loopback server.

Bindings: httpx sync, httpx async on asyncio and on trio, aiohttp, trio (h11).  Cases
marked with ``scheme`` also run over TLS (certificates from ``trustme``).  After each
case the client is closed and the server must see no connection left open
(:func:`tests.bindings.harness.run`).
"""

from __future__ import annotations

import asyncio
import io
import json
import socket
import ssl
from collections.abc import Iterator
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
    Timeout,
)
from openai_proto.redirects import NOT_REPLAYABLE
from openai_proto.testing.http11 import ParsedRequest
from openai_proto.testing.script import (
    Reply,
    Script,
    demo_script,
    error_reply,
    json_reply,
    retry_after_reply,
    sse_events,
    sse_reply,
)
from openai_proto.transport import TransportTimeout
from tests.bindings.conftest import Serve
from tests.bindings.harness import CHAT, FAST_RETRY, Binding, cancel_after, run, sleep

# httpcore's nested async generators, finalized by trio's GC hook after the binding has
# closed the response (pyproject's filter names only httpx's own generators)
pytestmark = pytest.mark.filterwarnings("ignore:Async generator 'httpcore\\.:ResourceWarning")
SCHEMES = pytest.mark.parametrize("scheme", ["http", "https"])
CHAT_PATH = "/v1/chat/completions"


def tls_of(scheme: str, client_tls: ssl.SSLContext) -> ssl.SSLContext | None:
    return client_tls if scheme == "https" else None


def queued(*replies: Reply, path: str = "/v1/models", method: str = "GET") -> Script:
    return Script().enqueue(method, path, *replies)


# -- plain calls ------------------------------------------------------------------------------


@SCHEMES
def test_json_call_decodes(
    binding: Binding, serve: Serve, scheme: str, client_tls: ssl.SSLContext
) -> None:
    server = serve(demo_script(), tls=scheme == "https")

    async def case(client: Any) -> Any:
        return await client.post("/chat/completions", body=CHAT)

    completion = run(binding, server, case, tls=tls_of(scheme, client_tls))
    assert completion["object"] == "chat.completion"
    assert completion["choices"][0]["message"]["role"] == "assistant"
    sent = server.requests[0]
    assert sent.header("authorization") == "Bearer sk-test"
    assert (sent.header("user-agent") or "").startswith("openai-proto/")
    assert json.loads(sent.body) == CHAT


def test_keep_alive_reuses_one_connection(binding: Binding, serve: Serve) -> None:
    server = serve(demo_script())

    async def case(client: Any) -> list[Any]:
        return [await client.post("/chat/completions", body=CHAT) for _ in range(3)]

    assert len(run(binding, server, case)) == 3
    assert server.connection_count == 1


def _echo(request: ParsedRequest) -> Reply:
    return Reply(200, (("content-type", "application/octet-stream"),), request.body)


@SCHEMES
def test_binary_bodies_round_trip(
    binding: Binding, serve: Serve, scheme: str, client_tls: ssl.SSLContext
) -> None:
    payload = bytes(range(256)) * 400 + b"\r\n\r\n\x00"
    server = serve(Script().route("POST", "/v1/echo", _echo), tls=scheme == "https")

    async def case(client: Any) -> Any:
        return await client.post("/echo", content=payload, cast_to=bytes)

    assert run(binding, server, case, tls=tls_of(scheme, client_tls)) == payload
    assert server.requests[0].body == payload


def test_auth_error_is_not_retried(binding: Binding, serve: Serve) -> None:
    server = serve(queued(error_reply(401, "Incorrect API key provided", "invalid_api_key")))

    async def case(client: Any) -> Any:
        return await client.get("/models")

    with pytest.raises(AuthenticationError) as info:
        run(binding, server, case)
    assert len(server.requests) == 1
    assert info.value.code == "invalid_api_key"
    assert "sk-test" not in str(info.value)


# -- retries ----------------------------------------------------------------------------------


def _get_models(client: Any) -> Any:
    return client.get("/models")


def test_429_with_retry_after_then_success(binding: Binding, serve: Serve) -> None:
    server = serve(queued(retry_after_reply(0.05), json_reply({"object": "list", "data": []})))
    assert run(binding, server, _get_models) == {"object": "list", "data": []}
    assert len(server.requests) == 2


def test_5xx_exhaustion_raises_with_request_id(binding: Binding, serve: Serve) -> None:
    failing = error_reply(500, "The server had an error", headers=FAST_RETRY)
    server = serve(queued(failing, failing, failing))
    with pytest.raises(InternalServerError) as info:
        run(binding, server, _get_models)
    assert len(server.requests) == 3
    assert info.value.request_id == "req_3"
    assert info.value.message.endswith("(request id: req_3)")


def test_x_should_retry_true_retries_a_400(binding: Binding, serve: Serve) -> None:
    asked = error_reply(400, "try again", headers=(("x-should-retry", "true"), *FAST_RETRY))
    server = serve(queued(asked, json_reply({"ok": True})))
    assert run(binding, server, _get_models) == {"ok": True}
    assert len(server.requests) == 2


def test_x_should_retry_false_stops_a_503(binding: Binding, serve: Serve) -> None:
    refused = error_reply(503, "do not retry", headers=(("x-should-retry", "false"),))
    server = serve(queued(refused, json_reply({"ok": True})))
    with pytest.raises(InternalServerError):
        run(binding, server, _get_models)
    assert len(server.requests) == 1


# -- faults on the wire -----------------------------------------------------------------------


@SCHEMES
def test_reset_mid_body_raises_connection_error(
    binding: Binding, serve: Serve, scheme: str, client_tls: ssl.SSLContext
) -> None:
    broken = json_reply({"data": ["x" * 200]}).replace(reset_after=20)
    server = serve(queued(broken, broken), tls=scheme == "https")
    with pytest.raises(APIConnectionError) as info:
        run(binding, server, _get_models, tls=tls_of(scheme, client_tls), max_retries=1)
    assert len(server.requests) == 2
    assert not isinstance(info.value, APITimeoutError)


def test_reset_before_head_then_success(binding: Binding, serve: Serve) -> None:
    server = serve(queued(json_reply({}).replace(reset_after=0), json_reply({"ok": True})))
    assert run(binding, server, _get_models) == {"ok": True}
    assert len(server.requests) == 2


def test_clean_close_before_head_raises_connection_error(binding: Binding, serve: Serve) -> None:
    closing = json_reply({}).replace(close_after=0)
    server = serve(queued(closing, closing))
    with pytest.raises(APIConnectionError):
        run(binding, server, _get_models, max_retries=0)
    # aiohttp itself sends an idempotent request once more when the server disconnects
    # before answering (ServerDisconnectedError), even on a fresh connection
    assert len(server.requests) == (2 if binding.name == "aiohttp" else 1)


def test_body_shorter_than_content_length_raises(binding: Binding, serve: Serve) -> None:
    short = json_reply({"ok": True}).replace(content_length=500)
    server = serve(queued(short))
    with pytest.raises(APIConnectionError) as info:
        run(binding, server, _get_models, max_retries=0)
    assert not isinstance(info.value, APITimeoutError)


def test_body_longer_than_content_length_is_never_delivered(binding: Binding, serve: Serve) -> None:
    """The extra bytes are cut (h11-based bindings) or make the response fail (aiohttp's
    parser reads them as a bad next status line); either way the next call works."""
    exact = b'{"ok": true}'
    longer = Reply(200, (("content-type", "application/json"),), exact + b'{"extra": 1}')
    server = serve(queued(longer.replace(content_length=len(exact)), json_reply({"next": 1})))

    async def case(client: Any) -> list[Any]:
        try:
            first = await client.get("/models", options={"max_retries": 0})
        except APIConnectionError as error:
            first = error
        # httpx on trio may reuse the connection the server closed (ECONNRESET): the
        # core's retry covers that
        return [first, await client.get("/models")]

    first, second = run(binding, server, case)
    if binding.name == "aiohttp" and isinstance(first, APIConnectionError):
        pass  # the extra bytes came with the body (when they come a moment later, the
        # body is complete and the next exchange on that connection fails, then retries)
    else:
        assert first == {"ok": True}
    assert second == {"next": 1}
    assert server.connection_count == 2


def test_duplicate_response_headers_are_all_kept(binding: Binding, serve: Serve) -> None:
    raw = (b"x-dup: one", b"X-Dup: two", b"set-cookie: a=1", b"set-cookie: b=2")
    server = serve(queued(json_reply({"ok": True}).replace(raw_headers=raw)))

    async def case(client: Any) -> Any:
        return await client.with_raw_response.get("/models")

    response = run(binding, server, case)
    assert [v for k, v in response.headers if k.lower() == "x-dup"] == ["one", "two"]
    assert [v for k, v in response.headers if k.lower() == "set-cookie"] == ["a=1", "b=2"]
    assert response.parse() == {"ok": True}


def test_oversized_header_block_is_a_connection_error(binding: Binding, serve: Serve) -> None:
    raw = tuple(f"x-filler-{n}: {'v' * 1000}".encode() for n in range(300))
    server = serve(queued(json_reply({"ok": True}).replace(raw_headers=raw)))
    with pytest.raises(APIConnectionError) as info:
        run(binding, server, _get_models, max_retries=0)
    assert not isinstance(info.value, APITimeoutError)


# -- timeouts ---------------------------------------------------------------------------------


_TIMEOUT_CAUSES: dict[str, tuple[type[BaseException], ...]] = {
    "httpx-sync": (httpx.TimeoutException,),
    "httpx-asyncio": (httpx.TimeoutException,),
    "httpx-trio": (httpx.TimeoutException,),
    "aiohttp": (asyncio.TimeoutError,),
    "trio": (trio.TooSlowError,),
}


def _assert_timeout_chain(binding: Binding, error: APITimeoutError) -> None:
    assert isinstance(error.__cause__, TransportTimeout)
    assert isinstance(error.__cause__.__cause__, _TIMEOUT_CAUSES[binding.name])


def test_read_timeout(binding: Binding, serve: Serve) -> None:
    server = serve(queued(json_reply({}).replace(delay_before_head=2.0)))
    with pytest.raises(APITimeoutError) as info:
        run(binding, server, _get_models, timeout=0.2, max_retries=0)
    assert info.value.request is not None
    _assert_timeout_chain(binding, info.value)


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A port whose accept queue is full: a new connection attempt hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = int(listener.getsockname()[1])
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    yield port
    for sock in [*fillers, listener]:
        sock.close()


def test_connect_timeout(binding: Binding, serve: Serve, unanswered_port: int) -> None:
    server = serve(Script())  # only for the connection check; nothing reaches it
    timeout = Timeout(connect=0.3, read=5.0, write=5.0, pool=5.0)
    with pytest.raises(APITimeoutError) as info:
        run(
            binding,
            server,
            _get_models,
            base_url=f"http://127.0.0.1:{unanswered_port}/v1",
            timeout=timeout,
            max_retries=0,
        )
    _assert_timeout_chain(binding, info.value)


def test_slow_trickle_within_the_read_timeout_completes(binding: Binding, serve: Serve) -> None:
    events = [{"n": n} for n in range(12)]
    server = serve(
        queued(sse_reply(events, delay_between_chunks=0.08), method="POST", path=CHAT_PATH)
    )
    timeout = Timeout(connect=5.0, read=0.5, write=5.0, pool=5.0)

    async def case(client: Any) -> list[Any]:
        async with await client.post("/chat/completions", body=CHAT, stream=True) as stream:
            return [event async for event in stream]

    # the whole stream takes longer than the read timeout, each gap much less
    assert run(binding, server, case, timeout=timeout) == events


# -- streams ----------------------------------------------------------------------------------


@SCHEMES
def test_stream_events_end_at_done(
    binding: Binding, serve: Serve, scheme: str, client_tls: ssl.SSLContext
) -> None:
    server = serve(demo_script(), tls=scheme == "https")

    async def case(client: Any) -> list[Any]:
        body = {**CHAT, "stream": True}
        async with await client.post("/chat/completions", body=body, stream=True) as stream:
            return [chunk["choices"] async for chunk in stream]

    choices = run(binding, server, case, tls=tls_of(scheme, client_tls))
    assert "".join(c[0]["delta"].get("content") or "" for c in choices if c)
    assert choices[-1][0]["finish_reason"] == "stop"


_SPLIT_EVENTS = [{"n": n, "text": "é✓ \\n data: x"} for n in range(20)]


@SCHEMES
@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_sse_split_at_every_byte(
    binding: Binding, serve: Serve, scheme: str, chunked: bool, client_tls: ssl.SSLContext
) -> None:
    reply = sse_reply(_SPLIT_EVENTS, chunked=chunked).replace(chunks=1)
    server = serve(queued(reply, method="POST", path=CHAT_PATH), tls=scheme == "https")

    async def case(client: Any) -> list[Any]:
        async with await client.post("/chat/completions", body=CHAT, stream=True) as stream:
            return [event async for event in stream]

    assert run(binding, server, case, tls=tls_of(scheme, client_tls)) == _SPLIT_EVENTS


#: CRLF line ends, multi-byte UTF-8, a comment and an ``event:`` field: every split
#: point (between ``\r`` and ``\n``, inside a character) is a different parser state.
_CRLF_STREAM = (
    b": keep-alive\r\n\r\n"
    b'data: {"n": 1, "text": "\xc3\xa9\xe2\x9c\x93"}\r\n\r\n'
    b'event: message\r\ndata: {"n": 2}\r\n\r\n'
    b"data: [DONE]\r\n\r\n"
)


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_sse_cut_in_two_at_each_offset(binding: Binding, serve: Serve, chunked: bool) -> None:
    """The stream arrives as two reads, split at each offset in turn (a pause between
    the pieces keeps them apart on the wire): the events never change."""
    headers = (("content-type", "text/event-stream"),)
    offsets = range(1, len(_CRLF_STREAM))
    script = Script()
    for offset in offsets:
        piece = Reply(200, headers, _CRLF_STREAM, chunks=(offset,), chunked=chunked)
        script.enqueue("POST", CHAT_PATH, piece.replace(delay_between_chunks=0.002))
    server = serve(script)

    async def case(client: Any) -> list[list[Any]]:
        results = []
        for _ in offsets:
            async with await client.post("/chat/completions", body=CHAT, stream=True) as stream:
                results.append([event async for event in stream])
        return results

    expected = [{"n": 1, "text": "é✓"}, {"n": 2}]
    assert run(binding, server, case) == [expected] * len(offsets)
    # At [DONE] the core reads the rest of the body (the last chunk) before closing the
    # stream, so every binding keeps the one connection for every stream.
    assert server.connection_count == 1


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
@pytest.mark.parametrize("read", ["typed", "events"])
def test_a_stream_read_to_done_leaves_its_connection_for_the_next_call(
    binding: Binding, serve: Serve, chunked: bool, read: str
) -> None:
    """After [DONE] the core drains what is left of the body (a chunked body's last chunk
    is sent after it), so the connection goes back to the pool: three streams and a
    plain call share one connection on every binding."""
    events = [{"n": n} for n in range(3)]
    stream = sse_reply(events, chunked=chunked, delay_between_chunks=0.01)
    script = Script().enqueue("POST", CHAT_PATH, stream, stream, stream)
    script.enqueue("GET", "/v1/models", json_reply({"object": "list", "data": []}))
    server = serve(script)

    async def case(client: Any) -> tuple[list[list[Any]], Any]:
        results = []
        for _ in range(3):
            async with await client.post("/chat/completions", body=CHAT, stream=True) as s:
                items = s.aiter_events() if read == "events" else s
                results.append([event async for event in items])
        return results, await client.get("/models")

    streams, models = run(binding, server, case)
    if read == "events":
        streams = [[payload.data for payload in payloads] for payloads in streams]
    assert streams == [events] * 3
    assert models == {"object": "list", "data": []}
    assert server.connection_count == 1


def test_error_event_inside_a_stream(binding: Binding, serve: Serve) -> None:
    events = [{"n": 1}, {"error": {"message": "overloaded", "code": "server_busy"}}]
    server = serve(queued(sse_reply(events), method="POST", path=CHAT_PATH))

    async def case(client: Any) -> list[Any]:
        async with await client.post("/chat/completions", body=CHAT, stream=True) as stream:
            return [event async for event in stream]

    with pytest.raises(StreamError) as info:
        run(binding, server, case)
    assert info.value.code == "server_busy"
    assert str(info.value) == "overloaded"


def _slow_stream() -> Reply:
    return sse_reply([{"n": n, "text": "x" * 50} for n in range(50)], delay_between_chunks=0.05)


@SCHEMES
def test_early_exit_from_a_stream_closes_its_connection(
    binding: Binding, serve: Serve, scheme: str, client_tls: ssl.SSLContext
) -> None:
    server = serve(queued(_slow_stream(), method="POST", path=CHAT_PATH), tls=scheme == "https")

    async def case(client: Any) -> bool:
        async with await client.post("/chat/completions", body=CHAT, stream=True) as stream:
            async for line in stream.aiter_lines():
                assert line.startswith("data: ")
                break
        for _ in range(100):  # the client is still open
            if server.open_connections == 0:
                return True
            await sleep(binding, 0.05)
        return False

    assert run(binding, server, case, tls=tls_of(scheme, client_tls)) is True


def test_leaving_a_stream_early_then_calling_again(binding: Binding, serve: Serve) -> None:
    script = demo_script().enqueue("POST", CHAT_PATH, _slow_stream())
    server = serve(script)

    async def case(client: Any) -> Any:
        async with await client.post("/chat/completions", body=CHAT, stream=True) as stream:
            async for _ in stream:
                break
        return await client.post("/chat/completions", body=CHAT)

    assert run(binding, server, case)["object"] == "chat.completion"


def test_cancellation_leaves_the_pool_usable(binding: Binding, serve: Serve) -> None:
    if not binding.is_async:
        pytest.skip("a sync call cannot be cancelled from its own thread")
    script = demo_script().enqueue("POST", "/v1/slow", _slow_stream())
    script.enqueue("POST", "/v1/stalled", json_reply({}).replace(delay_before_head=5.0))
    server = serve(script)

    async def case(client: Any) -> Any:
        async def read_all() -> None:  # cancelled in the middle of the body
            async with await client.post("/slow", body=CHAT, stream=True) as stream:
                async for _ in stream:
                    pass

        async def wait_for_head() -> None:  # cancelled while waiting for the head
            await client.post("/stalled", body=CHAT)

        assert await cancel_after(binding, 0.3, read_all)
        assert await cancel_after(binding, 0.3, wait_for_head)
        return [await client.post("/chat/completions", body=CHAT) for _ in range(2)]

    assert [r["object"] for r in run(binding, server, case)] == ["chat.completion"] * 2
    assert [r.path for r in server.requests] == ["/v1/slow", "/v1/stalled", CHAT_PATH, CHAT_PATH]


# -- content-encoding -------------------------------------------------------------------------


@SCHEMES
def test_gzip_json_body_is_decoded(
    binding: Binding, serve: Serve, scheme: str, client_tls: ssl.SSLContext
) -> None:
    body = {"data": [{"id": f"model-{n}"} for n in range(200)]}
    server = serve(queued(json_reply(body).replace(gzip=True, chunks=97)), tls=scheme == "https")
    assert run(binding, server, _get_models, tls=tls_of(scheme, client_tls)) == body
    assert "gzip" in (server.requests[0].header("accept-encoding") or "")


def test_gzip_event_stream_is_decoded(binding: Binding, serve: Serve) -> None:
    events = [{"n": n} for n in range(30)]
    gz = Reply(
        200,
        (("content-type", "text/event-stream"),),
        sse_events(events),
        chunks=7,
        chunked=True,
        gzip=True,
    )
    server = serve(queued(gz, method="POST", path=CHAT_PATH))

    async def case(client: Any) -> list[Any]:
        async with await client.post("/chat/completions", body=CHAT, stream=True) as stream:
            return [event async for event in stream]

    assert run(binding, server, case) == events


# -- redirects --------------------------------------------------------------------------------


def _redirect(status: int, location: str) -> Reply:
    return Reply(status, (("location", location),))


@pytest.mark.parametrize("status", [307, 308])
def test_307_308_keep_method_body_and_same_origin_auth(
    binding: Binding, serve: Serve, status: int
) -> None:
    script = demo_script().enqueue("POST", "/v1/old", _redirect(status, "/v1/chat/completions"))
    server = serve(script)

    async def case(client: Any) -> Any:
        return await client.post("/old", body=CHAT)

    assert run(binding, server, case)["object"] == "chat.completion"
    second = server.requests[1]
    assert (second.method, second.path) == ("POST", CHAT_PATH)
    assert json.loads(second.body) == CHAT
    assert second.header("authorization") == "Bearer sk-test"


def test_303_turns_a_post_into_a_get(binding: Binding, serve: Serve) -> None:
    script = queued(_redirect(303, "/v1/result"), path="/v1/start", method="POST")
    server = serve(script.enqueue("GET", "/v1/result", json_reply({"done": True})))

    async def case(client: Any) -> Any:
        return await client.post("/start", body={"x": 1})

    assert run(binding, server, case) == {"done": True}
    assert server.requests[1].method == "GET"
    assert server.requests[1].body == b""


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_another_host_drops_credentials(
    binding: Binding, serve: Serve, status: int
) -> None:
    """``Authorization`` and the other credential headers (Azure's ``api-key``) never
    reach another origin; other headers do."""
    script = Script()
    server = serve(script)
    other = f"http://localhost:{server.port}/v1/elsewhere"
    script.enqueue("GET", "/v1/models", _redirect(status, other))
    script.enqueue("GET", "/v1/elsewhere", json_reply({"moved": True}))
    headers = {"api-key": "azure-secret", "X-Team": "search"}
    assert run(binding, server, _get_models, default_headers=headers) == {"moved": True}
    first, second = server.requests
    assert first.header("authorization") == "Bearer sk-test"
    assert first.header("api-key") == "azure-secret"
    assert second.path == "/v1/elsewhere"
    assert second.header("authorization") is None
    assert second.header("api-key") is None
    assert second.header("x-team") == "search"
    assert second.header("host") == f"localhost:{server.port}"


def test_redirect_loop_is_a_connection_error(binding: Binding, serve: Serve) -> None:
    script = Script().route("GET", "/v1/models", lambda _: _redirect(302, "/v1/models"))
    server = serve(script)
    with pytest.raises(APIConnectionError) as info:
        run(binding, server, _get_models, max_retries=0)
    assert str(info.value.__cause__) == "more than 20 redirects"
    assert len(server.requests) == 21


def test_redirect_to_an_unsupported_scheme_is_a_connection_error(
    binding: Binding, serve: Serve
) -> None:
    server = serve(queued(_redirect(302, "ftp://example.com/file")))
    with pytest.raises(APIConnectionError) as info:
        run(binding, server, _get_models, max_retries=0)
    assert "unsupported URL scheme 'ftp'" in str(info.value.__cause__)


def _redirected_upload(serve: Serve, status: int = 307) -> Any:
    script = queued(_redirect(status, "/v1/files"), path="/v1/upload", method="POST")
    return serve(script.enqueue("POST", "/v1/files", json_reply({"id": "file-1"})))


@pytest.mark.parametrize("status", [307, 308])
def test_307_308_resend_a_streamed_multipart_body(
    binding: Binding, serve: Serve, tmp_path: Any, status: int
) -> None:
    """The file is read again from its start for the second request."""
    path = tmp_path / "data.jsonl"
    path.write_bytes(b'{"prompt": "x"}\n' * 1000)
    server = _redirected_upload(serve, status)

    async def case(client: Any) -> Any:
        return await client.post("/upload", body={"purpose": "batch"}, files={"file": path})

    assert run(binding, server, case, max_retries=0) == {"id": "file-1"}
    first, second = server.requests
    assert second.path == "/v1/files"
    assert first.body == second.body
    assert second.body.count(b'{"prompt": "x"}\n') == 1000
    assert second.header("content-length") == str(len(second.body))


class _Unseekable(io.RawIOBase):
    """A binary file that can be read once and cannot seek (like a pipe)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._data.readinto(buffer)


def test_redirect_of_a_single_use_body_is_a_connection_error(
    binding: Binding, serve: Serve
) -> None:
    """A body that cannot be read twice is never resent truncated: every binding
    raises the same connection error instead."""
    server = _redirected_upload(serve)
    content = b'{"prompt": "x"}\n' * 100

    async def case(client: Any) -> Any:
        upload = {"file": ("data.jsonl", _Unseekable(content))}
        return await client.post("/upload", body={"purpose": "batch"}, files=upload)

    with pytest.raises(APIConnectionError) as info:
        run(binding, server, case, max_retries=2)
    assert not isinstance(info.value, APITimeoutError)
    assert str(info.value.__cause__) == NOT_REPLAYABLE
    assert [r.path for r in server.requests] == ["/v1/upload"]
    assert server.requests[0].body.count(b'{"prompt": "x"}\n') == 100


# -- uploads ----------------------------------------------------------------------------------


@SCHEMES
def test_multipart_upload_streams_a_file(
    binding: Binding, serve: Serve, scheme: str, client_tls: ssl.SSLContext, tmp_path: Any
) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(b'{"prompt": "x"}\n' * 10_000)
    server = serve(
        queued(json_reply({"id": "file-1"}), method="POST", path="/v1/files"),
        tls=scheme == "https",
    )

    async def case(client: Any) -> Any:
        return await client.post("/files", body={"purpose": "fine-tune"}, files={"file": path})

    assert run(binding, server, case, tls=tls_of(scheme, client_tls)) == {"id": "file-1"}
    sent = server.requests[0]
    assert (sent.header("content-type") or "").startswith("multipart/form-data; boundary=")
    assert int(sent.header("content-length") or 0) == len(sent.body)
    assert b'name="purpose"\r\n\r\nfine-tune' in sent.body
    assert b'filename="data.jsonl"' in sent.body
    assert sent.body.count(b'{"prompt": "x"}\n') == 10_000
