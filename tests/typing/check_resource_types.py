"""Checked by mypy --strict (not run): what users get from each mode, from one definition."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from typing_extensions import assert_type

from openai_proto.call import Call
from openai_proto.pages import AsyncPager, Page, SyncPage
from openai_proto.resource import Async, AsyncRaw, Sans, Sync, SyncRaw
from openai_proto.responses import AsyncStream, RawResponse, Stream
from tests.resource_tree import Chat, Files

Json = dict[str, Any]


def sans(files: Files[Sans], chat: Chat[Sans]) -> None:
    assert_type(files.retrieve("file-1"), Call[Json])
    assert_type(files.list(limit=2), Call[Page[Json]])
    assert_type(chat.completions.create(model="m"), Call[Json])
    assert_type(chat.completions.create(model="m", stream=True), Call[Stream[Json]])


def sync(files: Files[Sync], chat: Chat[Sync]) -> None:
    assert_type(files.retrieve("file-1"), Json)
    assert_type(files.list(), SyncPage[Json])
    assert_type(chat.completions.create(model="m"), Json)
    assert_type(chat.completions.create(model="m", stream=True), Stream[Json])


def asynchronous(files: Files[Async], chat: Chat[Async]) -> None:
    assert_type(files.retrieve("file-1"), Awaitable[Json])
    assert_type(files.list(), AsyncPager[Json])
    assert_type(chat.completions.create(model="m"), Awaitable[Json])
    assert_type(chat.completions.create(model="m", stream=True), Awaitable[AsyncStream[Json]])


def raw(files: Files[SyncRaw], afiles: Files[AsyncRaw]) -> None:
    assert_type(files.retrieve("file-1"), RawResponse[Json])
    assert_type(afiles.retrieve("file-1"), Awaitable[RawResponse[Json]])
