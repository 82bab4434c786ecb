"""The chat completions accumulator and stream helpers: properties, examples, differential."""

from __future__ import annotations

import asyncio
import copy
import gc
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openai_proto.errors import (
    ContentFilterFinishReasonError,
    ContentParseError,
    InvalidRequestError,
    LengthFinishReasonError,
    LocalProtocolError,
    RemoteProtocolError,
)
from openai_proto.generated.models.chat import ChatCompletion, ChatCompletionChunk
from openai_proto.streams.chat import (
    CHAT_STREAM_TRANSITIONS,
    EVENT_TYPES,
    ChatCompletionStreamEvent,
    ChatCompletionStreamState,
    ChatStreamInput,
    ChatStreamState,
    ChunkEvent,
    ContentDeltaEvent,
    LogprobsContentDoneEvent,
    LogprobsRefusalDoneEvent,
    TypedChunkEvent,
    UnknownChunkEvent,
)
from openai_proto.streams.chat_stream import (
    AsyncChatCompletionStream,
    AsyncChatCompletionStreamManager,
    ChatCompletionStream,
    ChatCompletionStreamManager,
)
from openai_proto.structured import ParsedChatCompletion
from openai_proto.testing.strategies import json_values
from tests.streams.chat_streams import chunk_streams, completions

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "openapi" / "examples.json"
SCHEMA_FORMAT = {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}}


def chunk(*choices: Any, **fields: Any) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": list(choices),
        **fields,
    }


def choice(index: int = 0, finish_reason: Any = None, logprobs: Any = None, **delta: Any) -> Any:
    return {"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish_reason}


def fold(chunks: list[Any], **options: Any) -> tuple[ChatCompletionStreamState, list[Any]]:
    state = ChatCompletionStreamState(**options)
    events = [event for c in chunks for event in state.handle_chunk(c)]
    return state, events


def types(events: list[Any]) -> list[str]:
    return [event.type for event in events]


# -- properties -------------------------------------------------------------------------------


@given(st.data())
def test_accumulator_equals_the_non_streamed_completion(data: st.DataObject) -> None:
    completion = data.draw(completions())
    chunks = data.draw(chunk_streams(completion))
    state, events = fold(chunks)
    state.close()
    assert state.get_final_completion() == completion
    assert state.current_completion_snapshot == completion
    # every content delta's snapshot is the prefix so far; every done event is complete
    for event in events:
        if event.type == "content.delta":
            message = completion["choices"][event.choice_index]["message"]
            assert message["content"].startswith(event.snapshot)
            assert event.snapshot.endswith(event.delta)
        if event.type == "content.done":
            message = completion["choices"][event.choice_index]["message"]
            assert event.content == message["content"]


@given(st.data())
def test_chunking_does_not_change_the_result(data: st.DataObject) -> None:
    completion = data.draw(completions())
    first, _ = fold(data.draw(chunk_streams(completion)))
    second, _ = fold(data.draw(chunk_streams(completion)))
    assert first.get_final_completion() == second.get_final_completion()


@given(st.data())
def test_structured_output_parsed_grows_to_the_final_value(data: st.DataObject) -> None:
    value = data.draw(st.dictionaries(st.text("abc", min_size=1), st.integers() | st.text()))
    text = json.dumps(value)
    completion = data.draw(completions(max_choices=1))
    message = completion["choices"][0]["message"]
    message.update(content=text, refusal=None)
    message.pop("tool_calls", None)
    completion["choices"][0].update(finish_reason="stop", logprobs=None)
    state, events = fold(data.draw(chunk_streams(completion)), response_format=SCHEMA_FORMAT)
    done = [e for e in events if e.type == "content.done"]
    assert [e.parsed for e in done] == [value]
    for event in events:
        if event.type == "content.delta" and event.parsed is not None:
            assert set(event.parsed) <= set(value)
    final = state.get_final_completion()
    assert final["choices"][0]["message"]["parsed"] == value


@given(st.data())
def test_strict_tool_arguments_are_parsed(data: st.DataObject) -> None:
    completion = data.draw(completions(max_choices=2))
    names = {
        call["function"]["name"]
        for c in completion["choices"]
        for call in c["message"].get("tool_calls", [])
    }
    for c in completion["choices"]:
        c["finish_reason"] = "tool_calls" if c["message"].get("tool_calls") else "stop"
    tools = [{"type": "function", "function": {"name": n, "strict": True}} for n in names]
    # tool calls one after another, as the API sends them: a call's done event comes when
    # the next call starts, so an interleaved call would be parsed before it is complete
    chunks = data.draw(chunk_streams(completion, official_safe=True))
    state, events = fold(chunks, input_tools=tools)
    final = state.get_final_completion()
    for c in final["choices"]:
        for call in c["message"].get("tool_calls", []):
            function = call["function"]
            assert function["parsed_arguments"] == json.loads(function["arguments"])
    for event in events:
        if event.type == "tool_calls.function.arguments.done":
            assert event.parsed_arguments == json.loads(event.arguments)


STATE_SETUPS: dict[ChatStreamState, list[Any]] = {
    ChatStreamState.WAITING: [],
    ChatStreamState.STREAMING: [chunk(choice(content="a"))],
    ChatStreamState.CLOSED: [chunk(choice(content="a")), None],
    ChatStreamState.FAILED: [chunk(choice(content="a")), 42],
}
INPUT_EXAMPLES: dict[ChatStreamInput, Any] = {
    ChatStreamInput.CHUNK: chunk(choice(content="b")),
    ChatStreamInput.OTHER: {"object": "", "choices": [], "prompt_filter_results": []},
    ChatStreamInput.BAD: [1, 2],
    ChatStreamInput.END: None,
}


def reach(state: ChatStreamState) -> ChatCompletionStreamState:
    accumulator = ChatCompletionStreamState()
    for item in STATE_SETUPS[state]:
        try:
            if item is None:
                accumulator.close()
            else:
                accumulator.handle_chunk(item)
        except RemoteProtocolError:
            pass
    assert accumulator.state is state
    return accumulator


@given(st.sampled_from(list(ChatStreamState)), st.sampled_from(list(ChatStreamInput)))
def test_totality(state: ChatStreamState, kind: ChatStreamInput) -> None:
    accumulator = reach(state)
    item = INPUT_EXAMPLES[kind]
    row = CHAT_STREAM_TRANSITIONS.get((state, kind))
    try:
        if kind is ChatStreamInput.END:
            events = accumulator.close()
        else:
            events = accumulator.handle_chunk(item)
    except LocalProtocolError:
        assert row is None
        assert state is ChatStreamState.CLOSED
        return
    except RemoteProtocolError:
        assert kind is ChatStreamInput.BAD or state is ChatStreamState.FAILED
        assert accumulator.state is ChatStreamState.FAILED
        return
    assert row is not None
    assert accumulator.state is row[1]
    assert all(isinstance(event, ChatCompletionStreamEvent) for event in events)


def test_every_live_state_has_a_row_for_every_input() -> None:
    for state in (ChatStreamState.WAITING, ChatStreamState.STREAMING):
        for kind in ChatStreamInput:
            assert (state, kind) in CHAT_STREAM_TRANSITIONS


# -- merging rules ----------------------------------------------------------------------------


def test_event_order_of_the_documented_example() -> None:
    chunks = [
        chunk(choice(role="assistant", content="")),
        chunk(choice(content="Hel", logprobs={"content": [{"token": "Hel"}], "refusal": None})),
        chunk(choice(tool_calls=[{"index": 0, "id": "a", "type": "function",
                                  "function": {"name": "f", "arguments": "{"}}])),
        chunk(choice(tool_calls=[{"index": 0, "function": {"arguments": "}"}},
                                 {"index": 1, "id": "b", "type": "function",
                                  "function": {"name": "g", "arguments": "{}"}}])),
        chunk(choice(finish_reason="tool_calls")),
    ]  # fmt: skip
    _, events = fold(chunks)
    assert types(events) == [
        "chunk",
        "content.delta",
        "chunk",
        "content.delta",
        "logprobs.content.delta",
        "chunk",
        "tool_calls.function.arguments.delta",
        "content.done",
        "logprobs.content.done",
        "chunk",
        "tool_calls.function.arguments.delta",
        "tool_calls.function.arguments.delta",
        "tool_calls.function.arguments.done",
        "chunk",
        "tool_calls.function.arguments.done",
    ]
    dones = [e for e in events if e.type == "tool_calls.function.arguments.done"]
    assert [(e.index, e.name, e.arguments) for e in dones] == [(0, "f", "{}"), (1, "g", "{}")]


def test_choices_merge_by_index_not_position() -> None:
    chunks = [
        chunk(choice(1, content="one")),
        chunk(choice(0, content="zero"), choice(1, content="!")),
        chunk(choice(1, finish_reason="stop"), choice(0, finish_reason="length")),
    ]
    state, events = fold(chunks)
    final = state.get_final_completion()
    assert [(c["index"], c["message"]["content"]) for c in final["choices"]] == [
        (0, "zero"),
        (1, "one!"),
    ]
    assert [(e.type, e.choice_index) for e in events if e.type == "content.done"] == [
        ("content.done", 1),
        ("content.done", 0),
    ]


def test_tool_calls_merge_by_index_not_position() -> None:
    chunks = [
        chunk(choice(tool_calls=[{"index": 1, "function": {"name": "b", "arguments": "x"}}])),
        chunk(choice(tool_calls=[{"index": 0, "function": {"name": "a", "arguments": "y"}}])),
        chunk(choice(tool_calls=[{"index": 1, "function": {"arguments": "z"}}])),
    ]
    state, _ = fold(chunks)
    calls = state.current_completion_snapshot["choices"][0]["message"]["tool_calls"]
    assert calls == [
        {"function": {"name": "a", "arguments": "y"}},
        {"function": {"name": "b", "arguments": "xz"}},
    ]


def test_usage_and_fingerprint_are_never_erased() -> None:
    usage = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    chunks = [
        chunk(choice(content="a"), system_fingerprint="fp"),
        chunk(usage=usage, system_fingerprint="fp"),
        chunk(usage=None, system_fingerprint=None),
        chunk(),
    ]
    state, _ = fold(chunks)
    snapshot = state.current_completion_snapshot
    assert snapshot["usage"] == usage
    assert snapshot["system_fingerprint"] == "fp"


def test_numbers_and_booleans_are_never_summed() -> None:
    chunks = [
        chunk(choice(content="a", flag=True, count=2, audio={"expires_at": 5})),
        chunk(choice(content="b", flag=True, count=3, audio={"expires_at": 7})),
    ]
    state, _ = fold(chunks)
    message = state.current_completion_snapshot["choices"][0]["message"]
    assert message["flag"] is True
    assert message["count"] == 3
    assert message["audio"] == {"expires_at": 7}


def test_names_are_replaced_and_text_fields_appended() -> None:
    tool = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f"}}
    chunks = [
        chunk(choice(role="assistant", reasoning_content="Let", tool_calls=[tool])),
        chunk(choice(role="assistant", reasoning_content=" me", tool_calls=[tool])),
        chunk(choice(annotations=[{"type": "url_citation"}])),
        chunk(choice(annotations=[{"type": "url_citation", "n": 2}])),
    ]
    state, _ = fold(chunks)
    message = state.current_completion_snapshot["choices"][0]["message"]
    assert message["role"] == "assistant"
    assert message["reasoning_content"] == "Let me"
    assert message["tool_calls"] == [
        {"id": "call_1", "type": "function", "function": {"name": "f"}}
    ]
    assert message["annotations"] == [{"type": "url_citation"}, {"type": "url_citation", "n": 2}]


def test_first_chunk_fields_are_kept_and_obfuscation_dropped() -> None:
    state, _ = fold([chunk(choice(content="a"), obfuscation="pad"), {"choices": []}])
    snapshot = state.current_completion_snapshot
    assert snapshot["id"] == "c1"
    assert snapshot["model"] == "m"
    assert snapshot["object"] == "chat.completion"
    assert "obfuscation" not in snapshot


def test_azure_filter_pseudo_chunks_are_surfaced_not_merged() -> None:
    pseudo = {"object": "", "id": "", "choices": [], "prompt_filter_results": [{"x": 1}]}
    state, events = fold([pseudo, chunk(choice(content="a")), pseudo])
    assert types(events) == ["unknown_chunk", "chunk", "content.delta", "unknown_chunk"]
    assert isinstance(events[0], UnknownChunkEvent)
    assert events[0].chunk is pseudo
    assert "prompt_filter_results" not in state.current_completion_snapshot


def test_azure_choice_fields_take_the_latest_value() -> None:
    first = {"hate": {"filtered": False, "severity": "safe"}}
    later = {"hate": {"filtered": False, "severity": "low"}}
    chunks = [
        chunk({**choice(content="a"), "content_filter_results": first}),
        chunk({**choice(content="b"), "content_filter_results": later}),
        chunk({**choice(finish_reason="stop"), "content_filter_results": None}),
    ]
    state, _ = fold(chunks)
    assert state.current_completion_snapshot["choices"][0]["content_filter_results"] == later


def test_refusal_events() -> None:
    chunks = [
        chunk(choice(role="assistant", refusal="")),
        chunk(choice(refusal="No", logprobs={"content": None, "refusal": [{"token": "No"}]})),
        chunk(choice(finish_reason="stop")),
    ]
    _, events = fold(chunks)
    assert types(events) == [
        "chunk",
        "refusal.delta",
        "chunk",
        "refusal.delta",
        "logprobs.refusal.delta",
        "chunk",
        "refusal.done",
        "logprobs.refusal.done",
    ]
    assert events[3].snapshot == "No"
    assert events[4].snapshot == [{"token": "No"}]
    assert events[-2].refusal == "No"


def test_delta_event_snapshots_stay_as_they_were() -> None:
    _, events = fold([chunk(choice(content=piece)) for piece in ["ab", "cd", "ef"]])
    deltas = [e for e in events if isinstance(e, ContentDeltaEvent)]
    assert [e.snapshot for e in deltas] == ["ab", "abcd", "abcdef"]
    assert [e.snapshot for e in reversed(deltas)] == ["abcdef", "abcd", "ab"]


def test_chunk_event_snapshot_read_in_time_is_this_chunks() -> None:
    state = ChatCompletionStreamState()
    first = state.handle_chunk(chunk(choice(content="a")))[0]
    assert isinstance(first, ChunkEvent)
    assert first.snapshot["choices"][0]["message"]["content"] == "a"
    state.handle_chunk(chunk(choice(content="b")))
    assert first.snapshot["choices"][0]["message"]["content"] == "a"  # kept once read


def test_snapshot_before_any_chunk_is_an_error() -> None:
    with pytest.raises(LocalProtocolError):
        _ = ChatCompletionStreamState().current_completion_snapshot
    with pytest.raises(LocalProtocolError):
        ChatCompletionStreamState().get_final_completion()


def test_events_compare_and_show_their_fields() -> None:
    _, first = fold([chunk(choice(content="a"))])
    _, second = fold([chunk(choice(content="a"))])
    assert first == second
    assert repr(first[1]) == (
        "ContentDeltaEvent(choice_index=0, delta='a', snapshot='a', parsed=None)"
    )
    assert first[1].to_dict()["type"] == "content.delta"
    assert set(EVENT_TYPES) >= {"chunk", "content.delta", "logprobs.refusal.done"}


# -- parsing and finish reasons ---------------------------------------------------------------


def test_partial_parsed_values_show_trailing_strings() -> None:
    pieces = ['{"title": "Str', 'eaming", "pages": 1', "2}"]
    chunks = [chunk(choice(content=p)) for p in pieces]
    chunks.append(chunk(choice(finish_reason="stop")))
    state, events = fold(chunks, response_format=SCHEMA_FORMAT, parse=lambda v: ("T", v))
    parsed = [e.parsed for e in events if e.type in ("content.delta", "content.done")]
    assert parsed == [
        {"title": "Str"},
        {"title": "Streaming"},
        {"title": "Streaming", "pages": 12},
        ("T", {"title": "Streaming", "pages": 12}),
    ]
    assert state.get_final_completion()["choices"][0]["message"]["parsed"][0] == "T"


def test_parsed_is_none_until_the_value_starts_and_without_a_format() -> None:
    _, events = fold([chunk(choice(content="  "))], response_format={"type": "json_object"})
    assert events[1].parsed is None
    _, events = fold([chunk(choice(content="{}"))], response_format={"type": "text"})
    assert events[1].parsed is None


def test_class_response_format_parses_too() -> None:
    class Answer:
        pass

    _, events = fold([chunk(choice(content="[1]", finish_reason="stop"))], response_format=Answer)
    assert events[-1].parsed == [1]


def test_bad_json_content_is_the_models_error() -> None:
    state = ChatCompletionStreamState(response_format=SCHEMA_FORMAT)
    with pytest.raises(RemoteProtocolError):
        state.handle_chunk(chunk(choice(content="{nope")))
    assert state.state is ChatStreamState.FAILED
    with pytest.raises(RemoteProtocolError):
        state.handle_chunk(chunk(choice(content="}")))


def test_truncated_json_fails_at_done() -> None:
    state = ChatCompletionStreamState(response_format=SCHEMA_FORMAT)
    state.handle_chunk(chunk(choice(content='{"a": ')))
    with pytest.raises(RemoteProtocolError):
        state.handle_chunk(chunk(choice(finish_reason="stop")))


@pytest.mark.parametrize(
    ("reason", "error"),
    [("length", LengthFinishReasonError), ("content_filter", ContentFilterFinishReasonError)],
)
def test_early_stop_raises_only_when_parsing(reason: str, error: type[Exception]) -> None:
    chunks = [chunk(choice(content='{"a"')), chunk(choice(finish_reason=reason))]
    plain, _ = fold(chunks)
    assert plain.get_final_completion()["choices"][0]["finish_reason"] == reason
    state = ChatCompletionStreamState(response_format=SCHEMA_FORMAT)
    state.handle_chunk(chunks[0])
    with pytest.raises(error):
        state.handle_chunk(chunks[1])
    with pytest.raises(error):
        state.get_final_completion()
    tools = [{"type": "function", "function": {"name": "f", "strict": True}}]
    with_tools = ChatCompletionStreamState(input_tools=tools)
    with_tools.handle_chunk(chunks[0])
    with pytest.raises(error):
        with_tools.handle_chunk(chunks[1])


def test_non_strict_tools_are_not_parsed() -> None:
    tools = [{"type": "function", "function": {"name": "f"}}]
    call = {"index": 0, "id": "x", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    state, events = fold(
        [chunk(choice(tool_calls=[call])), chunk(choice(finish_reason="tool_calls"))],
        input_tools=tools,
    )
    assert events[-1].parsed_arguments is None
    final = state.get_final_completion()
    assert "parsed_arguments" not in final["choices"][0]["message"]["tool_calls"][0]["function"]


def test_parse_arguments_hook_gets_the_name() -> None:
    tools = [{"type": "function", "function": {"name": "f", "strict": True}}]
    call = {"index": 0, "function": {"name": "f", "arguments": '{"a": 1}'}}
    _, events = fold(
        [chunk(choice(tool_calls=[call])), chunk(choice(finish_reason="tool_calls"))],
        input_tools=tools,
        parse_arguments=lambda name, value: (name, value),
    )
    assert events[-1].parsed_arguments == ("f", {"a": 1})


def test_custom_tool_calls_are_kept() -> None:
    call = {"index": 0, "id": "x", "type": "custom", "custom": {"name": "c", "input": "ab"}}
    more = {"index": 0, "custom": {"input": "cd"}}
    state, events = fold([chunk(choice(tool_calls=[call])), chunk(choice(tool_calls=[more]))])
    calls = state.get_final_completion()["choices"][0]["message"]["tool_calls"]
    assert calls == [{"id": "x", "type": "custom", "custom": {"name": "c", "input": "abcd"}}]
    assert "tool_calls.function.arguments.delta" not in types(events)


def test_get_final_completion_decodes_into_a_type() -> None:
    import attrs

    from openai_proto.models import Model, field

    @attrs.define
    class Completion(Model):
        id: Any = field(default=None)

    state, _ = fold([chunk(choice(content="a"))])
    assert state.get_final_completion(Completion).id == "c1"


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "text",
        chunk(choices="x"),
        chunk("x"),
        chunk({"delta": {}}),
        chunk({"index": True, "delta": {}}),
        chunk({"index": 0, "delta": []}),
        chunk(choice(content=5)),
        chunk(choice(refusal=["x"])),
        chunk(choice(tool_calls={"index": 0})),
        chunk(choice(tool_calls=[{"id": "no index"}])),
        chunk({"index": 0, "delta": {}, "logprobs": "x"}),
        chunk({"index": 0, "delta": {}, "logprobs": {"content": "x"}}),
    ],
)
def test_bad_chunks_raise_our_protocol_error(bad: Any) -> None:
    state = ChatCompletionStreamState()
    with pytest.raises(RemoteProtocolError):
        state.handle_chunk(bad)
    assert state.state is ChatStreamState.FAILED


def test_closed_state_refuses_chunks() -> None:
    state, _ = fold([chunk(choice(content="a"))])
    state.close()
    with pytest.raises(LocalProtocolError):
        state.handle_chunk(chunk())
    assert state.get_final_completion()["choices"][0]["message"]["content"] == "a"


# -- documented transcripts -------------------------------------------------------------------


def chat_transcripts() -> list[Any]:
    if not EXAMPLES.exists():
        return []
    records = json.loads(EXAMPLES.read_text())
    return [r for r in records if r["path"] == "/chat/completions" and r.get("response_events")]


@pytest.mark.skipif(not chat_transcripts(), reason="examples.json not available")
def test_documented_transcripts_replay() -> None:
    for record in chat_transcripts():
        state, events = fold(record["response_events"])
        final = state.get_final_completion()
        expected = record.get("response_json_or_null")
        if expected is not None:
            assert final == expected
        assert final["object"] == "chat.completion"
        assert final["choices"][0]["message"]["content"] == "Hello"
        assert final["choices"][0]["finish_reason"] == "stop"
        assert final["system_fingerprint"] == "fp_44709d6fcb"
        assert types(events).count("content.done") == 1


# -- stream helpers ---------------------------------------------------------------------------


class Source:
    """An iterable of chunks that records being closed."""

    def __init__(self, chunks: list[Any]) -> None:
        self.chunks = chunks
        self.closed = 0

    def __iter__(self) -> Iterator[Any]:
        return iter(self.chunks)

    def close(self) -> None:
        self.closed += 1


class AsyncSource(Source):
    async def __aiter__(self) -> AsyncIterator[Any]:
        for item in self.chunks:
            await asyncio.sleep(0)
            yield item

    async def aclose(self) -> None:
        self.closed += 1


STREAM = [chunk(choice(content="He")), chunk(choice(content="llo", finish_reason="stop"))]


def test_stream_helper_until_done_and_final() -> None:
    source = Source(STREAM)
    with ChatCompletionStream(source) as stream:
        assert types(list(stream))[-1] == "content.done"
        assert stream.current_completion_snapshot.choices[0].message.content == "Hello"
    assert source.closed == 1
    assert stream.get_final_completion().choices[0].message.content == "Hello"
    assert stream.state.state is ChatStreamState.CLOSED
    # the dicts stay available from the state
    assert stream.state.current_completion_snapshot["choices"][0]["message"]["content"] == "Hello"


def test_stream_helper_gives_models_decoded_when_read() -> None:
    events = list(ChatCompletionStream(STREAM))
    first, second = (e for e in events if e.type == "chunk")
    assert isinstance(first, TypedChunkEvent)
    assert isinstance(first, ChunkEvent)
    assert first._chunk is STREAM[0]  # nothing decoded before it is read
    assert isinstance(first.chunk, ChatCompletionChunk)
    assert first.chunk is first.chunk  # decoded once, then kept
    assert first.chunk.to_dict() == STREAM[0]
    assert second.snapshot.choices[0].message.content == "Hello"
    assert isinstance(second.snapshot, ChatCompletion)


def test_stream_helper_refuses_a_plain_state() -> None:
    with pytest.raises(InvalidRequestError, match="typed=True"):
        ChatCompletionStream(STREAM, state=ChatCompletionStreamState())
    typed = ChatCompletionStreamState(typed=True)
    stream = ChatCompletionStream(STREAM, state=typed)
    assert stream.get_final_completion().choices[0].message.content == "Hello"


def test_leaving_early_closes_the_source() -> None:
    source = Source(STREAM)
    with ChatCompletionStreamManager(lambda: source) as stream:
        next(stream)
    assert source.closed == 1
    assert list(stream) == []


def test_stream_helper_turns_models_into_dicts() -> None:
    class Model:
        def __init__(self, data: dict[str, Any]) -> None:
            self.data = data

        def to_dict(self) -> dict[str, Any]:
            return copy.deepcopy(self.data)

    final = ChatCompletionStream([Model(c) for c in STREAM]).get_final_completion()
    assert final.choices[0].message.content == "Hello"


def test_async_stream_helper() -> None:
    async def main() -> None:
        source = AsyncSource(STREAM)
        async with AsyncChatCompletionStreamManager(lambda: source) as stream:
            seen = [event.type async for event in stream]
        assert seen[-1] == "content.done"
        assert source.closed == 1
        final = await stream.get_final_completion()
        assert final.choices[0].message.content == "Hello"

        async def opening() -> AsyncSource:
            return early

        early = AsyncSource(STREAM)
        async with AsyncChatCompletionStreamManager(opening()) as stream:
            await stream.__anext__()
        assert early.closed == 1

        plain = AsyncChatCompletionStream(AsyncSource(STREAM))
        await plain.until_done()
        assert plain.current_completion_snapshot.choices[0].finish_reason == "stop"

    asyncio.run(main())


def test_a_parse_hook_that_raises_fails_the_state() -> None:
    """A ContentParseError from the ``parse`` hook (content of the wrong shape) fails the
    state like any other error: the done event it was making is not half given."""

    def parse(value: Any) -> Any:
        raise ContentParseError("expected a string, got integer", value, "title")

    state = ChatCompletionStreamState(response_format=SCHEMA_FORMAT, parse=parse)
    state.handle_chunk(chunk(choice(content='{"title": 1')))
    with pytest.raises(ContentParseError, match="title"):
        state.handle_chunk(chunk(choice(content="}", finish_reason="stop")))
    assert state.state is ChatStreamState.FAILED
    for again in (
        lambda: state.handle_chunk(chunk(choice(content=" "))),
        state.close,
        state.get_final_completion,
    ):
        with pytest.raises(ContentParseError, match="title"):
            again()


def test_an_arguments_hook_that_raises_fails_the_state() -> None:
    tools = [{"type": "function", "function": {"name": "f", "strict": True}}]

    def parse_arguments(name: str, value: Any) -> Any:
        raise ContentParseError("missing key 'city'", value)

    state = ChatCompletionStreamState(input_tools=tools, parse_arguments=parse_arguments)
    call = {"index": 0, "id": "call_1", "type": "function"}
    function = {"name": "f", "arguments": "{}"}
    state.handle_chunk(chunk(choice(tool_calls=[{**call, "function": function}])))
    with pytest.raises(ContentParseError):
        state.handle_chunk(chunk(choice(finish_reason="tool_calls")))
    assert state.state is ChatStreamState.FAILED


def test_typed_state_final_completion_always_has_parsed_fields() -> None:
    call = {"index": 0, "id": "call_1", "type": "function"}
    state = ChatCompletionStreamState(typed=True)
    for c in [
        chunk(choice(content="Hi")),
        chunk(choice(tool_calls=[{**call, "function": {"name": "f", "arguments": "{}"}}])),
        chunk(choice(finish_reason="tool_calls")),
    ]:
        state.handle_chunk(c)
    final = state.get_final_completion()
    assert isinstance(final, ParsedChatCompletion)
    message = final.choices[0].message
    assert (message.content, message.parsed) == ("Hi", None)
    assert message.tool_calls[0].function.parsed_arguments is None  # type: ignore[index, union-attr]
    # the plain state gives the dict, without the fields nothing asked for
    plain = ChatCompletionStreamState()
    plain.handle_chunk(chunk(choice(content="Hi", finish_reason="stop")))
    assert "parsed" not in plain.get_final_completion()["choices"][0]["message"]


@pytest.mark.parametrize(
    ("reason", "error"),
    [("length", LengthFinishReasonError), ("content_filter", ContentFilterFinishReasonError)],
)
def test_typed_state_finish_errors_hold_a_model(reason: str, error: type[Exception]) -> None:
    state = ChatCompletionStreamState(response_format=SCHEMA_FORMAT, typed=True)
    with pytest.raises(error) as raised:
        state.handle_chunk(chunk(choice(content='{"a', finish_reason=reason)))
    held = raised.value.completion  # type: ignore[attr-defined]
    assert isinstance(held, ParsedChatCompletion)
    assert held.choices[0].finish_reason == reason
    assert held.choices[0].message.content == '{"a'


# -- logprobs: kept compactly, given back exactly ---------------------------------------------

logprob_items = st.lists(json_values(max_leaves=6), max_size=4)


def logprobs_chunks(pieces: list[list[Any]], key: str = "content") -> list[Any]:
    """One chunk per piece of logprobs (``key``: ``content`` or ``refusal``), then a stop."""
    delta: dict[str, Any] = {key: "x"}
    chunks = [chunk(choice(logprobs={key: piece}, **delta)) for piece in pieces]
    return [*chunks, chunk(choice(finish_reason="stop"))]


@given(st.lists(logprob_items, min_size=1, max_size=6), st.sampled_from(["content", "refusal"]))
def test_logprobs_come_back_exactly_as_sent(pieces: list[list[Any]], key: str) -> None:
    # any JSON values: key order, int / float / bool, nesting all survive the state's storage
    sent = [item for piece in pieces for item in piece]
    state, events = fold(copy.deepcopy(logprobs_chunks(pieces, key)))
    got = state.current_completion_snapshot["choices"][0]["logprobs"][key]
    assert json.dumps(got) == json.dumps(sent)
    deltas = [e for e in events if e.type == f"logprobs.{key}.delta"]
    assert [getattr(e, key) for e in deltas] == [piece for piece in pieces if piece]
    # read in reverse: each delta's snapshot is the list up to that event
    seen = len(sent)
    for event in reversed(deltas):
        assert json.dumps(event.snapshot) == json.dumps(sent[:seen])
        seen -= len(getattr(event, key))
    (done,) = [e for e in events if e.type == f"logprobs.{key}.done"]
    assert json.dumps(getattr(done, key)) == json.dumps(sent)


def test_logprobs_that_are_not_json_values_are_kept_as_they_are() -> None:
    odd = object()
    state, events = fold(logprobs_chunks([[{"token": "a"}], [odd]]))
    content = state.current_completion_snapshot["choices"][0]["logprobs"]["content"]
    assert content[0] == {"token": "a"}
    assert content[1] is odd
    assert [e.snapshot for e in events if e.type == "logprobs.content.delta"][1][1] is odd


def test_done_events_made_from_a_list_or_from_the_state_are_equal() -> None:
    items = [{"token": "a", "logprob": -0.5, "bytes": [97], "top_logprobs": []}]
    _, events = fold(logprobs_chunks([items]))
    (done,) = [e for e in events if e.type == "logprobs.content.done"]
    assert done == LogprobsContentDoneEvent(0, items)
    assert repr(done) == repr(LogprobsContentDoneEvent(0, items))
    assert LogprobsRefusalDoneEvent(1, items).to_dict() == {
        "type": "logprobs.refusal.done", "choice_index": 1, "refusal": items,
    }  # fmt: skip


def streamed_logprobs(count: int) -> Iterator[Any]:
    """A text stream with three top logprobs per token, each chunk a fresh dict (as
    ``json.loads`` makes them, and drops them)."""
    for number in range(count):
        token = f"t{number % 50}"
        tops = [
            {"token": token + s, "logprob": -1.0, "bytes": list((token + s).encode())}
            for s in ("", "s", "ed")
        ]
        item = {
            "token": token,
            "logprob": -0.5,
            "bytes": list(token.encode()),
            "top_logprobs": tops,
        }
        yield chunk(choice(content=token, logprobs={"content": [item], "refusal": None}))
    yield chunk(choice(finish_reason="stop"))


def test_a_long_logprobs_stream_leaves_nothing_for_the_collector_to_walk() -> None:
    # Every logprob is nine dicts and lists; kept as they came, a long stream made every
    # full collection walk all of them (the cost per chunk grew with the stream).
    fold(list(streamed_logprobs(10)))  # warm up: first-use caches
    gc.collect()
    before = len(gc.get_objects())
    state = ChatCompletionStreamState()
    for c in streamed_logprobs(3000):
        state.handle_chunk(c)
    gc.collect()
    grown = len(gc.get_objects()) - before
    assert grown < 100  # kept as they came: 27,000 more
    content = state.get_final_completion()["choices"][0]["logprobs"]["content"]
    assert content == [c["choices"][0]["logprobs"]["content"][0]
                       for c in list(streamed_logprobs(3000))[:-1]]  # fmt: skip


def drifted_logprobs() -> st.SearchStrategy[Any]:
    """Logprobs lists as the API sends them, or drifted (unknown keys, odd types)."""
    from openai_proto.generated.models.chat import ChatCompletionTokenLogprob
    from openai_proto.testing.strategies import drifted_json

    return st.lists(drifted_json(ChatCompletionTokenLogprob, max_depth=3), max_size=3)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.data())
def test_typed_final_equals_decoding_the_final_dict(data: st.DataObject) -> None:
    # the typed final decodes kept logprobs piece by piece; decoding the whole dict (the
    # path any other as_type takes) must give the same model
    completion = data.draw(completions())
    chunks = data.draw(chunk_streams(completion))
    for entry in chunks:
        for c in entry.get("choices", ()):
            logprobs = c.get("logprobs")
            if logprobs and data.draw(st.booleans()):
                logprobs["content"] = data.draw(drifted_logprobs())
    reads = data.draw(st.sets(st.integers(0, len(chunks) - 1)))
    typed = ChatCompletionStreamState(typed=True)
    whole = ChatCompletionStreamState(typed=True)
    for number, c in enumerate(chunks):
        typed.handle_chunk(copy.deepcopy(c))
        whole.handle_chunk(copy.deepcopy(c))
        if number in reads:  # some logprobs read back (and kept) before the end
            _ = typed.current_completion_snapshot
    final = typed.get_final_completion()
    expected = whole.get_final_completion(as_type=ParsedChatCompletion)
    assert final == expected
    assert final.to_json() == expected.to_json()


# -- cost -------------------------------------------------------------------------------------


def structured_chunks(count: int) -> list[Any]:
    items = ",".join(f'{{"id": {i}, "name": "item {i}"}}' for i in range(count))
    text = '{"items": [' + items + "]}"
    pieces = [text[i : i + 4] for i in range(0, len(text), 4)][:count]
    pieces[-1] += text[4 * count :]
    return [chunk(choice(content=p)) for p in pieces] + [chunk(choice(finish_reason="stop"))]


def consume(chunks: list[Any]) -> float:
    started = time.perf_counter()
    state = ChatCompletionStreamState(response_format=SCHEMA_FORMAT)
    for c in chunks:
        for event in state.handle_chunk(c):
            if event.type == "content.delta":
                _ = event.parsed, event.snapshot
    state.get_final_completion()
    return time.perf_counter() - started


def test_cost_grows_linearly_even_reading_parsed_on_every_event() -> None:
    small, large = structured_chunks(1000), structured_chunks(16000)
    ratio = min(consume(large) for _ in range(3)) / min(consume(small) for _ in range(3))
    assert ratio < 16 * 2.5  # quadratic growth would be about 256


# -- differential against the official SDK ----------------------------------------------------

openai = pytest.importorskip("openai")

# Deliberate differences from the official SDK, left out of the comparison:
# - Events carry `choice_index`, and non-chunks come out as `unknown_chunk` events (the
#   official helper drops them; its state class would merge them).
# - `parsed` / `parsed_arguments` on delta events: ours shows unfinished strings and hides
#   unfinished numbers (docs/partial-json.md); jiter's partial mode does the opposite.
# - Final completion: ours is the plain completion dict (message keys `role`, `content`,
#   `refusal`, `tool_calls`; no `index` on tool calls; no `None` for fields never sent),
#   and custom tool calls are kept (the official drops them).
# - `usage` / `system_fingerprint`: a later `null` does not erase them (the official one
#   overwrites with every chunk); the generated streams below send no such `null` so the
#   two agree.
# - Finish reasons `length` / `content_filter` raise only when something is parsed (the
#   official `get_final_completion()` always raises): those streams are compared with
#   parsing on, where both raise, or not run through `get_final_completion()`.
# - Streams the official SDK mishandles are not generated: choices or tool calls first
#   appearing out of index order (it merges by position), interleaved tool calls.


def official_final(state: Any) -> Any:
    return normalise(state.current_completion_snapshot.model_dump(mode="json"))


def normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: normalise(v)
            for k, v in value.items()
            if v is not None and k not in ("parsed", "parsed_arguments", "index")
        }
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


def comparable(event: Any) -> Any:
    fields = {
        "chunk": (),
        "content.delta": ("delta", "snapshot"),
        "content.done": ("content",),
        "refusal.delta": ("delta", "snapshot"),
        "refusal.done": ("refusal",),
        "tool_calls.function.arguments.delta": ("name", "index", "arguments", "arguments_delta"),
        "tool_calls.function.arguments.done": ("name", "index", "arguments", "parsed_arguments"),
        "logprobs.content.delta": ("content", "snapshot"),
        "logprobs.content.done": ("content",),
        "logprobs.refusal.delta": ("refusal", "snapshot"),
        "logprobs.refusal.done": ("refusal",),
    }[event.type]
    values = []
    for name in fields:
        value = getattr(event, name)
        if isinstance(value, list):
            value = [v if isinstance(v, dict) else v.model_dump(mode="json") for v in value]
        values.append(normalise(value))
    return (event.type, *values)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.data())
def test_agrees_with_the_official_sdk(data: st.DataObject) -> None:
    from openai.lib.streaming.chat import ChatCompletionStreamState as Official
    from openai.types.chat import ChatCompletionChunk

    completion = data.draw(completions())
    for c in completion["choices"]:
        if c["finish_reason"] in ("length", "content_filter"):
            c["finish_reason"] = "stop"
    names = sorted(
        {call["function"]["name"] for c in completion["choices"]
         for call in c["message"].get("tool_calls", [])}
    )  # fmt: skip
    tools = [
        {"type": "function", "function": {"name": n, "parameters": {}, "strict": True}}
        for n in names
    ]
    chunks = data.draw(chunk_streams(completion, official_safe=True))
    ours, our_events = fold(chunks, input_tools=tools)
    official = Official(input_tools=cast(Any, tools))
    their_events: list[Any] = []
    for c in chunks:
        their_events.extend(official.handle_chunk(ChatCompletionChunk.model_validate(c)))
    assert [comparable(e) for e in our_events] == [comparable(e) for e in their_events]
    assert normalise(ours.get_final_completion()) == official_final(official)
    assert normalise(ours.current_completion_snapshot) == normalise(completion)


def test_agrees_with_the_official_sdk_on_structured_output() -> None:
    from openai.lib.streaming.chat import ChatCompletionStreamState as Official
    from openai.types.chat import ChatCompletionChunk
    from pydantic import BaseModel

    class Answer(BaseModel):
        title: str
        pages: int

    pieces = ['{"title": "Str', 'eaming", "pag', 'es": 12}']
    chunks = [chunk(choice(content=p)) for p in pieces] + [chunk(choice(finish_reason="stop"))]
    _, ours = fold(chunks, response_format=SCHEMA_FORMAT, parse=Answer.model_validate)
    official = Official(response_format=Answer)
    theirs: list[Any] = [e for c in chunks for e in official.handle_chunk(ChatCompletionChunk(**c))]
    assert types(ours) == types(theirs)
    assert ours[-1].parsed == theirs[-1].parsed == Answer(title="Streaming", pages=12)


def test_text_after_a_done_event_is_the_servers_error() -> None:
    # found by atheris: arguments for a tool call whose done event was already given
    tools = [{"type": "function", "function": {"name": "f", "strict": True}}]
    state = ChatCompletionStreamState(input_tools=tools)
    state.handle_chunk(chunk(choice(tool_calls=[{"index": 0, "function": {"name": "f"}}])))
    state.handle_chunk(chunk(choice(tool_calls=[{"index": 0, "function": {"arguments": "{}"}}])))
    state.handle_chunk(chunk(choice(tool_calls=[{"index": 1, "function": {"name": "g"}}])))
    again = [{"index": 0, "function": {"arguments": " "}}]
    with pytest.raises(RemoteProtocolError, match=r"after its arguments\.done"):
        state.handle_chunk(chunk(choice(tool_calls=again)))
    parsing = ChatCompletionStreamState(response_format={"type": "json_object"})
    parsing.handle_chunk(chunk(choice(content="{}", finish_reason="stop")))
    with pytest.raises(RemoteProtocolError, match=r"after its content\.done"):
        parsing.handle_chunk(chunk(choice(content=" ")))
    plain, _ = fold([chunk(choice(content="a", finish_reason="stop")), chunk(choice(content="b"))])
    assert plain.current_completion_snapshot["choices"][0]["message"]["content"] == "ab"
