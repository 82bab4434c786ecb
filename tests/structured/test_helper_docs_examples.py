"""Issue 5's proof: the examples of the official helper docs (python-sdk-helpers.md), with
their pydantic models replaced by attrs classes, work with our client — through the httpx
binding (sync and async), over real sockets, against the scripted loopback server replaying
answers written as the API writes them (:mod:`tests.structured.realistic`).

- the math tutor (``MathResponse`` with a list of ``Step``): ``parse()`` (and its refusal
  branch) and ``stream()``;
- the orders query (``Query``: enums, nested objects, a ``str | int | DynamicValue`` union)
  as a function tool: ``parse(tools=[function_tool(Query)])`` gives ``parsed_arguments``,
  and so does ``stream()``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from openai_proto.errors import InvalidRequestError
from openai_proto.structured import (
    ParsedChatCompletion,
    ParsedFunctionToolCall,
    function_tool,
    response_format,
)
from openai_proto.testing import LoopbackServer, Script, json_reply, sse_reply
from tests.structured import realistic
from tests.structured.examples import (
    Column,
    Condition,
    DynamicValue,
    MathResponse,
    Operator,
    OrderBy,
    Query,
    Step,
    Table,
)

PATH = "/v1/chat/completions"
pytestmark = pytest.mark.filterwarnings("ignore:Async generator 'httpcore\\.:ResourceWarning")

EXPECTED_ANSWER = MathResponse(
    steps=[Step(**step) for step in realistic.MATH_ANSWER["steps"]],
    final_answer="x = -29/8",
)
EXPECTED_QUERY = Query(
    table_name=Table.orders,
    columns=[Column.id, Column.status, Column.expected_delivery_date, Column.delivered_at],
    conditions=[
        Condition("ordered_at", Operator.ge, "2023-05-01"),
        Condition("ordered_at", Operator.le, "2023-05-31"),
        Condition("status", Operator.eq, "fulfilled"),
        Condition("delivered_at", Operator.gt, DynamicValue("expected_delivery_date")),
        Condition("id", Operator.gt, 0),
    ],
    order_by=OrderBy.asc,
)


def sync_client(server: LoopbackServer) -> Any:
    from openai_proto_httpx import OpenAI

    return OpenAI(api_key="sk-test", base_url=server.url, max_retries=0)


def async_client(server: LoopbackServer) -> Any:
    from openai_proto_httpx import AsyncOpenAI

    return AsyncOpenAI(api_key="sk-test", base_url=server.url, max_retries=0)


def sent(server: LoopbackServer, index: int = 0) -> Any:
    return server.requests[index].json()


MATH = {"messages": realistic.MATH_MESSAGES, "response_format": MathResponse}
MATH_STREAM = {**MATH, "stream_options": {"include_usage": True}}
QUERY = {"messages": realistic.QUERY_MESSAGES, "tools": [function_tool(Query)]}


def parse_sync(server: LoopbackServer, params: dict[str, Any]) -> Any:
    """``chat.completions.parse(**params)`` with a sync client."""
    with sync_client(server) as client:
        return client.chat.completions.parse(model=realistic.MODEL, **params)


def parse_async(server: LoopbackServer, params: dict[str, Any]) -> Any:
    """``chat.completions.parse(**params)`` with an async client."""

    async def main() -> Any:
        async with async_client(server) as client:
            return await client.chat.completions.parse(model=realistic.MODEL, **params)

    return asyncio.run(main())


def stream_sync(server: LoopbackServer, params: dict[str, Any]) -> tuple[list[Any], Any]:
    """The events and final completion of ``chat.completions.stream(**params)`` (sync)."""
    with sync_client(server) as client:
        with client.chat.completions.stream(model=realistic.MODEL, **params) as stream:
            events = list(stream)
        return events, stream.get_final_completion()


def stream_async(server: LoopbackServer, params: dict[str, Any]) -> tuple[list[Any], Any]:
    """The events and final completion of ``chat.completions.stream(**params)`` (async)."""

    async def main() -> tuple[list[Any], Any]:
        async with async_client(server) as client:
            async with client.chat.completions.stream(model=realistic.MODEL, **params) as stream:
                events = [event async for event in stream]
            return events, await stream.get_final_completion()

    return asyncio.run(main())


def check_math_request(body: Any, *, stream: bool) -> None:
    assert body["model"] == realistic.MODEL
    assert body["messages"] == realistic.MATH_MESSAGES
    assert body["response_format"] == response_format(MathResponse)
    schema = body["response_format"]["json_schema"]
    assert (schema["name"], schema["strict"]) == ("MathResponse", True)
    assert schema["schema"]["$defs"]["Step"]["additionalProperties"] is False
    assert body["stream"] is stream


# -- the math tutor: parse --------------------------------------------------------------------


def check_math_completion(completion: ParsedChatCompletion[MathResponse]) -> None:
    assert isinstance(completion, ParsedChatCompletion)
    message = completion.choices[0].message
    # the docs' example, line by line
    assert message.parsed
    assert message.parsed.steps == EXPECTED_ANSWER.steps
    assert message.parsed.final_answer == "x = -29/8"
    assert message.parsed == EXPECTED_ANSWER
    assert message.refusal is None
    assert (completion.id, completion.system_fingerprint) == (
        realistic.MATH_ID,
        realistic.FINGERPRINT,
    )
    assert completion.usage.prompt_tokens == 109  # type: ignore[union-attr]
    assert completion._request_id == "req_1"
    # written back, it is what the server sent, plus `parsed`
    expected = realistic.math_completion()
    expected["choices"][0]["message"]["parsed"] = realistic.MATH_ANSWER
    assert completion.to_dict() == expected


def test_math_tutor_parse_sync(server: LoopbackServer, script: Script) -> None:
    script.enqueue("POST", PATH, json_reply(realistic.math_completion()))
    check_math_completion(parse_sync(server, MATH))
    check_math_request(sent(server), stream=False)


def test_math_tutor_parse_async(server: LoopbackServer, script: Script) -> None:
    script.enqueue("POST", PATH, json_reply(realistic.math_completion()))
    check_math_completion(parse_async(server, MATH))
    check_math_request(sent(server), stream=False)


def test_math_tutor_refusal_leaves_parsed_empty(server: LoopbackServer, script: Script) -> None:
    script.enqueue("POST", PATH, json_reply(realistic.math_refusal()))
    message = parse_sync(server, MATH).choices[0].message
    assert not message.parsed  # the docs' else branch
    assert message.refusal == realistic.REFUSAL


def test_raw_parse_gives_the_status_then_the_parsed_completion(
    server: LoopbackServer, script: Script
) -> None:
    script.enqueue("POST", PATH, json_reply(realistic.math_completion()))
    with sync_client(server) as client:
        raw = client.with_raw_response.chat.completions.parse(model=realistic.MODEL, **MATH)
    assert (raw.status_code, raw.request_id) == (200, "req_1")
    check_math_completion(raw.parse())


# -- the math tutor: stream -------------------------------------------------------------------


def check_math_stream(events: list[Any], final: ParsedChatCompletion[MathResponse]) -> None:
    chunks = [e for e in events if e.type == "chunk"]
    expected_chunks = realistic.chunks_of(realistic.math_completion(), include_usage=True)
    assert len(chunks) == len(expected_chunks)
    assert chunks[1].chunk.choices[0].delta.content == '{"'  # models, as users know them
    assert chunks[-1].chunk.usage.total_tokens == final.usage.total_tokens  # type: ignore[union-attr]
    deltas = [e for e in events if e.type == "content.delta"]
    assert "".join(e.delta for e in deltas) == realistic.compact(realistic.MATH_ANSWER)
    partial = [e.parsed for e in deltas if e.parsed]
    assert all(isinstance(p, dict) for p in partial)  # partial JSON: dicts
    assert partial[0] == {"steps": []}
    steps = partial[len(partial) // 2]["steps"]
    assert 0 < len(steps) <= len(EXPECTED_ANSWER.steps)
    assert partial[-1] == realistic.MATH_ANSWER
    (done,) = [e for e in events if e.type == "content.done"]
    assert done.parsed == EXPECTED_ANSWER  # complete: a MathResponse
    assert isinstance(final, ParsedChatCompletion)
    assert final.choices[0].message.parsed == EXPECTED_ANSWER
    expected = realistic.streamed_completion(realistic.math_completion())
    expected["choices"][0]["message"]["parsed"] = realistic.MATH_ANSWER
    assert final.to_dict() == expected  # the stream adds up to the non-streamed answer


def math_stream_reply() -> Any:
    return sse_reply(realistic.chunks_of(realistic.math_completion(), include_usage=True))


def test_math_tutor_stream_sync(server: LoopbackServer, script: Script) -> None:
    script.enqueue("POST", PATH, math_stream_reply())
    check_math_stream(*stream_sync(server, MATH_STREAM))
    check_math_request(sent(server), stream=True)


def test_math_tutor_stream_async(server: LoopbackServer, script: Script) -> None:
    script.enqueue("POST", PATH, math_stream_reply())
    check_math_stream(*stream_async(server, MATH_STREAM))
    check_math_request(sent(server), stream=True)


# -- the orders query: a function tool ----------------------------------------------------------


def check_query_request(body: Any, *, stream: bool) -> None:
    assert body["messages"] == realistic.QUERY_MESSAGES
    (tool,) = body["tools"]
    assert tool == function_tool(Query).chat_param()
    assert tool["function"]["name"] == "Query"
    assert tool["function"]["strict"] is True
    value = tool["function"]["parameters"]["$defs"]["Condition"]["properties"]["value"]
    assert value == {
        "anyOf": [{"type": "string"}, {"type": "integer"}, {"$ref": "#/$defs/DynamicValue"}]
    }
    assert body["stream"] is stream
    assert "response_format" not in body


def check_query_completion(completion: ParsedChatCompletion[Any]) -> None:
    # the docs' example, line by line
    tool_call = (completion.choices[0].message.tool_calls or [])[0]
    assert isinstance(tool_call, ParsedFunctionToolCall)
    assert tool_call.function.name == "Query"
    assert isinstance(tool_call.function.parsed_arguments, Query)
    assert tool_call.function.parsed_arguments.table_name is Table.orders
    # enums, nested objects and each member of the union
    assert tool_call.function.parsed_arguments == EXPECTED_QUERY
    values = [c.value for c in tool_call.function.parsed_arguments.conditions]
    assert [type(v) for v in values] == [str, str, str, DynamicValue, int]
    assert completion.choices[0].finish_reason == "tool_calls"
    assert completion.choices[0].message.parsed is None  # no response_format


def test_orders_query_parse_sync(server: LoopbackServer, script: Script) -> None:
    script.enqueue("POST", PATH, json_reply(realistic.query_completion()))
    completion = parse_sync(server, QUERY)
    check_query_completion(completion)
    check_query_request(sent(server), stream=False)
    assert completion.to_dict()["choices"][0]["message"]["tool_calls"][0]["function"] == {
        **realistic.query_call()["function"],
        "parsed_arguments": realistic.QUERY_ARGUMENTS,
    }


def test_orders_query_parse_async(server: LoopbackServer, script: Script) -> None:
    script.enqueue("POST", PATH, json_reply(realistic.query_completion()))
    check_query_completion(parse_async(server, QUERY))
    check_query_request(sent(server), stream=False)


def test_orders_query_stream_sync(server: LoopbackServer, script: Script) -> None:
    chunks = realistic.chunks_of(realistic.query_completion(), include_usage=False)
    script.enqueue("POST", PATH, sse_reply(chunks))
    events, final = stream_sync(server, QUERY)
    deltas = [e for e in events if e.type == "tool_calls.function.arguments.delta"]
    assert all(e.name == "Query" for e in deltas)
    assert deltas[-1].parsed_arguments == realistic.QUERY_ARGUMENTS  # partial: dicts
    (done,) = [e for e in events if e.type == "tool_calls.function.arguments.done"]
    assert done.parsed_arguments == EXPECTED_QUERY
    check_query_completion(final)
    check_query_request(sent(server), stream=True)


def test_only_strict_function_tools_are_sent_by_parse(server: LoopbackServer) -> None:
    loose = {"type": "function", "function": {"name": "query", "parameters": {}}}
    with sync_client(server) as client, pytest.raises(InvalidRequestError) as raised:
        client.chat.completions.parse(
            model=realistic.MODEL, messages=realistic.QUERY_MESSAGES, tools=[loose]
        )
    assert str(raised.value) == (
        "`query` is not strict. Only `strict` function tools can be auto-parsed"
    )
    assert server.requests == []
