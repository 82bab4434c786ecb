"""Checked by mypy --strict (not run): what the stream helpers give in each mode.

The ``# type: ignore[...]`` lines are calls that must NOT type-check (mypy's
``warn_unused_ignores`` in strict mode fails if one of them ever does).
"""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

import openai_proto
from openai_proto import AsyncClient, Client
from openai_proto.helpers import StreamPlan
from openai_proto.streams.assistants import (
    AssistantAccumulator,
    AssistantEventHandler,
    AssistantStreamManager,
    AsyncAssistantEventHandler,
    AsyncAssistantStreamManager,
)
from openai_proto.streams.chat import ChatCompletionStreamState
from openai_proto.streams.chat_stream import (
    AsyncChatCompletionStream,
    AsyncChatCompletionStreamManager,
    ChatCompletionStream,
    ChatCompletionStreamManager,
)
from openai_proto.streams.responses import ResponseAccumulator
from openai_proto.streams.responses_stream import (
    AsyncResponseStream,
    AsyncResponseStreamManager,
    ResponseStream,
    ResponseStreamManager,
)
from openai_proto.structured import ParsedResponse

MESSAGES: list[Any] = [{"role": "user", "content": "hi"}]


class Printer(AssistantEventHandler):
    pass


class AsyncPrinter(AsyncAssistantEventHandler):
    pass


def sans() -> None:
    api = openai_proto.api
    assert_type(
        api.chat.completions.stream(model="m", messages=MESSAGES),
        StreamPlan[ChatCompletionStreamState],
    )
    assert_type(api.responses.stream(model="m", input="hi"), StreamPlan[ResponseAccumulator])
    assert_type(
        api.responses.stream(response_id="resp_1", starting_after=3),
        StreamPlan[ResponseAccumulator],
    )
    assert_type(
        api.beta.threads.runs.stream("thread_1", assistant_id="asst_1"),
        StreamPlan[AssistantAccumulator],
    )
    assert_type(
        api.beta.threads.create_and_run_stream(assistant_id="asst_1"),
        StreamPlan[AssistantAccumulator],
    )
    assert_type(
        api.beta.threads.runs.submit_tool_outputs_stream(
            "run_1", thread_id="thread_1", tool_outputs=[]
        ),
        StreamPlan[AssistantAccumulator],
    )


def sync(client: Client) -> None:
    manager = client.chat.completions.stream(
        model="m", messages=MESSAGES, response_format={"type": "json_object"}, temperature=0.5
    )
    assert_type(manager, ChatCompletionStreamManager)
    with manager as stream:
        assert_type(stream, ChatCompletionStream)
    assert_type(
        client.with_raw_response.chat.completions.stream(model="m", messages=MESSAGES),
        ChatCompletionStreamManager,
    )
    with client.responses.stream(model="m", input="hi") as responses:
        assert_type(responses, ResponseStream[ParsedResponse[None]])
    assert_type(
        client.responses.stream(response_id="resp_1", starting_after=2, include=[]),
        ResponseStreamManager[ParsedResponse[None]],
    )
    runs = client.beta.threads.runs
    assert_type(
        runs.stream("thread_1", assistant_id="asst_1"),
        AssistantStreamManager[AssistantEventHandler],
    )
    with runs.stream("thread_1", assistant_id="asst_1", event_handler=Printer()) as printer:
        assert_type(printer, Printer)
    assert_type(
        runs.submit_tool_outputs_stream(
            "run_1", thread_id="thread_1", tool_outputs=[], event_handler=Printer()
        ),
        AssistantStreamManager[Printer],
    )
    assert_type(
        client.beta.threads.create_and_run_stream(assistant_id="asst_1"),
        AssistantStreamManager[AssistantEventHandler],
    )


def sync_misuse(client: Client) -> None:
    client.chat.completions.stream(model="m")  # type: ignore[call-overload]
    client.chat.completions.stream(model="m", messages=MESSAGES, stream=True)  # type: ignore[call-overload]
    client.chat.completions.stream(model="m", messages=MESSAGES, temperature="hot")  # type: ignore[call-overload]
    client.responses.stream(response_id="r", input="hi")  # type: ignore[call-overload]
    client.beta.threads.runs.stream("t", assistant_id="a", event_handler=AsyncPrinter())  # type: ignore[call-overload]
    openai_proto.api.beta.threads.runs.stream("t", assistant_id="a", event_handler=Printer())  # type: ignore[call-arg]


async def asynchronous(client: AsyncClient) -> None:
    manager = client.chat.completions.stream(model="m", messages=MESSAGES)
    assert_type(manager, AsyncChatCompletionStreamManager)
    async with manager as stream:
        assert_type(stream, AsyncChatCompletionStream)
    async with client.responses.stream(model="m", input="hi") as responses:
        assert_type(responses, AsyncResponseStream[ParsedResponse[None]])
    assert_type(
        client.with_raw_response.responses.stream(response_id="resp_1"),
        AsyncResponseStreamManager[ParsedResponse[None]],
    )
    runs = client.beta.threads.runs
    assert_type(
        runs.stream("thread_1", assistant_id="asst_1"),
        AsyncAssistantStreamManager[AsyncAssistantEventHandler],
    )
    async with runs.stream("t", assistant_id="a", event_handler=AsyncPrinter()) as printer:
        assert_type(printer, AsyncPrinter)
    assert_type(
        client.beta.threads.create_and_run_stream(assistant_id="a", event_handler=AsyncPrinter()),
        AsyncAssistantStreamManager[AsyncPrinter],
    )
    client.beta.threads.runs.stream("t", assistant_id="a", event_handler=Printer())  # type: ignore[call-overload]
