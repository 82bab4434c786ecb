from __future__ import annotations

import typing
from collections.abc import Coroutine
from typing import Any

import pytest

import openai_proto
from openai_proto import AsyncClient, Client, Config, LocalProtocolError
from openai_proto.pages import AsyncPage, Page, SyncPage, next_page_call
from openai_proto.resource import SANS, Async, Sans, Sync, SyncRaw
from openai_proto.testing.memory import (
    AsyncMemoryTransport,
    MemoryTransport,
    Reply,
    json_reply,
    replay,
)
from tests.helpers import run_now
from tests.resource_tree import Chat, Files

CONFIG = Config(api_key="sk-test", base_url="http://api.test/v1")


def page(ids: list[str], has_more: bool) -> Reply:
    return json_reply({"object": "list", "data": [{"id": i} for i in ids], "has_more": has_more})


def test_sans_mode_returns_calls() -> None:
    files: Files[Sans] = Files(SANS)
    call = files.retrieve("file/1")
    assert (call.method, call.path) == ("GET", "/files/{file_id}")
    assert call.path_params == {"file_id": "file/1"}


def test_sync_mode_runs_calls() -> None:
    transport = MemoryTransport(replay(json_reply({"id": "file-1"})))
    files: Files[Sync] = Files(Client(transport, CONFIG))
    assert files.retrieve("file-1") == {"id": "file-1"}
    assert transport.requests[0].url == "http://api.test/v1/files/file-1"


def test_raw_mode() -> None:
    transport = MemoryTransport(replay(json_reply({"id": "f"}, headers=[("x-request-id", "r")])))
    files: Files[SyncRaw] = Files(Client(transport, CONFIG).with_raw_response)
    raw = files.retrieve("f")
    assert raw.request_id == "r"
    assert raw.parse() == {"id": "f"}


def test_streaming_endpoint_picks_the_call_by_stream_flag() -> None:
    chat: Chat[Sans] = Chat(SANS)
    assert chat.completions.create(model="m").response_kind == "json"
    assert chat.completions.create(model="m", stream=True).response_kind == "events"


def test_streaming_endpoint_iterates_events() -> None:
    body = (b'data: {"n": 1}\n\n', b'data: {"n": 2}\n\ndata: [DONE]\n\n')
    transport = MemoryTransport(replay(Reply(200, (), body)))
    chat: Chat[Sync] = Chat(Client(transport, CONFIG))
    with chat.completions.create(model="m", stream=True) as stream:
        assert list(stream) == [{"n": 1}, {"n": 2}]
    assert transport.open_responses == 0


def test_sync_pages_are_walked_lazily() -> None:
    transport = MemoryTransport(replay(page(["a", "b"], True), page(["c"], False)))
    files: Files[Sync] = Files(Client(transport, CONFIG))
    first = files.list(limit=2)
    assert isinstance(first, SyncPage)
    assert len(transport.requests) == 1
    assert [item["id"] for item in first] == ["a", "b", "c"]
    assert transport.requests[1].url == "http://api.test/v1/files?limit=2&after=b"
    assert not first.get_next_page().has_next_page()


def by_cursor(request: Any) -> Reply:
    return page(["b"], False) if "after=a" in request.url else page(["a"], True)


def test_async_pages() -> None:
    transport = AsyncMemoryTransport(by_cursor)
    files: Files[Async] = Files(AsyncClient(transport, CONFIG))

    async def walk() -> list[Any]:
        first = await files.list()
        assert isinstance(first, AsyncPage)
        return [item["id"] async for item in files.list()]

    assert run_now(walk()) == ["a", "b"]


def _call(pagination: Any) -> Any:
    files: Files[Sans] = Files(SANS)
    from attrs import evolve

    return evolve(files.list(limit=5), pagination=pagination)


@pytest.mark.parametrize(
    ("pagination", "raw", "cursor"),
    [
        ("page", {"data": [{"id": "x"}], "has_more": True}, None),
        ("cursor", {"data": [{"id": "x"}, {"id": "y"}], "has_more": True}, "y"),
        ("cursor", {"data": [{"id": "x"}], "has_more": False}, None),
        ("cursor", {"data": [{"id": "x"}]}, "x"),
        ("cursor", {"data": [], "has_more": True}, None),
        ("cursor", {"data": [{"name": "no id"}], "has_more": True}, None),
        ("conversation_cursor", {"data": [{}], "last_id": "msg_9", "has_more": True}, "msg_9"),
        ("next_cursor", {"data": [{}], "next": "n2", "has_more": True}, "n2"),
        ("next_cursor", {"data": [{}], "next": None, "has_more": True}, None),
    ],
)
def test_cursor_schemes(pagination: Any, raw: dict[str, Any], cursor: str | None) -> None:
    call = _call(pagination)
    current = Page(raw["data"], raw, pagination)
    assert current.next_cursor() == cursor
    following = next_page_call(call, current)
    if cursor is None:
        assert following is None
    else:
        assert following is not None
        assert following.query == {"limit": 5, "after": cursor}


def test_get_next_page_without_one_is_a_clear_error() -> None:
    transport = MemoryTransport(replay(page(["a"], False)))
    files: Files[Sync] = Files(Client(transport, CONFIG))
    with pytest.raises(LocalProtocolError, match="has_next_page"):
        files.list().get_next_page()


# -- each node makes its children and bound methods once ---------------------------------------


def test_a_client_makes_each_resource_and_method_once() -> None:
    client = Client(MemoryTransport(replay(json_reply({"id": "c"}))), CONFIG)
    assert client.chat is client.chat
    assert client.chat.completions is client.chat.completions
    assert client.chat.completions.create is client.chat.completions.create
    assert client.files.list is client.files.list
    assert getattr(client.chat.completions.create, "__name__", None) == "_chat_completions_create"
    assert client.chat.completions.create(model="m", messages=[]).id == "c"


def test_copies_of_a_client_run_calls_with_their_own_settings() -> None:
    transport = MemoryTransport(replay(json_reply({"id": "c"}, headers=[("x-request-id", "r")])))
    client = Client(transport, CONFIG)
    client.chat.completions.create(model="m", messages=[])  # fills the client's memo
    copy = client.with_options(default_headers={"X-Copy": "yes"})
    copy.chat.completions.create(model="m", messages=[])
    raw = client.with_raw_response.chat.completions.create(model="m", messages=[])
    client.chat.completions.create(model="m", messages=[])
    sent = [request.header("x-copy") for request in transport.requests]
    assert sent == [None, "yes", None, None]
    assert copy.chat is not client.chat
    assert raw.request_id == "r"


def test_async_clients_and_the_sans_tree_keep_their_resources_too() -> None:
    transport = AsyncMemoryTransport(replay(json_reply({"id": "c"})))
    client = AsyncClient(transport, CONFIG)
    assert client.chat.completions.create is client.chat.completions.create
    completion = client.chat.completions.create(model="m", messages=[])
    assert run_now(typing.cast(Coroutine[Any, Any, Any], completion)).id == "c"
    api = openai_proto.api
    assert api.chat.completions is api.chat.completions
    assert api.chat.completions.create(model="m", messages=[]).path == "/chat/completions"


def test_a_resource_made_by_hand_keeps_its_children() -> None:
    chat: Chat[Sans] = Chat(SANS)
    assert chat.completions.create(model="m").method == "POST"
    assert Chat(SANS).completions is not Chat(SANS).completions
