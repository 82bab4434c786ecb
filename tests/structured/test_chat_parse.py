"""``client.chat.completions.parse()``, ``stream(response_format=T, tools=[...])`` and
``run_tools()`` on the client, in every mode, over the in-memory transports: what is sent,
what comes back, and the errors users of the official SDK know."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import attrs
import pytest
import trio
from hypothesis import given, settings
from hypothesis import strategies as st

import openai_proto
from openai_proto import AsyncClient, Client, Config, decode
from openai_proto.errors import (
    APIResponseValidationError,
    ContentFilterFinishReasonError,
    ContentParseError,
    InvalidRequestError,
    LengthFinishReasonError,
    SchemaError,
)
from openai_proto.http import Response, ResponseHead
from openai_proto.structured import (
    ParsedChatCompletion,
    ParsedFunctionToolCall,
    function_tool,
    response_format,
    to_jsonable,
)
from openai_proto.structured.parsing import ChatCompletionParser
from openai_proto.structured.tool_runner import (
    AsyncChatCompletionRunner,
    ChatCompletionRunner,
    runnable_tool,
)
from openai_proto.testing.memory import AsyncMemoryTransport, MemoryTransport, json_reply, replay
from tests.structured import realistic
from tests.structured.examples import MathResponse, Query, Step
from tests.structured.test_tool_runner_helpers import answers, asks, function_call, memory_reply

Json = dict[str, Any]
CHAT: Json = {"model": realistic.MODEL, "messages": realistic.MATH_MESSAGES}
CONFIG = Config(api_key="sk-test", max_retries=0)
EXPECTED = MathResponse(
    [Step(**s) for s in realistic.MATH_ANSWER["steps"]], realistic.MATH_ANSWER["final_answer"]
)


def sync_client(*bodies: Json) -> tuple[Client, MemoryTransport]:
    transport = MemoryTransport(replay(*(json_reply(b) for b in bodies)))
    return Client(transport, CONFIG), transport


def async_client(*bodies: Json) -> tuple[AsyncClient, AsyncMemoryTransport]:
    transport = AsyncMemoryTransport(replay(*(json_reply(b) for b in bodies)))
    return AsyncClient(transport, CONFIG), transport


def sent(transport: MemoryTransport | AsyncMemoryTransport, index: int = 0) -> Any:
    body = transport.requests[index].body
    assert isinstance(body, bytes)
    return json.loads(body)


def with_finish(body: Json, reason: str, content: str | None = None) -> Json:
    choice = dict(body["choices"][0])
    message = dict(choice["message"])
    if content is not None:
        message["content"] = content
    return {**body, "choices": [{**choice, "message": message, "finish_reason": reason}]}


# -- parse in every mode ----------------------------------------------------------------------


def test_sync_parse_sends_the_strict_schema_and_parses_the_content() -> None:
    client, transport = sync_client(realistic.math_completion())
    completion = client.chat.completions.parse(**CHAT, response_format=MathResponse, seed=7)
    assert isinstance(completion, ParsedChatCompletion)
    assert completion.choices[0].message.parsed == EXPECTED
    body = sent(transport)
    assert body["response_format"] == response_format(MathResponse)
    assert (body["stream"], body["seed"], body["messages"]) == (False, 7, CHAT["messages"])
    assert "tools" not in body
    assert transport.requests[0].url.endswith("/chat/completions")


def test_the_sans_call_decodes_to_the_parsed_completion() -> None:
    api = openai_proto.api.chat.completions
    call = api.parse(**CHAT, response_format=MathResponse)
    # equal arguments give equal calls (the parser is a value)
    assert call == api.parse(**CHAT, response_format=MathResponse)
    assert call != api.parse(**CHAT, response_format={"type": "json_object"})
    assert call.decode_with == ChatCompletionParser(MathResponse, ())
    create = api.create(**CHAT, response_format=response_format(MathResponse), stream=False)
    assert call.body == create.body  # the request is create's
    body = json.dumps(realistic.math_completion()).encode()
    headers = (("content-type", "application/json"), ("x-request-id", "req_9"))
    completion = decode(call, Response(ResponseHead(200, headers), body))
    assert completion.choices[0].message.parsed == EXPECTED
    assert completion._request_id == "req_9"
    with pytest.raises(APIResponseValidationError, match="JSON object"):
        decode(call, Response(ResponseHead(200, ()), b"[1, 2]"))


def test_raw_parse_gives_a_raw_response_whose_parse_is_parsed() -> None:
    client, _ = sync_client(realistic.math_completion())
    raw = client.with_raw_response.chat.completions.parse(**CHAT, response_format=MathResponse)
    assert raw.status_code == 200
    assert json.loads(raw.content)["id"] == realistic.MATH_ID
    assert raw.parse().choices[0].message.parsed == EXPECTED


@pytest.mark.parametrize("library", ["asyncio", "trio"])
def test_async_parse_and_async_raw_parse(library: str) -> None:
    client, transport = async_client(realistic.math_completion(), realistic.math_completion())

    async def main() -> tuple[Any, Any]:
        completion = await client.chat.completions.parse(**CHAT, response_format=MathResponse)
        raw = await client.with_raw_response.chat.completions.parse(
            **CHAT, response_format=MathResponse
        )
        return completion, raw.parse()

    completion, from_raw = asyncio.run(main()) if library == "asyncio" else trio.run(main)
    assert completion.choices[0].message.parsed == EXPECTED
    assert from_raw == completion
    assert sent(transport, 1)["response_format"]["json_schema"]["name"] == "MathResponse"


def test_parse_without_a_format_parses_nothing_but_still_fills_parsed() -> None:
    body = realistic.completion("chatcmpl-x", {"content": "Hello!"}, "length", 5, 2)
    client, transport = sync_client(body)
    completion = client.chat.completions.parse(**CHAT)
    assert completion.choices[0].message.parsed is None  # T | None, never UNSET
    assert completion.choices[0].finish_reason == "length"  # nothing to parse: no error
    assert "response_format" not in sent(transport)


def test_a_json_format_dict_gives_the_decoded_json() -> None:
    client, transport = sync_client(realistic.math_completion())
    fmt = {"type": "json_object"}
    completion = client.chat.completions.parse(**CHAT, response_format=fmt)
    assert completion.choices[0].message.parsed == realistic.MATH_ANSWER
    assert sent(transport)["response_format"] == fmt


# -- tools ------------------------------------------------------------------------------------


def query_tool_body() -> Json:
    return realistic.query_completion()


def test_function_tools_are_sent_and_their_calls_parsed() -> None:
    custom = {"type": "custom", "custom": {"name": "sql"}}
    client, transport = sync_client(query_tool_body())
    completion = client.chat.completions.parse(**CHAT, tools=[function_tool(Query), custom])
    call = completion.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert call.function.parsed_arguments.table_name.value == "orders"  # type: ignore[union-attr]
    assert sent(transport)["tools"] == [function_tool(Query).chat_param(), custom]


def test_a_strict_dict_tool_gives_the_decoded_arguments() -> None:
    tool = function_tool(Query).chat_param()  # as a dict
    client, _ = sync_client(query_tool_body())
    completion = client.chat.completions.parse(**CHAT, tools=[tool])
    call = completion.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert call.function.parsed_arguments == realistic.QUERY_ARGUMENTS  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("tool", "message"),
    [
        (
            {"type": "function", "function": {"name": "lookup", "parameters": {}}},
            "`lookup` is not strict. Only `strict` function tools can be auto-parsed",
        ),
        (
            function_tool(Step, strict=False),
            "`Step` is not strict. Only `strict` function tools can be auto-parsed",
        ),
        (
            {"type": "web_search"},
            "Currently only `function` tool types support auto-parsing; Received `web_search`",
        ),
    ],
)
def test_parse_refuses_tools_it_cannot_parse_before_sending(tool: Any, message: str) -> None:
    client, transport = sync_client(query_tool_body())
    with pytest.raises(InvalidRequestError) as raised:
        client.chat.completions.parse(**CHAT, tools=[tool])
    assert str(raised.value) == message
    assert transport.requests == []


@pytest.mark.parametrize("tools", ["Query", {"type": "function"}, [3]])
def test_tools_that_are_not_a_list_of_tools_are_refused(tools: Any) -> None:
    client, transport = sync_client(query_tool_body())
    with pytest.raises(InvalidRequestError, match="tool"):
        client.chat.completions.parse(**CHAT, tools=tools)
    assert transport.requests == []


def test_a_class_without_a_schema_is_refused_naming_it() -> None:
    client, transport = sync_client(realistic.math_completion())

    @attrs.define
    class Counts:
        by_word: dict[str, int]

    with pytest.raises(SchemaError, match=r"Counts\.by_word"):
        client.chat.completions.parse(**CHAT, response_format=Counts)
    assert transport.requests == []


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "error", "words"),
    [
        ("length", LengthFinishReasonError, "length limit was reached"),
        ("content_filter", ContentFilterFinishReasonError, "content filter"),
    ],
)
def test_a_truncated_parse_raises_holding_the_completion(
    reason: str, error: type[Exception], words: str
) -> None:
    body = with_finish(realistic.math_completion(), reason, '{"steps": [{"expla')
    client, _ = sync_client(body)
    with pytest.raises(error, match=words) as raised:
        client.chat.completions.parse(**CHAT, response_format=MathResponse)
    held = raised.value.completion  # type: ignore[attr-defined]
    assert isinstance(held, ParsedChatCompletion)
    assert held.choices[0].finish_reason == reason


def test_content_of_the_wrong_shape_raises_holding_the_text() -> None:
    bad = '{"steps": [{"explanation": "x", "output": 8}], "final_answer": "x"}'
    client, _ = sync_client(with_finish(realistic.math_completion(), "stop", bad))
    with pytest.raises(ContentParseError) as raised:
        client.chat.completions.parse(**CHAT, response_format=MathResponse)
    assert (raised.value.raw, raised.value.path) == (bad, "steps[0].output")


@settings(max_examples=30, deadline=None)
@given(
    steps=st.lists(st.tuples(st.text(max_size=30), st.text(max_size=30)), max_size=5),
    final=st.text(max_size=30),
)
def test_parse_round_trips_any_answer(steps: list[tuple[str, str]], final: str) -> None:
    answer = MathResponse([Step(e, o) for e, o in steps], final)
    content = json.dumps(to_jsonable(answer))
    client, _ = sync_client(with_finish(realistic.math_completion(), "stop", content))
    completion = client.chat.completions.parse(**CHAT, response_format=MathResponse)
    assert completion.choices[0].message.parsed == answer


# -- stream with a class and FunctionTools ------------------------------------------------------


def sse(chunks: list[Json]) -> Any:
    from openai_proto.testing.memory import Reply
    from openai_proto.testing.script import sse_events

    return Reply(200, (("content-type", "text/event-stream"),), (sse_events(chunks),))


def test_stream_takes_a_class_and_function_tools() -> None:
    chunks = realistic.chunks_of(realistic.query_completion(), include_usage=False)
    transport = MemoryTransport(replay(sse(chunks)))
    client = Client(transport, CONFIG)
    with client.chat.completions.stream(
        **CHAT, response_format=MathResponse, tools=[function_tool(Query)]
    ) as stream:
        done = [e for e in stream if e.type == "tool_calls.function.arguments.done"]
    assert isinstance(done[0].parsed_arguments, Query)
    body = sent(transport)
    assert body["response_format"] == response_format(MathResponse)
    assert body["tools"] == [function_tool(Query).chat_param()]
    final = stream.get_final_completion()
    assert final.choices[0].message.parsed is None  # the model called the tool instead


def first_call(completion: ParsedChatCompletion[Any]) -> ParsedFunctionToolCall:
    calls = completion.choices[0].message.tool_calls
    assert isinstance(calls, list)
    assert isinstance(calls[0], ParsedFunctionToolCall)
    return calls[0]


def test_stream_accepts_tools_that_are_not_strict_and_leaves_them_unparsed() -> None:
    chunks = realistic.chunks_of(realistic.query_completion(), include_usage=False)
    loose = {"type": "function", "function": {"name": "Query", "parameters": {}}}
    client = Client(MemoryTransport(replay(sse(chunks))), CONFIG)
    with client.chat.completions.stream(**CHAT, tools=[loose]) as stream:
        final = stream.get_final_completion()
    assert first_call(final).function.parsed_arguments is None

    async def main() -> Any:
        client = AsyncClient(AsyncMemoryTransport(replay(sse(chunks))), CONFIG)
        async with client.chat.completions.stream(**CHAT, tools=[loose]) as stream:
            return await stream.get_final_completion()

    final = asyncio.run(main())  # the async helper accepts them too (the official one refuses)
    assert first_call(final).function.parsed_arguments is None


def test_the_sans_stream_plan_parses_into_the_class() -> None:
    plan = openai_proto.api.chat.completions.stream(**CHAT, response_format=MathResponse)
    assert plan.call.body["response_format"] == response_format(MathResponse)  # type: ignore[index]
    state = plan.new_state()
    assert not state.typed  # the pure state: dicts
    for chunk in realistic.chunks_of(realistic.math_completion(), include_usage=False):
        state.handle_chunk(chunk)
    assert state.get_final_completion()["choices"][0]["message"]["parsed"] == EXPECTED


def test_a_content_parse_error_in_a_client_stream_fails_it() -> None:
    bad = with_finish(realistic.math_completion(), "stop", '{"steps": 1, "final_answer": "x"}')
    chunks = realistic.chunks_of(bad, include_usage=False)
    client = Client(MemoryTransport(replay(sse(chunks))), CONFIG)
    with (
        client.chat.completions.stream(**CHAT, response_format=MathResponse) as stream,
        pytest.raises(ContentParseError, match="steps"),
    ):
        stream.until_done()
    with pytest.raises(ContentParseError, match="steps"):
        stream.get_final_completion()


# -- run_tools on the client --------------------------------------------------------------------


def shout(args: Json) -> str:
    return str(args["text"]).upper()


def test_client_run_tools_runs_the_loop() -> None:
    bodies = [asks(function_call("call_1", "shout", {"text": "hi"})), answers("HI it is.")]
    transport = MemoryTransport(replay(*(memory_reply(b, False) for b in bodies)))
    client = Client(transport, CONFIG)
    runner = client.chat.completions.run_tools(
        model=realistic.MODEL,
        messages=[{"role": "user", "content": "Shout hi"}],
        tools=[runnable_tool(shout)],
        temperature=0,
        response_format={"type": "text"},
    )
    assert isinstance(runner, ChatCompletionRunner)
    assert runner.final_content() == "HI it is."
    assert [r.content for r in runner.all_function_tool_call_results()] == ["HI"]
    assert [sent(transport, i)["temperature"] for i in range(2)] == [0, 0]
    assert sent(transport)["response_format"] == {"type": "text"}


def test_async_client_run_tools_gives_the_async_runner() -> None:
    bodies = [asks(function_call("call_1", "shout", {"text": "hi"})), answers("HI.")]
    transport = AsyncMemoryTransport(replay(*(memory_reply(b, True) for b in bodies)))
    client = AsyncClient(transport, CONFIG)

    async def main() -> Any:
        runner = client.chat.completions.run_tools(
            model=realistic.MODEL,
            messages=[{"role": "user", "content": "Shout hi"}],
            tools=[runnable_tool(shout)],
            stream=True,
        )
        assert isinstance(runner, AsyncChatCompletionRunner)
        return await runner.final_content()

    assert asyncio.run(main()) == "HI."
    assert sent(transport)["stream"] is True


def test_run_tools_is_not_offered_without_a_client() -> None:
    with pytest.raises(InvalidRequestError, match="tool_call_flow"):
        openai_proto.api.chat.completions.run_tools(  # type: ignore[misc]
            model=realistic.MODEL, messages=[], tools=[]
        )
