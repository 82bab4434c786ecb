"""parse_chat_completion / parse_response on realistic payloads, and the stream hooks with the
chat and Responses stream states."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import pytest

from openai_proto.errors import (
    ContentFilterFinishReasonError,
    ContentParseError,
    InvalidRequestError,
    LengthFinishReasonError,
)
from openai_proto.streams.chat import (
    ChatCompletionStreamState,
    ContentDeltaEvent,
    ContentDoneEvent,
    FunctionToolCallArgumentsDeltaEvent,
    FunctionToolCallArgumentsDoneEvent,
)
from openai_proto.streams.responses import ResponseAccumulator, ResponseTextDoneEvent
from openai_proto.structured import (
    ParsedChatCompletion,
    ParsedChatCompletionMessage,
    ParsedFunctionToolCall,
    ParsedResponse,
    ParsedResponseFunctionToolCall,
    ParsedResponseOutputMessage,
    chat_stream_parsers,
    function_tool,
    parse_chat_completion,
    parse_json,
    parse_response,
    response_format,
    responses_stream_parsers,
)
from openai_proto.types import ChatCompletion
from tests.structured.examples import MathResponse, Query, Step

T = TypeVar("T")
MATH = {
    "steps": [
        {"explanation": "Subtract 31 from both sides.", "output": "8x = -29"},
        {"explanation": "Divide both sides by 8.", "output": "x = -29/8"},
    ],
    "final_answer": "x = -29/8",
}
MATH_VALUE = MathResponse(
    [
        Step("Subtract 31 from both sides.", "8x = -29"),
        Step("Divide both sides by 8.", "x = -29/8"),
    ],
    "x = -29/8",
)
QUERY = {
    "table_name": "orders",
    "columns": ["id", "status"],
    "conditions": [{"column": "status", "operator": "=", "value": "fulfilled"}],
    "order_by": "asc",
}
USAGE = {"prompt_tokens": 40, "completion_tokens": 60, "total_tokens": 100}


def completion(message: dict[str, Any], finish_reason: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-ABC",
        "object": "chat.completion",
        "created": 1723000000,
        "model": "gpt-4o-2024-08-06",
        "system_fingerprint": "fp_845eaabc1f",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": None, "refusal": None, **message},
                "logprobs": None,
                "finish_reason": finish_reason,
            }
        ],
        "usage": USAGE,
    }


def message_of(completion: ParsedChatCompletion[T]) -> ParsedChatCompletionMessage[T]:
    """The first choice's message (asserting it is there)."""
    choices = completion.choices
    assert isinstance(choices, list)
    message = choices[0].message
    assert isinstance(message, ParsedChatCompletionMessage)
    return message


def tool_call(name: str, arguments: str, call_id: str = "call_1") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


# -- chat completions ------------------------------------------------------------------------


def test_math_tutor_content_is_parsed_into_the_type() -> None:
    data = completion({"content": json.dumps(MATH)})
    parsed = parse_chat_completion(data, response_format=MathResponse)
    assert isinstance(parsed, ParsedChatCompletion)
    message = message_of(parsed)
    assert message.parsed == MATH_VALUE
    assert message.content == json.dumps(MATH)
    assert parsed.usage.total_tokens == 100  # type: ignore[union-attr]
    # the parsed instance is written back as JSON by to_dict()/to_json()
    assert parsed.to_dict()["choices"][0]["message"]["parsed"] == MATH
    assert json.loads(parsed.to_json())["choices"][0]["message"]["parsed"] == MATH


def test_a_model_object_is_accepted_as_input() -> None:
    model = ChatCompletion.from_dict(completion({"content": json.dumps(MATH)}))
    assert (
        message_of(parse_chat_completion(model, response_format=MathResponse)).parsed == MATH_VALUE
    )
    with pytest.raises(InvalidRequestError):
        parse_chat_completion("not a completion", response_format=MathResponse)


def test_refusals_leave_parsed_empty() -> None:
    data = completion({"refusal": "I'm sorry, I can't help with that."})
    message = message_of(parse_chat_completion(data, response_format=MathResponse))
    assert message.parsed is None
    assert message.refusal == "I'm sorry, I can't help with that."


def test_without_a_format_nothing_is_parsed_and_dict_formats_give_json() -> None:
    data = completion({"content": json.dumps(MATH)})
    assert message_of(parse_chat_completion(data)).parsed is None
    fmt = response_format(MathResponse)
    assert message_of(parse_chat_completion(data, response_format=fmt)).parsed == MATH
    text = {"type": "text"}
    assert message_of(parse_chat_completion(data, response_format=text)).parsed is None


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('{"steps": [], "final_answer": ', "invalid JSON"),
        (
            '{"steps": [{"explanation": 1, "output": "x"}], "final_answer": "y"}',
            "steps[0].explanation",
        ),
    ],
)
def test_bad_content_raises_with_the_raw_text(content: str, words: str) -> None:
    with pytest.raises(ContentParseError) as info:
        parse_chat_completion(completion({"content": content}), response_format=MathResponse)
    assert info.value.raw == content
    assert words in str(info.value)


def test_length_and_content_filter_raise_only_when_parsing() -> None:
    truncated = completion({"content": '{"steps": ['}, finish_reason="length")
    with pytest.raises(LengthFinishReasonError) as info:
        parse_chat_completion(truncated, response_format=MathResponse)
    assert str(info.value).startswith(
        "Could not parse response content as the length limit was reached - "
    )
    assert "total_tokens=100" in str(info.value)
    assert info.value.completion.choices[0].finish_reason == "length"
    filtered = completion({"content": ""}, finish_reason="content_filter")
    with pytest.raises(ContentFilterFinishReasonError) as info2:
        parse_chat_completion(filtered, tools=[function_tool(Query)])
    assert info2.value.completion.id == "chatcmpl-ABC"
    # a plain completion (nothing to parse) is returned as it is
    plain = parse_chat_completion(truncated).choices
    assert isinstance(plain, list)
    assert plain[0].finish_reason == "length"
    assert message_of(parse_chat_completion(filtered)).parsed is None


def test_strict_tool_calls_get_parsed_arguments_and_custom_calls_are_kept() -> None:
    custom = {"id": "call_2", "type": "custom", "custom": {"name": "grammar", "input": "SELECT 1"}}
    data = completion(
        {
            "tool_calls": [
                tool_call("Query", json.dumps(QUERY)),
                custom,
                tool_call("other", "{}", "call_3"),
            ]
        },
        finish_reason="tool_calls",
    )
    strict_dict = {
        "type": "function",
        "function": {"name": "other", "strict": True, "parameters": {}},
    }
    parsed = parse_chat_completion(data, tools=[function_tool(Query), strict_dict])
    calls = message_of(parsed).tool_calls
    assert isinstance(calls, list)
    assert len(calls) == 3
    first = calls[0]
    assert isinstance(first, ParsedFunctionToolCall)
    assert first.function.parsed_arguments == parse_json(Query, QUERY)
    assert calls[1].to_dict() == custom
    assert calls[2].function.parsed_arguments == {}  # type: ignore[union-attr]
    assert message_of(parsed).parsed is None


def test_calls_of_unknown_tools_are_left_unparsed() -> None:
    data = completion({"tool_calls": [tool_call("nobody", "{}")]}, finish_reason="tool_calls")
    call = message_of(parse_chat_completion(data, tools=[function_tool(Query)])).tool_calls[0]  # type: ignore[index]
    assert call.function.parsed_arguments is None  # type: ignore[union-attr]


def test_non_strict_tools_are_refused_with_the_official_message() -> None:
    loose = {"type": "function", "function": {"name": "loose", "parameters": {}}}
    with pytest.raises(InvalidRequestError, match="`loose` is not strict"):
        parse_chat_completion(completion({"content": "x"}), tools=[loose])


def test_bad_tool_arguments_raise_with_the_raw_arguments() -> None:
    arguments = '{"table_name": "orders"}'
    data = completion({"tool_calls": [tool_call("Query", arguments)]}, finish_reason="tool_calls")
    with pytest.raises(ContentParseError) as info:
        parse_chat_completion(data, tools=[function_tool(Query)])
    assert info.value.raw == arguments
    assert "missing key 'columns'" in str(info.value)


def test_odd_payloads_are_decoded_leniently_not_crashed_on() -> None:
    odd = {"id": "x", "choices": [None, {"index": 1, "message": "??"}], "object": "chat.completion"}
    parsed = parse_chat_completion(odd, response_format=MathResponse)
    assert parsed.id == "x"
    assert (
        parse_chat_completion({"id": "y", "choices": "nope"}, response_format=MathResponse).id
        == "y"
    )


# -- responses --------------------------------------------------------------------------------


def response(output: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": 1723000000,
        "status": "completed",
        "model": "gpt-4o-2024-08-06",
        "output": output,
        "usage": {"input_tokens": 10, "output_tokens": 20, "total_tokens": 30},
        **extra,
    }


def message_item(*parts: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "message",
        "id": "msg_1",
        "role": "assistant",
        "status": "completed",
        "content": list(parts),
    }


def text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def test_response_output_text_is_parsed() -> None:
    data = response(
        [
            {"type": "reasoning", "id": "rs_1", "summary": []},
            message_item(text_part(json.dumps(MATH))),
        ]
    )
    parsed = parse_response(data, text_format=MathResponse)
    assert isinstance(parsed, ParsedResponse)
    assert parsed.output_parsed == MATH_VALUE
    assert parsed.output_text == json.dumps(MATH)
    message = parsed.output[1]
    assert isinstance(message, ParsedResponseOutputMessage)
    assert message.content[0].parsed == MATH_VALUE  # type: ignore[union-attr]
    assert type(parsed.output[0]).__name__ == "ReasoningItem"


def test_response_refusal_and_function_calls() -> None:
    refusal = {"type": "refusal", "refusal": "No."}
    call = {
        "type": "function_call",
        "id": "fc_1",
        "call_id": "call_1",
        "name": "Query",
        "arguments": json.dumps(QUERY),
        "status": "completed",
    }
    parsed = parse_response(
        response([message_item(refusal), call]),
        text_format=MathResponse,
        tools=[function_tool(Query)],
    )
    assert parsed.output_parsed is None
    item = parsed.output[1]
    assert isinstance(item, ParsedResponseFunctionToolCall)
    assert item.parsed_arguments == parse_json(Query, QUERY)
    plain = parse_response(response([call]))
    assert plain.output[0].parsed_arguments is None  # type: ignore[union-attr]


def test_incomplete_responses_raise_when_parsing() -> None:
    data = response(
        [message_item(text_part('{"steps": ['))],
        status="incomplete",
        incomplete_details={"reason": "max_output_tokens"},
    )
    with pytest.raises(LengthFinishReasonError):
        parse_response(data, text_format=MathResponse)
    assert parse_response(data).status == "incomplete"
    filtered = {**data, "incomplete_details": {"reason": "content_filter"}}
    with pytest.raises(ContentFilterFinishReasonError):
        parse_response(filtered, text_format=MathResponse)


# -- stream hooks ------------------------------------------------------------------------------


def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-ABC",
        "object": "chat.completion.chunk",
        "created": 1723000000,
        "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def pieces(text: str, size: int = 7) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def test_chat_stream_hooks_give_partial_dicts_then_the_type() -> None:
    state = ChatCompletionStreamState(**chat_stream_parsers(MathResponse))
    content = json.dumps(MATH)
    events = state.handle_chunk(chunk({"role": "assistant", "content": ""}))
    for piece in pieces(content):
        events += state.handle_chunk(chunk({"content": piece}))
    events += state.handle_chunk(chunk({}, "stop"))
    deltas = [e for e in events if isinstance(e, ContentDeltaEvent)]
    partial = [e.parsed for e in deltas if isinstance(e.parsed, dict)]
    assert partial
    assert all(isinstance(p, dict) for p in partial)
    assert partial[-1] == MATH
    done = [e for e in events if isinstance(e, ContentDoneEvent)]
    assert [e.parsed for e in done] == [MATH_VALUE]
    final = state.get_final_completion(as_type=ParsedChatCompletion)
    assert message_of(final).parsed == MATH_VALUE


def test_chat_stream_hooks_parse_strict_tool_arguments() -> None:
    tool = function_tool(Query)
    state = ChatCompletionStreamState(**chat_stream_parsers(tools=[tool]))
    arguments = json.dumps(QUERY)
    head = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "Query", "arguments": ""},
    }
    events = state.handle_chunk(chunk({"role": "assistant", "tool_calls": [head]}))
    for piece in pieces(arguments):
        events += state.handle_chunk(
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
        )
    events += state.handle_chunk(chunk({}, "tool_calls"))
    deltas = [e for e in events if isinstance(e, FunctionToolCallArgumentsDeltaEvent)]
    assert deltas[-1].parsed_arguments == QUERY
    done = [e for e in events if isinstance(e, FunctionToolCallArgumentsDoneEvent)]
    assert [e.parsed_arguments for e in done] == [parse_json(Query, QUERY)]
    final = state.get_final_completion(as_type=ParsedChatCompletion)
    calls = message_of(final).tool_calls
    assert isinstance(calls, list)
    assert isinstance(calls[0], ParsedFunctionToolCall)
    assert calls[0].function.parsed_arguments == parse_json(Query, QUERY)


def test_chat_stream_parsers_describe_the_request() -> None:
    tool = function_tool(Query)
    kwargs = chat_stream_parsers(MathResponse, [tool])
    assert kwargs["response_format"] == response_format(MathResponse)
    assert kwargs["input_tools"] == [tool.chat_param()]
    assert chat_stream_parsers() == {
        "response_format": None,
        "input_tools": None,
        "parse": None,
        "parse_arguments": None,
    }


def test_responses_stream_hook_parses_the_done_text() -> None:
    accumulator = ResponseAccumulator(**responses_stream_parsers(MathResponse))
    text = json.dumps(MATH)
    item = message_item()
    events = [
        {
            "type": "response.created",
            "sequence_number": 0,
            "response": {**response([]), "status": "in_progress"},
        },
        {
            "type": "response.output_item.added",
            "sequence_number": 1,
            "output_index": 0,
            "item": item,
        },
        {
            "type": "response.content_part.added",
            "sequence_number": 2,
            "output_index": 0,
            "content_index": 0,
            "item_id": "msg_1",
            "part": text_part(""),
        },
        {
            "type": "response.output_text.delta",
            "sequence_number": 3,
            "output_index": 0,
            "content_index": 0,
            "item_id": "msg_1",
            "delta": text,
        },
        {
            "type": "response.output_text.done",
            "sequence_number": 4,
            "output_index": 0,
            "content_index": 0,
            "item_id": "msg_1",
            "text": text,
        },
        {
            "type": "response.completed",
            "sequence_number": 5,
            "response": response([message_item(text_part(text))]),
        },
    ]
    out = [e for event in events for e in accumulator.feed(event)]
    done = [e for e in out if isinstance(e, ResponseTextDoneEvent)]
    assert [e.parsed for e in done] == [MATH_VALUE]
    final = parse_response(accumulator.get_final_response(), text_format=MathResponse)
    assert final.output_parsed == MATH_VALUE
    assert responses_stream_parsers() == {"parse_text": None}
