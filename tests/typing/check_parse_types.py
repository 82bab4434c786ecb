"""Checked by mypy --strict (not run): what ``chat.completions.parse()``, ``stream()`` with a
``response_format`` class and ``run_tools()`` give in each mode.

The ``# type: ignore[...]`` lines are calls that must NOT type-check (mypy's
``warn_unused_ignores`` in strict mode fails if one of them ever does).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from typing_extensions import assert_type

import openai_proto
from openai_proto import AsyncClient, Client
from openai_proto.call import Call
from openai_proto.generated.models.chat import ChatCompletion, ChatCompletionChunk
from openai_proto.responses import RawResponse
from openai_proto.streams.chat_stream import (
    AsyncChatCompletionStream,
    AsyncChatCompletionStreamManager,
    ChatCompletionStream,
    ChatCompletionStreamManager,
)
from openai_proto.structured import ParsedChatCompletion, function_tool
from openai_proto.structured.tool_runner import (
    AsyncChatCompletionRunner,
    ChatCompletionRunner,
    RunnerEvent,
    StreamingRunnerEvent,
)
from tests.structured.examples import MathResponse, Step

MESSAGES: list[Any] = [{"role": "user", "content": "solve 8x + 31 = 2"}]


def sans() -> None:
    api = openai_proto.api.chat.completions
    call = api.parse(model="m", messages=MESSAGES, response_format=MathResponse)
    assert_type(call, Call[ParsedChatCompletion[MathResponse]])
    plain = api.parse(model="m", messages=MESSAGES, response_format={"type": "json_object"})
    assert_type(plain, Call[ParsedChatCompletion[Any]])
    api.run_tools(model="m", messages=MESSAGES, tools=[])  # type: ignore[misc]


def sync(client: Client) -> None:
    completion = client.chat.completions.parse(
        model="m", messages=MESSAGES, response_format=MathResponse, temperature=0.2
    )
    assert_type(completion, ParsedChatCompletion[MathResponse])
    parsed = completion.choices[0].message.parsed
    assert_type(parsed, MathResponse | None)
    if parsed is not None:
        assert_type(parsed.steps[0].output, str)
    tools = client.chat.completions.parse(model="m", messages=MESSAGES, tools=[function_tool(Step)])
    assert_type(tools, ParsedChatCompletion[Any])
    raw = client.with_raw_response.chat.completions.parse(
        model="m", messages=MESSAGES, response_format=MathResponse
    )
    assert_type(raw, RawResponse[ParsedChatCompletion[MathResponse]])
    assert_type(raw.parse().choices[0].message.parsed, MathResponse | None)

    manager = client.chat.completions.stream(
        model="m", messages=MESSAGES, response_format=MathResponse
    )
    assert_type(manager, ChatCompletionStreamManager[MathResponse])
    with manager as stream:
        assert_type(stream, ChatCompletionStream[MathResponse])
        for event in stream:
            if event.type == "chunk":
                assert_type(event.chunk, ChatCompletionChunk)
                assert_type(event.snapshot, ChatCompletion)
        final = stream.get_final_completion()
        assert_type(final.choices[0].message.parsed, MathResponse | None)
        assert_type(stream.current_completion_snapshot, ChatCompletion)

    runner = client.chat.completions.run_tools(model="m", messages=MESSAGES, tools=[])
    assert_type(runner, ChatCompletionRunner[RunnerEvent])
    streaming = client.chat.completions.run_tools(
        model="m", messages=MESSAGES, tools=[], stream=True
    )
    assert_type(streaming, ChatCompletionRunner[StreamingRunnerEvent])


def sync_misuse(client: Client) -> None:
    client.chat.completions.parse(model="m", messages=MESSAGES, stream=True)  # type: ignore[call-overload]
    client.chat.completions.parse(model="m", messages=MESSAGES, tools=[1])  # type: ignore[list-item]
    client.chat.completions.parse(messages=MESSAGES, response_format=Step)  # type: ignore[call-overload]


async def asynchronous(client: AsyncClient) -> None:
    pending = client.chat.completions.parse(
        model="m", messages=MESSAGES, response_format=MathResponse
    )
    assert_type(pending, Awaitable[ParsedChatCompletion[MathResponse]])
    completion = await pending
    assert_type(completion.choices[0].message.parsed, MathResponse | None)
    raw = await client.with_raw_response.chat.completions.parse(
        model="m", messages=MESSAGES, response_format=MathResponse
    )
    assert_type(raw, RawResponse[ParsedChatCompletion[MathResponse]])

    manager = client.chat.completions.stream(
        model="m", messages=MESSAGES, response_format=MathResponse
    )
    assert_type(manager, AsyncChatCompletionStreamManager[MathResponse])
    async with manager as stream:
        assert_type(stream, AsyncChatCompletionStream[MathResponse])
        final = await stream.get_final_completion()
        assert_type(final, ParsedChatCompletion[MathResponse])

    runner = client.chat.completions.run_tools(model="m", messages=MESSAGES, tools=[])
    assert_type(runner, AsyncChatCompletionRunner[RunnerEvent])
