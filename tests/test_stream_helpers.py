"""The stream helpers of the client, over the in-memory transports (sync, asyncio, trio).

``client.chat.completions.stream()``, ``client.responses.stream()``,
``client.beta.threads.runs.stream()`` / ``submit_tool_outputs_stream()`` and
``client.beta.threads.create_and_run_stream()``: what they send, what they give, that
leaving the ``with`` block closes the response, and what ``openai_proto.api`` gives.
Also the typed events of ``create(stream=True)`` for every streamed endpoint.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
import trio
from hypothesis import given, settings
from hypothesis import strategies as st

import openai_proto
from openai_proto import AsyncClient, BadRequestError, Client, Config, InvalidRequestError
from openai_proto.errors import LocalProtocolError, SchemaError
from openai_proto.generated.models.chat import ChatCompletionChunk
from openai_proto.models import UnknownVariant
from openai_proto.streams.assistant_types import Text, TextDelta
from openai_proto.streams.assistants import (
    AssistantAccumulator,
    AssistantEventHandler,
    AsyncAssistantEventHandler,
)
from openai_proto.streams.chat import ChatCompletionStreamState
from openai_proto.streams.events import EventStreamDecoder
from openai_proto.streams.responses import ResponseAccumulator
from openai_proto.structured import ParsedChatCompletion
from openai_proto.testing import fixtures
from openai_proto.testing.memory import (
    AsyncMemoryTransport,
    MemoryTransport,
    Reply,
    json_reply,
    replay,
)
from tests.stream_transcripts import memory_reply, numbered, sse_body, transcript

Json = dict[str, Any]
MESSAGES = [{"role": "user", "content": "Hi"}]
CHAT: dict[str, Any] = {"model": fixtures.MODEL, "messages": MESSAGES}
RUNNERS: dict[str, Callable[[Callable[[], Coroutine[Any, Any, Any]]], Any]] = {
    "asyncio": lambda main: asyncio.run(main()),
    "trio": trio.run,
}
LOOPS = pytest.mark.parametrize("loop", sorted(RUNNERS))


def sync_client(*replies: Reply) -> tuple[Client, MemoryTransport]:
    transport = MemoryTransport(replay(*replies))
    return Client(transport, Config(api_key="sk-test", max_retries=0)), transport


def async_client(*replies: Reply) -> tuple[AsyncClient, AsyncMemoryTransport]:
    transport = AsyncMemoryTransport(replay(*replies))
    return AsyncClient(transport, Config(api_key="sk-test", max_retries=0)), transport


def run(loop: str, main: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    return RUNNERS[loop](main)


def sent_json(transport: MemoryTransport | AsyncMemoryTransport, index: int = 0) -> Any:
    body = transport.requests[index].body
    assert isinstance(body, bytes)
    return json.loads(body)


def chat_body(include_usage: bool = False) -> bytes:
    chunks = fixtures.chat_completion_chunks(include_usage=include_usage)
    return sse_body([(None, chunk) for chunk in chunks])


def expected_completion() -> Json:
    """The non-streamed completion of the demo answer, as a stream builds it (streams
    carry no ``annotations`` list)."""
    completion = fixtures.chat_completion()
    del completion["choices"][0]["message"]["annotations"]
    return completion


def expected_final() -> Json:
    """What the client's stream helper's final ``ParsedChatCompletion`` writes: the
    completion, with ``parsed`` (nothing to parse: ``None``) on the message."""
    completion = expected_completion()
    completion["choices"][0]["message"]["parsed"] = None
    return completion


# -- chat.completions.stream ------------------------------------------------------------------


def test_chat_stream_sends_the_create_request_on_entry() -> None:
    client, transport = sync_client(memory_reply(chat_body()))
    manager = client.chat.completions.stream(**CHAT, temperature=0.5)
    assert transport.requests == []  # nothing is sent before the block is entered
    with manager as stream:
        pass
    expected = openai_proto.api.chat.completions.create(**CHAT, temperature=0.5, stream=True)
    request = transport.requests[0]
    assert (request.method, request.url) == ("POST", "https://api.openai.com/v1/chat/completions")
    assert sent_json(transport) == expected.body
    assert sent_json(transport)["stream"] is True
    assert "stream_options" not in sent_json(transport)  # as the official helper: not added
    assert stream.response.response.call == expected  # type: ignore[attr-defined]
    assert transport.open_responses == 0


def test_chat_stream_final_completion_equals_the_non_streamed_one() -> None:
    client, transport = sync_client(memory_reply(chat_body(include_usage=True), pieces=7))
    with client.chat.completions.stream(**CHAT, stream_options={"include_usage": True}) as stream:
        events = []
        contents = []  # each chunk's snapshot, read when it came (models, as users know)
        for event in stream:
            events.append(event)
            if event.type == "chunk" and event.snapshot.choices:
                contents.append(event.snapshot.choices[0].message.content)
    final = stream.get_final_completion()
    assert isinstance(final, ParsedChatCompletion)
    assert final.to_dict() == expected_final()
    assert final.choices[0].message.parsed is None
    chunks = [e.chunk for e in events if e.type == "chunk"]
    assert all(isinstance(chunk, ChatCompletionChunk) for chunk in chunks)
    assert chunks[-1].usage.completion_tokens == len(fixtures.TOKENS)  # type: ignore[union-attr]
    assert contents[1:3] == [fixtures.TOKENS[0], "".join(fixtures.TOKENS[:2])]
    deltas = [e.delta for e in events if e.type == "content.delta"]
    assert "".join(deltas) == "".join(fixtures.TOKENS)
    assert [e.type for e in events].count("content.done") == 1
    assert transport.open_responses == 0


def test_chat_stream_replays_the_documented_transcript() -> None:
    chunks = transcript("createChatCompletion")
    client, _ = sync_client(memory_reply(sse_body(chunks)))
    with client.chat.completions.stream(**CHAT) as stream:
        final = stream.get_final_completion()
    assert final.choices[0].message.content == "Hello"
    assert final.choices[0].finish_reason == "stop"
    assert final.id == chunks[0][1]["id"]


@LOOPS
def test_async_chat_stream(loop: str) -> None:
    client, transport = async_client(memory_reply(chat_body(include_usage=True), pieces=5))

    async def main() -> tuple[list[Any], ParsedChatCompletion[Any]]:
        manager = client.chat.completions.stream(**CHAT, stream_options={"include_usage": True})
        assert transport.requests == []
        async with manager as stream:
            kinds = [event.type async for event in stream]
        return kinds, await stream.get_final_completion()

    kinds, final = run(loop, main)
    assert final.to_dict() == expected_final()
    assert kinds.count("content.delta") == len(fixtures.TOKENS) + 1  # the role delta has ""
    assert sent_json(transport)["stream"] is True
    assert transport.open_responses == 0


@pytest.mark.parametrize("how", ["break", "unread", "raise"])
def test_leaving_a_chat_stream_early_closes_the_response(how: str) -> None:
    client, transport = sync_client(memory_reply(chat_body(), pieces=20))
    expected = pytest.raises(ZeroDivisionError) if how == "raise" else _nothing()
    with expected, client.chat.completions.stream(**CHAT) as stream:
        assert transport.open_responses == 1
        if how != "unread":
            next(stream)
        if how == "raise":
            _ = 1 / 0
    assert transport.open_responses == 0
    assert list(stream) == []  # a closed stream gives nothing more


@LOOPS
@pytest.mark.parametrize("how", ["break", "unread"])
def test_leaving_an_async_chat_stream_early_closes_the_response(loop: str, how: str) -> None:
    client, transport = async_client(memory_reply(chat_body(), pieces=20))

    async def main() -> int:
        async with client.chat.completions.stream(**CHAT) as stream:
            assert transport.open_responses == 1
            if how == "break":
                async for _ in stream:
                    break
        return transport.open_responses

    assert run(loop, main) == 0


def test_chat_stream_parses_json_content_and_strict_tool_arguments() -> None:
    def chunk(delta: Json, finish_reason: str | None = None) -> Json:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
        return {"object": "chat.completion.chunk", "id": "c", "choices": [choice]}

    call = {"index": 0, "id": "call_1", "type": "function"}
    chunks = [
        chunk({"content": '{"a": [1, '}),
        chunk({"content": "2]}"}),
        chunk({"tool_calls": [{**call, "function": {"name": "f", "arguments": '{"x": "y'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"}'}}]}, "tool_calls"),
    ]
    tool = {"type": "function", "function": {"name": "f", "parameters": {}, "strict": True}}
    client, transport = sync_client(memory_reply(sse_body([(None, c) for c in chunks])))
    response_format = {"type": "json_object"}
    with client.chat.completions.stream(
        **CHAT, response_format=response_format, tools=[tool]
    ) as stream:
        events = list(stream)
    assert sent_json(transport)["response_format"] == response_format
    assert sent_json(transport)["tools"] == [tool]
    parsed = [e.parsed for e in events if e.type in ("content.delta", "content.done")]
    assert parsed == [{"a": [1]}, {"a": [1, 2]}, {"a": [1, 2]}]
    done = [e for e in events if e.type == "tool_calls.function.arguments.done"]
    assert [e.parsed_arguments for e in done] == [{"x": "y"}]


def test_chat_stream_takes_generated_models_as_response_format_and_tools() -> None:
    from openai_proto.types import ChatCompletionTool, ResponseFormatJsonObject

    chunk = {"object": "chat.completion.chunk", "id": "c", "choices": []}
    client, transport = sync_client(memory_reply(sse_body([(None, chunk)])))
    tool = ChatCompletionTool.from_dict(
        {"type": "function", "function": {"name": "f", "strict": True}}
    )
    fmt = ResponseFormatJsonObject.from_dict({"type": "json_object"})
    with client.chat.completions.stream(**CHAT, response_format=fmt, tools=[tool]) as stream:
        stream.until_done()
    assert sent_json(transport)["response_format"] == {"type": "json_object"}
    assert sent_json(transport)["tools"][0]["function"]["name"] == "f"


def test_a_class_without_a_schema_is_refused_before_sending() -> None:
    client, transport = sync_client(memory_reply(chat_body()))

    class Answer:  # not attrs, a dataclass, a TypedDict nor pydantic: no fields to describe
        pass

    with pytest.raises(SchemaError, match="Answer"):
        client.chat.completions.stream(**CHAT, response_format=Answer)
    with pytest.raises(InvalidRequestError, match="response_format"):
        client.chat.completions.stream(**CHAT, response_format="json")  # type: ignore[call-overload]
    assert transport.requests == []


def test_raw_client_stream_is_the_same_helper() -> None:
    client, transport = sync_client(memory_reply(chat_body()))
    with client.with_raw_response.chat.completions.stream(**CHAT) as stream:
        content = stream.get_final_completion().choices[0].message.content
    assert content == "".join(fixtures.TOKENS)
    assert transport.open_responses == 0


def test_an_error_status_on_entry_raises_and_leaves_nothing_open() -> None:
    error = json_reply({"error": {"message": "no such model", "code": "model_not_found"}}, 400)
    client, transport = sync_client(error)
    with pytest.raises(BadRequestError, match="no such model"):  # noqa: SIM117
        with client.chat.completions.stream(**CHAT):
            raise AssertionError("the block must not run")
    assert transport.open_responses == 0


@settings(max_examples=40, deadline=None)
@given(cuts=st.lists(st.integers(min_value=1, max_value=4000), max_size=30))
def test_chat_stream_does_not_depend_on_how_the_body_is_cut(cuts: list[int]) -> None:
    body = chat_body(include_usage=True)
    offsets = sorted({0, len(body), *(c % len(body) for c in cuts)})
    chunks = tuple(body[a:b] for a, b in itertools.pairwise(offsets))
    client, _ = sync_client(Reply(200, (("content-type", "text/event-stream"),), chunks))
    with client.chat.completions.stream(**CHAT) as stream:
        kinds = [event.type for event in stream]
    whole, _ = sync_client(memory_reply(body))
    with whole.chat.completions.stream(**CHAT) as reference:
        assert kinds == [event.type for event in reference]
    assert stream.get_final_completion() == reference.get_final_completion()


# -- responses.stream -------------------------------------------------------------------------


def parsed_final(response: Json) -> Any:
    """What the client's Responses streams give for a final response: a ParsedResponse."""
    from openai_proto.structured import parse_response

    return parse_response(response)


def test_responses_stream_replays_the_documented_transcript() -> None:
    events = transcript("createResponse")
    client, transport = sync_client(memory_reply(sse_body(events, done=False), pieces=4))
    with client.responses.stream(model="gpt-4.1", input="Hi") as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    assert kinds == [data["type"] for _, data in events]
    assert type(final).__name__ == "ParsedResponse"
    assert final == parsed_final(events[-1][1]["response"])
    assert stream.get_final_response(dict) == events[-1][1]["response"]
    request = transport.requests[0]
    assert (request.method, request.url) == ("POST", "https://api.openai.com/v1/responses")
    assert sent_json(transport) == {"model": "gpt-4.1", "input": "Hi", "stream": True}
    assert transport.open_responses == 0


@LOOPS
def test_async_responses_stream(loop: str) -> None:
    events = transcript("createResponse")
    client, transport = async_client(memory_reply(sse_body(events, done=False), pieces=3))

    async def main() -> Any:
        async with client.responses.stream(model="gpt-4.1", input="Hi") as stream:
            return await stream.get_final_response()

    assert run(loop, main) == parsed_final(events[-1][1]["response"])
    assert transport.open_responses == 0


def test_responses_resume_replays_from_the_start_and_hides_what_was_seen() -> None:
    events = numbered(transcript("createResponse"))
    client, transport = sync_client(memory_reply(sse_body(events, done=False)))
    with client.responses.stream(response_id="resp_1", starting_after=4) as stream:
        numbers = [event.sequence_number for event in stream]
    assert numbers == [n for n in range(len(events)) if n > 4]
    assert stream.get_final_response() == parsed_final(events[-1][1]["response"])
    request = transport.requests[0]
    assert request.method == "GET"
    assert request.url == "https://api.openai.com/v1/responses/resp_1?stream=true"


def test_responses_resume_from_a_snapshot_asks_the_server_to_skip() -> None:
    events = numbered(transcript("createResponse"))
    cut = 5
    client, transport = sync_client(
        memory_reply(sse_body(events, done=False)),
        memory_reply(sse_body(events[cut + 1 :], done=False)),
    )
    with client.responses.stream(model="gpt-4.1", input="Hi") as first:
        for event in first:
            if event.sequence_number == cut:
                break
        snapshot = json.loads(json.dumps(first.current_snapshot))
        last = first.accumulator.last_sequence_number
    assert last == cut
    assert transport.open_responses == 0
    with client.responses.stream(
        response_id="resp_1", starting_after=last, snapshot=snapshot
    ) as resumed:
        numbers = [event.sequence_number for event in resumed]
    assert numbers == list(range(cut + 1, len(events)))
    assert resumed.get_final_response() == parsed_final(events[-1][1]["response"])
    url = transport.requests[1].url
    assert url == "https://api.openai.com/v1/responses/resp_1?stream=true&starting_after=5"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"response_id": "r", "input": "Hi"}, "cannot be combined with input"),
        ({"model": "m", "starting_after": 3}, "give response_id"),
        ({"response_id": "r", "snapshot": {"id": "r"}}, "starting_after"),
        ({"response_id": "r", "starting_after": "3"}, "must be an int"),
        ({"response_id": "r", "starting_after": 1, "snapshot": ["x"]}, "snapshot="),
    ],
)
def test_responses_stream_refuses_mixed_arguments(arguments: Json, message: str) -> None:
    client, transport = sync_client(memory_reply(b""))
    with pytest.raises(InvalidRequestError, match=message):
        client.responses.stream(**arguments)
    assert transport.requests == []


# -- assistants -------------------------------------------------------------------------------


class Recorder(AssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []
        self.text: list[str] = []

    def on_event(self, event: Any) -> None:
        self.calls.append(event.event)

    def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
        assert isinstance(delta.value, str)
        self.text.append(delta.value)

    def on_end(self) -> None:
        self.calls.append("end")


class AsyncRecorder(AsyncAssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []

    async def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
        assert isinstance(delta.value, str)
        self.text.append(delta.value)


def text_of(events: list[Any]) -> str:
    """The text the ``thread.message.delta`` events of a transcript carry."""
    return "".join(
        part["text"]["value"]
        for name, data in events
        if name == "thread.message.delta"
        for part in data["delta"]["content"]
    )


def test_runs_stream_drives_the_given_handler() -> None:
    events = transcript("createRun")
    client, transport = sync_client(memory_reply(sse_body(events), pieces=6))
    handler = Recorder()
    with client.beta.threads.runs.stream(
        "thread_123", assistant_id="asst_123", event_handler=handler
    ) as given:
        assert given is handler
        given.until_done()
    assert handler.calls == [name for name, _ in events] + ["end"]
    assert "".join(handler.text) == text_of(events) != ""
    runs = [
        data
        for name, data in events
        if str(name).startswith("thread.run.") and ".step." not in str(name)
    ]
    final = handler.get_final_run()
    assert type(final).__name__ == "Run"
    assert final.to_dict() == runs[-1]
    request = transport.requests[0]
    assert request.url == "https://api.openai.com/v1/threads/thread_123/runs"
    assert request.header("OpenAI-Beta") == "assistants=v2"
    assert sent_json(transport) == {"assistant_id": "asst_123", "stream": True}
    assert transport.open_responses == 0


def test_submit_tool_outputs_stream() -> None:
    events = transcript("submitToolOuputsToRun")
    client, transport = sync_client(memory_reply(sse_body(events)))
    outputs: list[Any] = [{"tool_call_id": "call_001", "output": "70 degrees and sunny."}]
    with client.beta.threads.runs.submit_tool_outputs_stream(
        "run_123", thread_id="thread_123", tool_outputs=outputs
    ) as handler:
        assert isinstance(handler, AssistantEventHandler)
        messages = handler.get_final_messages()
    assert type(messages[0]).__name__ == "MessageObject"
    assert messages[0].status == "completed"
    assert handler.get_final_run().status == "completed"
    request = transport.requests[0]
    assert request.url.endswith("/threads/thread_123/runs/run_123/submit_tool_outputs")
    assert sent_json(transport) == {"tool_outputs": outputs, "stream": True}


def test_create_and_run_stream_with_the_default_handler() -> None:
    events = transcript("createThreadAndRun")
    client, transport = sync_client(memory_reply(sse_body(events)))
    with client.beta.threads.create_and_run_stream(assistant_id="asst_123") as handler:
        text = "".join(handler.text_deltas)
    assert text == text_of(events) != ""
    assert transport.requests[0].url == "https://api.openai.com/v1/threads/runs"
    assert transport.open_responses == 0


@LOOPS
def test_async_runs_stream(loop: str) -> None:
    events = transcript("createRun")
    client, transport = async_client(memory_reply(sse_body(events), pieces=4))

    async def main() -> tuple[AsyncRecorder, Any]:
        async with client.beta.threads.runs.stream(
            "thread_123", assistant_id="asst_123", event_handler=AsyncRecorder()
        ) as handler:
            return handler, await handler.get_final_run()

    handler, run_ = run(loop, main)
    assert "".join(handler.text) == text_of(events) != ""
    assert run_.id == "run_123"
    assert transport.open_responses == 0


@LOOPS
def test_leaving_an_async_assistant_stream_early_closes_it(loop: str) -> None:
    client, transport = async_client(memory_reply(sse_body(transcript("createRun")), pieces=9))

    async def main() -> int:
        async with client.beta.threads.create_and_run_stream(assistant_id="a") as handler:
            async for _ in handler:
                break
        return transport.open_responses

    assert run(loop, main) == 0


def test_leaving_an_assistant_stream_early_closes_it() -> None:
    client, transport = sync_client(memory_reply(sse_body(transcript("createRun")), pieces=9))
    with client.beta.threads.runs.stream("thread_123", assistant_id="a") as handler:
        next(handler)
        assert transport.open_responses == 1
    assert transport.open_responses == 0


def test_a_handler_of_the_wrong_kind_is_refused() -> None:
    client, _ = sync_client(memory_reply(b""))
    aclient, _ = async_client(memory_reply(b""))
    with pytest.raises(InvalidRequestError, match="AssistantEventHandler"):
        client.beta.threads.runs.stream("t", assistant_id="a", event_handler=AsyncRecorder())  # type: ignore[call-overload]
    with pytest.raises(InvalidRequestError, match="AsyncAssistantEventHandler"):
        aclient.beta.threads.create_and_run_stream(assistant_id="a", event_handler=Recorder())  # type: ignore[call-overload]
    with pytest.raises(InvalidRequestError, match="no event_handler"):
        openai_proto.api.beta.threads.runs.stream("t", assistant_id="a", event_handler=Recorder())  # type: ignore[call-arg]


def test_a_handler_serves_one_stream() -> None:
    body = sse_body(transcript("createRun"))
    client, transport = sync_client(memory_reply(body), memory_reply(body))
    handler = Recorder()
    with client.beta.threads.runs.stream("t", assistant_id="a", event_handler=handler) as h:
        h.until_done()
    with (
        pytest.raises(LocalProtocolError, match="one stream"),
        client.beta.threads.runs.stream("t", assistant_id="a", event_handler=handler),
    ):
        pass
    assert len(transport.requests) == 1  # refused before sending
    assert transport.open_responses == 0


class Unreadable:
    """A source that cannot be iterated, and records being closed."""

    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def test_a_source_the_handler_cannot_take_is_closed() -> None:
    from openai_proto.streams.assistants import AssistantStreamManager

    source = Unreadable()
    with pytest.raises(TypeError), AssistantStreamManager(lambda: source):  # type: ignore[arg-type,return-value]
        pass
    assert source.closed


@LOOPS
def test_an_async_source_the_handler_cannot_take_is_closed(loop: str) -> None:
    from openai_proto.streams.assistants import AsyncAssistantStreamManager

    source = Unreadable()

    async def main() -> None:
        async with AsyncAssistantStreamManager(lambda: source):  # type: ignore[arg-type]
            pass

    with pytest.raises(AttributeError):
        run(loop, main)
    assert source.closed


# -- openai_proto.api: the plan ---------------------------------------------------------------


def drive(plan_call: Any, body: bytes) -> list[Any]:
    """What a sans-IO user does with the bytes of the answer: the events' payloads."""
    decoder = EventStreamDecoder()
    return [*decoder.feed(body), *decoder.close()]


def test_chat_plan_is_the_call_and_a_configured_state() -> None:
    response_format = {"type": "json_object"}
    plan = openai_proto.api.chat.completions.stream(**CHAT, response_format=response_format)
    assert plan.call == openai_proto.api.chat.completions.create(
        **CHAT, response_format=response_format, stream=True
    )
    first, second = plan.new_state(), plan.new_state()
    assert isinstance(first, ChatCompletionStreamState)
    assert first is not second
    chunks: list[tuple[str | None, Any]] = [
        (None, {"object": "chat.completion.chunk", "id": "c", "choices": []})
    ]
    content = {"index": 0, "delta": {"content": '{"a": 1}'}, "finish_reason": "stop"}
    chunks.append((None, {"object": "chat.completion.chunk", "id": "c", "choices": [content]}))
    for payload in drive(plan.call, sse_body(chunks)):
        first.handle_chunk(payload.data)
    assert first.get_final_completion()["choices"][0]["message"]["parsed"] == {"a": 1}


def test_responses_plan_resumes_with_the_same_rules() -> None:
    events = numbered(transcript("createResponse"))
    plan = openai_proto.api.responses.stream(response_id="resp_1", starting_after=6)
    assert plan.call.query == {"stream": True}
    state = plan.new_state()
    assert isinstance(state, ResponseAccumulator)
    seen = [
        e.sequence_number for p in drive(plan.call, sse_body(events)) for e in state.feed(p.data)
    ]
    assert seen == [7, 8]
    with_snapshot = openai_proto.api.responses.stream(
        response_id="resp_1", starting_after=6, snapshot={"id": "resp_1", "status": "in_progress"}
    )
    assert with_snapshot.call.query == {"stream": True, "starting_after": 6}


def test_assistant_plans_fold_with_the_accumulator() -> None:
    events = transcript("createThreadAndRun")
    plan = openai_proto.api.beta.threads.create_and_run_stream(assistant_id="asst_123")
    assert plan.call.body == {"assistant_id": "asst_123", "stream": True}
    state = plan.new_state()
    assert isinstance(state, AssistantAccumulator)
    for payload in drive(plan.call, sse_body(events)):
        state.feed(payload.event, payload.data)
    assert state.messages[0]["id"] == "msg_001"
    outputs = openai_proto.api.beta.threads.runs.submit_tool_outputs_stream(
        "run_1", thread_id="t", tool_outputs=[]
    )
    assert outputs.call.path_params == {"thread_id": "t", "run_id": "run_1"}


# -- create(stream=True): typed events for every streamed endpoint ----------------------------


def typed_events(make: Callable[[Client], Any], events: list[Any]) -> list[Any]:
    client, transport = sync_client(memory_reply(sse_body(events), pieces=3))
    with make(client) as stream:
        result = list(stream)
    assert transport.open_responses == 0
    return result


def test_chat_chunks_are_models() -> None:
    from openai_proto.types import ChatCompletionChunk

    chunks = transcript("createChatCompletion")
    result = typed_events(lambda c: c.chat.completions.create(**CHAT, stream=True), chunks)
    assert all(type(chunk) is ChatCompletionChunk for chunk in result)
    assert [chunk.to_dict() for chunk in result] == [data for _, data in chunks]


def test_legacy_completions_chunks_are_models() -> None:
    from openai_proto.types import Completion

    chunk = {"id": "cmpl-1", "object": "text_completion", "created": 1, "model": "m"}
    chunks = [
        (None, {**chunk, "choices": [{"index": 0, "text": word, "finish_reason": None}]})
        for word in ("Hel", "lo")
    ]
    result = typed_events(
        lambda c: c.completions.create(model="m", prompt="p", stream=True), chunks
    )
    assert [type(r) for r in result] == [Completion, Completion]
    assert "".join(r.choices[0].text for r in result) == "Hello"


def test_responses_events_are_models_and_unknown_types_pass_through() -> None:
    events = transcript("createResponse")
    future = {"type": "response.future_thing.delta", "sequence_number": 99, "delta": "x"}
    result = typed_events(
        lambda c: c.responses.create(model="m", input="Hi", stream=True), [*events, (None, future)]
    )
    assert [type(r).__name__ for r in result[:2]] == [
        "ResponseCreatedEvent",
        "ResponseInProgressEvent",
    ]
    assert [r.type for r in result[:-1]] == [data["type"] for _, data in events]
    assert (
        result[-2].response.output_text
        == events[-1][1]["response"]["output"][0]["content"][0]["text"]
    )
    assert isinstance(result[-1], UnknownVariant)
    assert type(result[-1]).__name__ == "UnknownResponseStreamEvent"
    assert result[-1].raw == future


def test_assistant_events_carry_their_names() -> None:
    events = transcript("createThreadAndRun")
    future = ("thread.run.step.paused", {"id": "step_9", "object": "thread.run.step"})
    result = typed_events(
        lambda c: c.beta.threads.create_and_run(assistant_id="a", stream=True),
        [*events, future],
    )
    assert [r.event for r in result[:-1]] == [name for name, _ in events]
    assert [r.data.to_dict() for r in result[:-1]] == [data for _, data in events]
    names = {type(r).__name__ for r in result[:-1]}
    assert {"RunStreamEventThreadRunCreated", "MessageStreamEventThreadMessageDelta"} <= names
    assert type(result[0].data).__name__ == "Thread"
    assert type(result[-1]).__name__ == "UnknownAssistantStreamEvent"
    assert result[-1].raw == {"event": future[0], "data": future[1]}


def test_run_and_tool_output_streams_are_typed_too() -> None:
    runs = typed_events(
        lambda c: c.beta.threads.runs.create("thread_123", assistant_id="a", stream=True),
        transcript("createRun"),
    )
    assert type(runs[0]).__name__ == "RunStreamEventThreadRunCreated"
    assert runs[0].data.status == "queued"
    outputs = typed_events(
        lambda c: c.beta.threads.runs.submit_tool_outputs(
            "run_123", thread_id="thread_123", tool_outputs=[], stream=True
        ),
        transcript("submitToolOuputsToRun"),
    )
    assert outputs[0].event == "thread.run.step.completed"
    assert type(outputs[0].data).__name__ == "RunStep"


def test_transcription_events_are_models_and_unknown_types_pass_through() -> None:
    events = transcript("createTranscription")
    future = {"type": "transcript.text.future", "x": 1}
    result = typed_events(
        lambda c: c.audio.transcriptions.create(file=b"RIFF", model="m", stream=True),
        [*events, (None, future)],
    )
    assert type(result[0]).__name__ == "TranscriptTextDeltaEvent"
    assert type(result[-2]).__name__ == "TranscriptTextDoneEvent"
    assert "".join(r.delta for r in result[:-2]) == result[-2].text
    assert type(result[-1]).__name__ == "UnknownCreateTranscriptionResponseStreamEvent"
    assert result[-1].raw == future


@pytest.mark.parametrize(
    ("operation", "make", "names"),
    [
        (
            "createImage",
            lambda c: c.images.generate(prompt="p", stream=True),
            ["ImageGenPartialImageEvent", "ImageGenCompletedEvent", "UnknownImageGenStreamEvent"],
        ),
        (
            "createImageEdit",
            lambda c: c.images.edit(images=[], prompt="p", stream=True),
            [
                "ImageEditPartialImageEvent",
                "ImageEditCompletedEvent",
                "UnknownImageEditStreamEvent",
            ],
        ),
    ],
)
def test_image_events_are_models_and_unknown_types_pass_through(
    operation: str, make: Callable[[Client], Any], names: list[str]
) -> None:
    future = {"type": "image.future", "b64_json": "..."}
    result = typed_events(make, [*transcript(operation), (None, future)])
    assert [type(r).__name__ for r in result] == names
    assert result[-1].raw == future


@LOOPS
def test_async_typed_assistant_events(loop: str) -> None:
    events = transcript("createRun")
    client, transport = async_client(memory_reply(sse_body(events), pieces=5))

    async def main() -> list[Any]:
        stream = await client.beta.threads.runs.create("t", assistant_id="a", stream=True)
        async with stream:
            return [event.event async for event in stream]

    assert run(loop, main) == [name for name, _ in events]
    assert transport.open_responses == 0


class _nothing:
    """A context manager that does nothing (``contextlib.nullcontext`` with a precise type)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None
