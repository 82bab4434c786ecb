"""Raw and streamed responses over the in-memory transports: every way of reading them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openai_proto import (
    AsyncClient,
    Client,
    Config,
    LocalProtocolError,
    MissingCredentialsError,
    NotFoundError,
    RemoteProtocolError,
    TransportError,
)
from openai_proto.responses import DRAIN_BYTES, DRAIN_READS
from openai_proto.testing.memory import (
    AsyncMemoryTransport,
    MemoryTransport,
    Reply,
    json_reply,
    replay,
)
from tests.helpers import run_now

CONFIG = Config(api_key="sk-test", base_url="http://api.test/v1", random=lambda: 0.0)
SSE = (b'data: {"a": 1}\n\ndata: {"a"', b": 2}\n\ndata: [DONE]\n\n", b"ignored: after done\n\n")


def sync(*replies: Any) -> tuple[Client, MemoryTransport]:
    transport = MemoryTransport(replay(*replies))
    return Client(transport, CONFIG), transport


def asynchronous(*replies: Any) -> tuple[AsyncClient, AsyncMemoryTransport]:
    transport = AsyncMemoryTransport(replay(*replies))
    return AsyncClient(transport, CONFIG), transport


def test_typed_events_stop_at_done_and_close() -> None:
    client, transport = sync(Reply(200, (), SSE))
    stream = client.post("/x", body={}, stream=True)
    assert list(stream) == [{"a": 1}, {"a": 2}]
    assert transport.open_responses == 0


def test_raw_events_and_head_access() -> None:
    headers = (("x-request-id", "req_s"), ("content-type", "text/event-stream"))
    client, _ = sync(Reply(200, headers, SSE))
    with client.post("/x", body={}, stream=True) as stream:
        assert stream.status_code == 200
        assert stream.request_id == "req_s"
        assert stream.headers == headers
        assert stream.head.status == 200
        assert stream.retries_taken == 0
        assert [event.data for event in stream.iter_events()] == [{"a": 1}, {"a": 2}]


def test_write_to_file_streams_chunks(tmp_path: Path) -> None:
    client, transport = sync(Reply(200, (), (b"abc", b"def")))
    target = tmp_path / "out.bin"
    client.get("/f", stream=True).write_to_file(target)
    assert target.read_bytes() == b"abcdef"
    assert transport.open_responses == 0


def test_streamed_parse_reads_and_decodes() -> None:
    client, _ = sync(json_reply({"ok": True}))
    assert client.get("/f", stream=True).parse() == {"ok": True}


def test_transport_error_mid_stream_closes_and_propagates() -> None:
    broken = Reply(200, (), (b"data: {}\n\n",), fail_with=TransportError("reset"), fail_after=1)
    client, transport = sync(broken)
    with pytest.raises(TransportError):
        list(client.get("/f", stream=True))
    assert transport.open_responses == 0


def test_malformed_stream_raises_protocol_error_and_closes() -> None:
    client, transport = sync(Reply(200, (), (b"data: {not json\n\n",)))
    with pytest.raises(RemoteProtocolError):
        list(client.get("/f", stream=True))
    assert transport.open_responses == 0


def test_async_stream_every_reader() -> None:
    async def scenario() -> None:
        client, transport = asynchronous(Reply(200, (), SSE))
        async with await client.post("/x", body={}, stream=True) as stream:
            assert [event async for event in stream] == [{"a": 1}, {"a": 2}]
        assert transport.open_responses == 0

        client, _ = asynchronous(Reply(200, (), (b"l1\r\nl2", b"\nl3")))
        stream = await client.get("/f", stream=True)
        assert [line async for line in stream.aiter_lines()] == ["l1", "l2", "l3"]

        client, _ = asynchronous(Reply(200, (), SSE))
        stream = await client.get("/f", stream=True)
        assert [p.data async for p in stream.aiter_events()] == [{"a": 1}, {"a": 2}]
        with pytest.raises(LocalProtocolError):
            stream.aiter_bytes()

        client, _ = asynchronous(json_reply({"v": 1}))
        assert await (await client.get("/f", stream=True)).parse() == {"v": 1}

    run_now(scenario())


def test_async_write_to_file_and_early_exit(tmp_path: Path) -> None:
    async def scenario() -> None:
        client, transport = asynchronous(Reply(200, (), (b"ab", b"cd", b"ef")))
        await (await client.get("/f", stream=True)).write_to_file(tmp_path / "o")
        assert (tmp_path / "o").read_bytes() == b"abcdef"

        stream = await client.get("/f", stream=True)
        async for _chunk in stream.aiter_bytes():
            break
        await stream.aclose()
        assert transport.open_responses == 0

    run_now(scenario())


def test_async_error_mid_stream_closes() -> None:
    broken = Reply(200, (), (b"x",), fail_with=TransportError("reset"), fail_after=1)

    async def scenario() -> None:
        client, transport = asynchronous(broken)
        stream = await client.get("/f", stream=True)
        with pytest.raises(TransportError):
            await stream.read()
        assert transport.open_responses == 0

    run_now(scenario())


def test_async_raw_response_and_errors() -> None:
    async def scenario() -> None:
        client, _ = asynchronous(json_reply({"ok": 1}, headers=[("x-request-id", "r9")]))
        raw = await client.with_raw_response.get("/f")
        assert (raw.request_id, raw.parse()) == ("r9", {"ok": 1})
        client, _ = asynchronous(json_reply({"error": {"message": "no"}}, 404))
        with pytest.raises(NotFoundError):
            await client.get("/f")
        async with client:
            pass

    run_now(scenario())


def test_async_key_provider_must_return_a_string() -> None:
    async def provider() -> Any:
        return 42

    async def scenario() -> None:
        transport = AsyncMemoryTransport(replay(json_reply({})))
        client = AsyncClient(transport, Config(api_key=provider))
        with pytest.raises(MissingCredentialsError, match="string"):
            await client.get("/f")

    run_now(scenario())


def test_sync_key_provider_must_return_a_string() -> None:
    client = Client(MemoryTransport(replay(json_reply({}))), Config(api_key=lambda: 42))  # type: ignore[arg-type]
    with pytest.raises(MissingCredentialsError, match="string"):
        client.get("/f")


def test_text_uses_declared_charset() -> None:
    body = "café".encode("latin-1")
    client, _ = sync(Reply(200, (("content-type", 'text/plain; charset="latin-1"'),), (body,)))
    raw = client.with_raw_response.get("/f", cast_to=str)
    assert raw.text == "café"
    assert raw.parse() == "café"
    assert raw.content == body


def test_put_patch_and_content_bodies() -> None:
    client, transport = sync(json_reply({}))
    client.put("/a", body={"x": 1})
    client.patch("/a", body={"x": 2})
    client.post("/a", content=b"\x00raw", headers={"Content-Type": "application/octet-stream"})
    assert [r.method for r in transport.requests] == ["PUT", "PATCH", "POST"]
    assert transport.requests[2].body == b"\x00raw"


def test_non_replayable_upload_is_not_retried() -> None:
    class OneShot(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer: Any) -> int:
            return 0

    client, transport = sync(TransportError("reset"))
    with pytest.raises(Exception, match="Connection error"):
        client.post("/files", files={"file": ("a.txt", OneShot())})
    assert len(transport.requests) == 1


# -- after [DONE]: the rest of the body is drained, within limits ------------------------------


class _Counting:
    """Counts the body chunks a memory transport hands out."""

    handed = 0

    def _chunks(self, reply: Reply) -> Iterator[bytes]:
        for chunk in super()._chunks(reply):  # type: ignore[misc]
            self.handed += 1
            yield chunk


class CountingTransport(_Counting, MemoryTransport):
    pass


class AsyncCountingTransport(_Counting, AsyncMemoryTransport):
    pass


DONE_FIRST = (b'data: {"a": 1}\n\ndata: [DONE]\n\n',)


def read_events(is_async: bool, reply: Reply, *, stop_after: int | None = None) -> Any:
    """The events of a stream of ``reply`` (all, or the first ``stop_after``), the
    number of chunks the transport handed out, and how many responses are left open."""
    if not is_async:
        transport = CountingTransport(replay(reply))
        events = []
        with Client(transport, CONFIG).post("/x", body={}, stream=True) as stream:
            for event in stream:
                events.append(event)
                if len(events) == stop_after:
                    break
        return events, transport.handed, transport.open_responses

    async def scenario() -> Any:
        transport = AsyncCountingTransport(replay(reply))
        events = []
        async with await AsyncClient(transport, CONFIG).post("/x", body={}, stream=True) as s:
            async for event in s:
                events.append(event)
                if len(events) == stop_after:
                    break
        return events, transport.handed, transport.open_responses

    return run_now(scenario())


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_the_rest_of_the_body_after_done_is_read_before_closing(is_async: bool) -> None:
    reply = Reply(200, (), (*DONE_FIRST, b": after done\n\n", b""))
    assert read_events(is_async, reply) == ([{"a": 1}], 3, 0)


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(
    ("tail", "reads"),
    [
        ((b"x",) * 50, DRAIN_READS),  # a body that goes on: a few reads, then closed
        ((b"x" * DRAIN_BYTES, b"y", b"z"), 2),  # too many bytes: closed at once
    ],
    ids=["reads", "bytes"],
)
def test_the_drain_after_done_is_bounded(is_async: bool, tail: tuple[bytes], reads: int) -> None:
    reply = Reply(200, (), (*DONE_FIRST, *tail))
    assert read_events(is_async, reply) == ([{"a": 1}], 1 + reads, 0)


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_a_failure_while_draining_is_not_raised(is_async: bool) -> None:
    reply = Reply(200, (), DONE_FIRST, fail_with=TransportError("reset"), fail_after=1)
    assert read_events(is_async, reply) == ([{"a": 1}], 1, 0)


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_leaving_a_stream_early_reads_nothing_more(is_async: bool) -> None:
    reply = Reply(200, (), (b'data: {"a": 1}\n\n', b'data: {"a": 2}\n\n', *DONE_FIRST))
    assert read_events(is_async, reply, stop_after=1) == ([{"a": 1}], 1, 0)
