"""Checked by mypy --strict (not run): ``responses.parse()`` and ``responses.stream()`` with
``text_format`` in every mode — ``output_parsed`` is ``T | None``.

The ``# type: ignore[...]`` lines are calls that must NOT type-check (mypy's
``warn_unused_ignores`` in strict mode fails if one of them ever does).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import attrs
from typing_extensions import assert_type

import openai_proto
from openai_proto import AsyncClient, Client
from openai_proto.call import Call
from openai_proto.helpers import StreamPlan
from openai_proto.responses import RawResponse
from openai_proto.streams.responses import ResponseAccumulator
from openai_proto.streams.responses_stream import (
    AsyncResponseStream,
    AsyncResponseStreamManager,
    ResponseStream,
    ResponseStreamManager,
)
from openai_proto.structured import FunctionTool, ParsedResponse, function_tool
from tests.structured.examples import MathResponse, Step


@attrs.define
class Lookup:
    city: str


LOOKUP: FunctionTool[Any] = function_tool(Lookup)


def sans() -> None:
    api = openai_proto.api
    call = api.responses.parse(model="m", input="hi", text_format=MathResponse)
    assert_type(call, Call[ParsedResponse[MathResponse]])
    assert_type(api.responses.parse(model="m", input="hi"), Call[ParsedResponse[None]])
    assert_type(
        api.responses.stream(model="m", input="hi", text_format=MathResponse, tools=[LOOKUP]),
        StreamPlan[ResponseAccumulator],
    )


def sync(client: Client) -> None:
    parsed = client.responses.parse(
        model="m", input="hi", text_format=MathResponse, tools=[LOOKUP, {"type": "web_search"}]
    )
    assert_type(parsed, ParsedResponse[MathResponse])
    assert_type(parsed.output_parsed, MathResponse | None)
    assert_type(client.responses.parse(model="m", input="hi").output_parsed, None)
    raw = client.with_raw_response.responses.parse(model="m", input="hi", text_format=Step)
    assert_type(raw, RawResponse[ParsedResponse[Step]])
    assert_type(raw.parse().output_parsed, Step | None)

    manager = client.responses.stream(model="m", input="hi", text_format=MathResponse)
    assert_type(manager, ResponseStreamManager[ParsedResponse[MathResponse]])
    with manager as stream:
        assert_type(stream, ResponseStream[ParsedResponse[MathResponse]])
        assert_type(stream.get_final_response().output_parsed, MathResponse | None)
        assert_type(stream.get_final_response(dict), dict[Any, Any])
    resumed = client.responses.stream(response_id="resp_1", text_format=Step)
    assert_type(resumed, ResponseStreamManager[ParsedResponse[Step]])


def sync_misuse(client: Client) -> None:
    client.responses.parse(model="m", input="hi", text_format="MathResponse")  # type: ignore[arg-type]
    client.responses.parse(model="m", input="hi", stream=True)  # type: ignore[call-arg]
    client.responses.parse(model="m", input="hi", tools=[42])  # type: ignore[list-item]
    client.responses.stream(response_id="r", input="hi", text_format=Step)  # type: ignore[call-overload]


async def asynchronous(client: AsyncClient) -> None:
    pending = client.responses.parse(model="m", input="hi", text_format=MathResponse)
    assert_type(pending, Awaitable[ParsedResponse[MathResponse]])
    parsed = await pending
    assert_type(parsed.output_parsed, MathResponse | None)
    raw = client.with_raw_response.responses.parse(model="m", input="hi", text_format=Step)
    assert_type(raw, Awaitable[RawResponse[ParsedResponse[Step]]])

    manager = client.responses.stream(model="m", input="hi", text_format=MathResponse)
    assert_type(manager, AsyncResponseStreamManager[ParsedResponse[MathResponse]])
    async with manager as stream:
        assert_type(stream, AsyncResponseStream[ParsedResponse[MathResponse]])
        final = await stream.get_final_response()
        assert_type(final.output_parsed, MathResponse | None)
