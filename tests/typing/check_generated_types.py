"""Checked by mypy --strict (not run): what users get from the generated tree in each mode."""

from __future__ import annotations

from collections.abc import Awaitable

from typing_extensions import assert_type

import openai_proto
from openai_proto import AsyncClient, Call, Client
from openai_proto.pages import AsyncPager, Page, SyncPage
from openai_proto.responses import AsyncStream, RawResponse, Stream
from openai_proto.types import (
    AssistantStreamEvent,
    ChatCompletion,
    ChatCompletionChunk,
    FileObject,
    Response,
    ResponseStreamEvent,
    Run,
)


def sans() -> None:
    api = openai_proto.api
    assert_type(
        api.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}]),
        Call[ChatCompletion],
    )
    assert_type(
        api.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True
        ),
        Call[Stream[ChatCompletionChunk]],
    )
    assert_type(api.files.list(limit=2), Call[Page[FileObject]])
    assert_type(api.files.content("file-1"), Call[bytes])
    assert_type(api.audio.speech.create(input="hi", model="tts-1", voice="alloy"), Call[bytes])
    assert_type(api.responses.create(model="m", input="hi"), Call[Response])
    assert_type(api.responses.retrieve("resp_1", stream=True), Call[Stream[ResponseStreamEvent]])
    assert_type(api.beta.threads.runs.create("t", assistant_id="a"), Call[Run])
    assert_type(
        api.beta.threads.runs.create("t", assistant_id="a", stream=True),
        Call[Stream[AssistantStreamEvent]],
    )
    assert_type(api.responses.delete("resp_1"), Call[None])


def sync(client: Client) -> None:
    assert_type(
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}]),
        ChatCompletion,
    )
    assert_type(
        client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True
        ),
        Stream[ChatCompletionChunk],
    )
    assert_type(
        client.responses.create(model="m", input="hi", stream=True), Stream[ResponseStreamEvent]
    )
    assert_type(client.files.list(), SyncPage[FileObject])
    assert_type(client.files.retrieve("file-1"), FileObject)
    assert_type(client.files.content("file-1"), bytes)
    assert_type(client.audio.speech.create(input="hi", model="tts-1", voice="alloy"), bytes)
    assert_type(client.beta.threads.runs.create("t", assistant_id="a"), Run)
    for item in client.files.list():
        assert_type(item, FileObject)


def raw(client: Client) -> None:
    raw_client = client.with_raw_response
    assert_type(raw_client.files.retrieve("file-1"), RawResponse[FileObject])
    assert_type(raw_client.files.list(), RawResponse[Page[FileObject]])
    assert_type(raw_client.files.content("file-1"), RawResponse[bytes])


async def asynchronous(client: AsyncClient) -> None:
    assert_type(
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}]),
        Awaitable[ChatCompletion],
    )
    stream = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    assert_type(stream, AsyncStream[ChatCompletionChunk])
    assert_type(client.files.list(), AsyncPager[FileObject])
    async for item in client.files.list():
        assert_type(item, FileObject)
    assert_type(await client.files.content("file-1"), bytes)
    assert_type(await client.beta.threads.runs.create("t", assistant_id="a"), Run)
    assert_type(
        client.with_raw_response.files.retrieve("file-1"), Awaitable[RawResponse[FileObject]]
    )


def everyday_use(client: Client, history: list[dict[str, str]]) -> None:
    # A list variable of plain dicts is accepted where the API takes an array of messages,
    completion = client.chat.completions.create(model="m", messages=history)
    # and required fields need no narrowing (only optional ones may be UNSET).
    assert_type(completion.choices[0].message.content, str | None)
    assert_type(completion.id, str)
