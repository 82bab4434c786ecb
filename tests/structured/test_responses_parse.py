"""``client.responses.parse()`` and ``client.responses.stream(text_format=..., tools=...)``.

The math tutor and the orders query of the official helper docs, with attrs classes: what is
sent (``text.format`` the strict schema, merged into ``text``; tools in the Responses shape),
what comes back (``ParsedResponse`` with ``output_parsed`` / ``parsed_arguments``), in every
mode, over the in-memory transport and once over real sockets (the httpx binding against the
loopback server); and the stream's ``parsed`` values on every event.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import typing
from collections.abc import Iterator
from typing import Any

import pytest
import trio
from hypothesis import given
from hypothesis import strategies as st

import openai_proto
from openai_proto import AsyncClient, Client, Config, InvalidRequestError
from openai_proto.call import Call
from openai_proto.decode import decode
from openai_proto.errors import ContentParseError, LengthFinishReasonError
from openai_proto.http import Response, ResponseHead
from openai_proto.streams import partial_json
from openai_proto.streams.partial_json import parse_partial
from openai_proto.streams.responses import (
    ResponseAccumulator,
    ResponseArgumentsDoneEvent,
    ResponseDeltaEvent,
    ResponseFinishedEvent,
    ResponseTextDoneEvent,
)
from openai_proto.structured import (
    ParsedResponse,
    ParsedResponseFunctionToolCall,
    function_tool,
    text_format,
    to_jsonable,
)
from openai_proto.testing import LoopbackServer, Script
from openai_proto.testing.memory import (
    AsyncMemoryTransport,
    MemoryTransport,
    Reply,
    json_reply,
    replay,
)
from openai_proto.testing.script import json_reply as loopback_json
from openai_proto.testing.script import sse_reply
from tests.stream_transcripts import memory_reply
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
from tests.structured.responses_payloads import (
    function_call,
    message,
    refusal,
    response,
    stream_events,
)

Json = dict[str, Any]

ANSWER = MathResponse(
    steps=[
        Step("Start with the equation 8x + 31 = 2.", "8x + 31 = 2"),
        Step("Subtract 31 from both sides.", "8x = -29"),
        Step("Divide both sides by 8.", "x = -29/8"),
    ],
    final_answer="x = -29/8",
)
CONTENT = json.dumps(to_jsonable(ANSWER))
QUERY = Query(
    table_name=Table.orders,
    columns=[Column.id, Column.status],
    conditions=[
        Condition("ordered_at", Operator.ge, "2024-05-01"),
        Condition("shipped_at", Operator.gt, DynamicValue("expected_delivery_date")),
    ],
    order_by=OrderBy.asc,
)
QUERY_ARGUMENTS = json.dumps(to_jsonable(QUERY))
QUERY_TOOL = function_tool(Query, description="Query the orders database.")
TUTOR: list[Any] = [
    {"role": "system", "content": "You are a helpful math tutor. Guide the user step by step."},
    {"role": "user", "content": "how can I solve 8x + 31 = 2?"},
]
SSE = (("content-type", "text/event-stream; charset=utf-8"),)


def tutor_response() -> Json:
    return response([message(CONTENT)], text_format=text_format(MathResponse))


def query_response() -> Json:
    call = function_call("Query", QUERY_ARGUMENTS, call_id="call_q1", item_id="fc_1")
    return response([call], tools=[QUERY_TOOL.responses_param()])


def first_part(parsed: ParsedResponse[Any]) -> Any:
    """The first content part of the first output item (a message)."""
    item: Any = parsed.output[0]
    return item.content[0]


def sync_client(*replies: Reply) -> tuple[Client, MemoryTransport]:
    transport = MemoryTransport(replay(*replies))
    return Client(transport, Config(api_key="sk-test")), transport


def sent(transport: MemoryTransport | AsyncMemoryTransport, index: int = 0) -> Json:
    body: Json = json.loads(typing.cast(bytes, transport.requests[index].body))
    return body


def sse(events: list[Json]) -> Reply:
    body = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()
    return memory_reply(body, pieces=9)


# -- parse(): what is sent, what comes back --------------------------------------------------


def test_parse_sends_the_strict_schema_and_gives_the_instance() -> None:
    client, transport = sync_client(json_reply(tutor_response()))
    parsed = client.responses.parse(
        model="gpt-4o-2024-08-06",
        input=TUTOR,
        text_format=MathResponse,
        text={"verbosity": "low"},
    )
    assert isinstance(parsed, ParsedResponse)
    assert parsed.output_parsed == ANSWER
    assert parsed.output_parsed.final_answer == "x = -29/8"
    assert first_part(parsed).parsed == ANSWER
    assert parsed.output_text == CONTENT
    assert typing.cast(Any, parsed.usage).total_tokens == 198
    body = sent(transport)
    assert body["text"] == {"verbosity": "low", "format": text_format(MathResponse)}
    assert body["text"]["format"]["strict"] is True
    assert "stream" not in body
    assert transport.requests[0].url == "https://api.openai.com/v1/responses"


def test_parse_without_a_format_parses_nothing() -> None:
    client, transport = sync_client(json_reply(tutor_response()))
    parsed = client.responses.parse(model="m", input="hi")
    assert parsed.output_parsed is None
    assert first_part(parsed).parsed is None
    assert "text" not in sent(transport)


def test_parse_gives_the_parsed_arguments_of_strict_tools() -> None:
    chat_shaped = {
        "type": "function",
        "function": {"name": "lookup", "parameters": {"type": "object"}, "strict": True},
    }
    custom = {"type": "custom", "name": "sql", "description": "Raw SQL."}
    payload = response(
        [
            function_call("Query", QUERY_ARGUMENTS, call_id="call_q1", item_id="fc_1"),
            function_call("lookup", '{"id": 7}', call_id="call_l1", item_id="fc_2"),
            {"id": "ctc_1", "type": "custom_tool_call", "call_id": "call_s1", "name": "sql",
             "input": "SELECT 1", "status": "completed"},
        ]
    )  # fmt: skip
    client, transport = sync_client(json_reply(payload))
    parsed = client.responses.parse(
        model="m", input="orders shipped late", tools=[QUERY_TOOL, chat_shaped, custom]
    )
    first, second, third = parsed.output
    assert isinstance(first, ParsedResponseFunctionToolCall)
    assert first.parsed_arguments == QUERY
    assert isinstance(second, ParsedResponseFunctionToolCall)
    assert second.parsed_arguments == {"id": 7}
    assert type(third).__name__ == "CustomToolCall"  # kept, not dropped
    assert sent(transport)["tools"] == [
        QUERY_TOOL.responses_param(),
        {"type": "function", "name": "lookup", "parameters": {"type": "object"}, "strict": True},
        custom,
    ]


def test_a_refusal_leaves_output_parsed_empty() -> None:
    payload = response([refusal("I'm sorry, I can't help with that.")])
    client, _ = sync_client(json_reply(payload))
    parsed = client.responses.parse(model="m", input="x", text_format=MathResponse)
    assert parsed.output_parsed is None
    assert first_part(parsed).refusal == "I'm sorry, I can't help with that."


def test_an_incomplete_response_raises_when_something_was_to_be_parsed() -> None:
    payload = response(
        [message(CONTENT[:40])], status="incomplete", incomplete_reason="max_output_tokens"
    )
    client, _ = sync_client(json_reply(payload), json_reply(payload))
    with pytest.raises(LengthFinishReasonError) as caught:
        client.responses.parse(model="m", input="x", text_format=MathResponse)
    assert caught.value.completion.status == "incomplete"
    plain = client.responses.parse(model="m", input="x")  # nothing to parse: returned as is
    assert plain.status == "incomplete"


def test_invalid_output_raises_holding_the_text() -> None:
    bad = '{"steps": [{"explanation": "x", "output": 8}], "final_answer": "x"}'
    client, _ = sync_client(json_reply(response([message(bad)])))
    with pytest.raises(ContentParseError) as caught:
        client.responses.parse(model="m", input="x", text_format=MathResponse)
    assert caught.value.raw == bad
    assert caught.value.path == "steps[0].output"


@pytest.mark.parametrize(
    ("arguments", "message_part"),
    [
        ({"text": {"format": {"type": "json_object"}}}, "Cannot mix and match text.format"),
        ({"text": "terse"}, "text must be a dict"),
        ({"tools": {"type": "web_search"}}, "tools must be a list"),
        ({"tools": [42]}, "each tool must be"),
    ],
)
def test_bad_arguments_are_refused_before_sending(arguments: Json, message_part: str) -> None:
    client, transport = sync_client()
    with pytest.raises(InvalidRequestError, match=message_part):
        client.responses.parse(model="m", input="x", text_format=MathResponse, **arguments)
    assert transport.requests == []


def test_a_format_dict_is_not_a_text_format() -> None:
    client, transport = sync_client()
    with pytest.raises(InvalidRequestError, match=r"text=\{\"format\""):
        client.responses.parse(model="m", input="x", text_format={"type": "json_object"})  # type: ignore[arg-type]
    assert transport.requests == []


def test_raw_mode_parses_on_demand() -> None:
    client, _ = sync_client(json_reply(tutor_response(), headers=[("x-request-id", "req_1")]))
    raw = client.with_raw_response.responses.parse(model="m", input="x", text_format=MathResponse)
    assert raw.header("x-request-id") == "req_1"
    assert raw.status_code == 200
    parsed = raw.parse()
    assert parsed.output_parsed == ANSWER
    assert parsed._request_id == "req_1"


def test_the_sans_call_decodes_to_the_parsed_response() -> None:
    make = openai_proto.api.responses.parse
    call = make(model="m", input=TUTOR, text_format=MathResponse, tools=[QUERY_TOOL])
    assert isinstance(call, Call)
    assert call == make(model="m", input=TUTOR, text_format=MathResponse, tools=[QUERY_TOOL])
    other: Any = make(model="m", input=TUTOR, text_format=Step, tools=[QUERY_TOOL])
    assert call != other
    request = openai_proto.build_request(Config(api_key="sk-test"), call)
    assert json.loads(typing.cast(bytes, request.body))["tools"] == [QUERY_TOOL.responses_param()]
    head = ResponseHead(200, (("content-type", "application/json"), ("x-request-id", "req_9")))
    answer = Response(head, json.dumps(tutor_response()).encode())
    parsed = decode(call, answer, request)
    assert isinstance(parsed, ParsedResponse)
    assert parsed.output_parsed == ANSWER
    assert parsed._request_id == "req_9"


@pytest.mark.parametrize("loop", ["asyncio", "trio"])
def test_async_parse(loop: str) -> None:
    transport = AsyncMemoryTransport(replay(json_reply(query_response())))
    client = AsyncClient(transport, Config(api_key="sk-test"))

    async def main() -> ParsedResponse[MathResponse]:
        return await client.responses.parse(
            model="m", input="late orders", text_format=MathResponse, tools=[QUERY_TOOL]
        )

    parsed = asyncio.run(main()) if loop == "asyncio" else trio.run(main)
    assert parsed.output_parsed is None  # the model called the tool instead
    call = parsed.output[0]
    assert isinstance(call, ParsedResponseFunctionToolCall)
    assert call.parsed_arguments == QUERY
    assert sent(transport)["text"]["format"]["name"] == "MathResponse"


def test_async_raw_parse() -> None:
    transport = AsyncMemoryTransport(replay(json_reply(tutor_response())))
    client = AsyncClient(transport, Config(api_key="sk-test"))

    async def main() -> Any:
        raw = await client.with_raw_response.responses.parse(
            model="m", input="x", text_format=MathResponse
        )
        return raw.parse()

    assert asyncio.run(main()).output_parsed == ANSWER


# -- stream(text_format=..., tools=...) --------------------------------------------------------


def test_stream_gives_partial_parsed_values_then_the_instance() -> None:
    events = stream_events(tutor_response())
    client, transport = sync_client(sse(events))
    with client.responses.stream(
        model="gpt-4o-2024-08-06", input=TUTOR, text_format=MathResponse
    ) as stream:
        deltas, done, finished = [], [], []
        for event in stream:
            if isinstance(event, ResponseDeltaEvent) and event.type.endswith("text.delta"):
                deltas.append((event.snapshot, event.parsed))
            elif isinstance(event, ResponseTextDoneEvent):
                done.append(event.parsed)
            elif isinstance(event, ResponseFinishedEvent):
                finished.append(event.response)
        final = stream.get_final_response()
    assert len(deltas) > 10
    for snapshot, parsed in deltas:
        expected = parse_partial(snapshot)
        assert parsed == (None if expected is openai_proto.sentinels.UNSET else expected)
    assert deltas[-1][1] == to_jsonable(ANSWER)  # the complete JSON, as dicts
    assert done == [ANSWER]
    assert finished == [final]
    assert finished[0] is final  # one object for the event and get_final_response()
    assert final.output_parsed == ANSWER
    assert sent(transport)["text"]["format"] == text_format(MathResponse)
    assert sent(transport)["stream"] is True
    assert transport.open_responses == 0


def test_stream_parses_strict_function_arguments() -> None:
    events = stream_events(query_response(), size=11)
    client, transport = sync_client(sse(events))
    with client.responses.stream(model="m", input="late orders", tools=[QUERY_TOOL]) as stream:
        partial = [
            e.parsed_arguments for e in stream if e.type == "response.function_call_arguments.delta"
        ]
        final = stream.get_final_response()
    assert partial[0] == {}
    assert partial[-1] == to_jsonable(QUERY)
    assert isinstance(final.output[0], ParsedResponseFunctionToolCall)
    assert final.output[0].parsed_arguments == QUERY
    assert sent(transport)["tools"] == [QUERY_TOOL.responses_param()]


def test_arguments_done_event_carries_the_parsed_arguments() -> None:
    events = stream_events(query_response(), size=50)
    accumulator = ResponseAccumulator(parse_arguments={"Query": QUERY_TOOL.parse_arguments})
    out = [e for event in events for e in accumulator.feed(event)]
    done = [e for e in out if isinstance(e, ResponseArgumentsDoneEvent)]
    assert [e.parsed_arguments for e in done] == [QUERY]
    plain = ResponseAccumulator()
    unparsed = [e for event in events for e in plain.feed(event)]
    assert [e.parsed_arguments for e in unparsed if isinstance(e, ResponseArgumentsDoneEvent)] == [
        None
    ]


@pytest.mark.parametrize("loop", ["asyncio", "trio"])
def test_async_stream(loop: str) -> None:
    events = stream_events(tutor_response(), size=5)
    transport = AsyncMemoryTransport(replay(sse(events)))
    client = AsyncClient(transport, Config(api_key="sk-test"))

    async def main() -> tuple[list[Any], ParsedResponse[MathResponse]]:
        async with client.responses.stream(
            model="m", input=TUTOR, text_format=MathResponse
        ) as stream:
            parsed = [e.parsed async for e in stream if e.type == "response.output_text.delta"]
            return parsed, await stream.get_final_response()

    parsed, final = asyncio.run(main()) if loop == "asyncio" else trio.run(main)
    assert parsed[-1] == to_jsonable(ANSWER)
    assert final.output_parsed == ANSWER
    assert transport.open_responses == 0


def test_resumed_stream_parses_too() -> None:
    events = stream_events(tutor_response())
    client, transport = sync_client(sse(events))
    with client.responses.stream(
        response_id="resp_1", starting_after=10, text_format=MathResponse
    ) as stream:
        numbers = [event.sequence_number for event in stream]
    assert numbers == list(range(11, len(events)))
    assert stream.get_final_response().output_parsed == ANSWER
    assert "text" not in transport.requests[0].url  # only parsed, not sent


def test_the_sans_plan_folds_with_the_same_parsing() -> None:
    plan = openai_proto.api.responses.stream(model="m", input=TUTOR, text_format=MathResponse)
    assert json.loads(json.dumps(plan.call.body))["text"]["format"] == text_format(MathResponse)
    state = plan.new_state()
    out = [e for event in stream_events(tutor_response()) for e in state.feed(event)]
    assert isinstance(out[-1], ResponseFinishedEvent)
    assert out[-1].response.output_parsed == ANSWER
    assert state.get_final_response() == tutor_response()  # the pure state keeps dicts


# -- parsed on every delta: exact, and linear ----------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)


def delta_events(text: str, cuts: list[int]) -> list[Json]:
    points = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
    item = {"id": "msg_1", "type": "message", "role": "assistant", "content": []}
    events: list[Json] = [
        {"type": "response.created", "response": {"id": "r", "output": []}},
        {"type": "response.output_item.added", "output_index": 0, "item": item},
    ]
    for a, b in itertools.pairwise(points):
        events.append(
            {"type": "response.output_text.delta", "output_index": 0, "content_index": 0,
             "delta": text[a:b]}
        )  # fmt: skip
    return events


@given(
    st.dictionaries(st.text(max_size=5), JSON_VALUES, max_size=4),
    st.lists(st.integers(0, 200), max_size=12),
    st.randoms(use_true_random=False),
)
def test_parsed_is_the_partial_value_whatever_the_reading_order(
    value: Json, cuts: list[int], rng: random.Random
) -> None:
    text = json.dumps(value)
    accumulator = ResponseAccumulator(partial_text=True)
    out = [e for event in delta_events(text, cuts) for e in accumulator.feed(event)]
    deltas = [e for e in out if isinstance(e, ResponseDeltaEvent)]
    order = list(range(len(deltas)))
    rng.shuffle(order)
    for index in order:  # read in any order: later events first, earlier ones again
        expected = parse_partial(deltas[index].snapshot)
        assert deltas[index].parsed == (
            None if expected is openai_proto.sentinels.UNSET else expected
        )
    assert deltas[-1].parsed == value


def test_reading_parsed_on_every_event_feeds_each_character_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fed: list[int] = []
    real_feed = partial_json.PartialJSON.feed

    def counting(self: partial_json.PartialJSON, text: str) -> None:
        fed.append(len(text))
        real_feed(self, text)

    monkeypatch.setattr(partial_json.PartialJSON, "feed", counting)
    text = json.dumps({"rows": [{"id": n, "name": f"row {n}"} for n in range(400)]})
    accumulator = ResponseAccumulator(partial_text=True)
    for event in delta_events(text, list(range(0, len(text), 3))):
        for out in accumulator.feed(event):
            if isinstance(out, ResponseDeltaEvent):
                assert out.parsed is not None or out.snapshot.strip() in ("", "{")
    assert sum(fed) == len(text)  # linear: every character parsed once
    fed.clear()
    unread = ResponseAccumulator(partial_text=True)
    for event in delta_events(text, [5, 50]):
        unread.feed(event)
    assert fed == []  # nobody read parsed: nothing parsed


# -- over real sockets: the httpx binding and the loopback server ------------------------------


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    script = Script()
    with LoopbackServer(script) as running:
        yield running


def test_parse_and_stream_over_the_httpx_binding(server: LoopbackServer) -> None:
    from openai_proto_httpx import OpenAI

    final = tutor_response()
    server.script.enqueue("POST", "/v1/responses", loopback_json(final))
    server.script.enqueue("POST", "/v1/responses", sse_reply(stream_events(final), done=False))
    with OpenAI(api_key="sk-test", base_url=server.url) as client:
        parsed = client.responses.parse(model=final["model"], input=TUTOR, text_format=MathResponse)
        with client.responses.stream(
            model=final["model"], input=TUTOR, text_format=MathResponse
        ) as stream:
            partial = [e.parsed for e in stream if e.type == "response.output_text.delta"]
            streamed = stream.get_final_response()
    assert parsed.output_parsed == ANSWER
    assert streamed.output_parsed == ANSWER
    assert streamed == parsed
    assert partial[-1] == to_jsonable(ANSWER)
    bodies = [typing.cast("Json", request.json()) for request in server.requests]
    assert [body.get("stream") for body in bodies] == [None, True]
    assert all(body["text"]["format"] == text_format(MathResponse) for body in bodies)
    assert server.wait_for_no_open_connections(5)
