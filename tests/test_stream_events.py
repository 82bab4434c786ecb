"""From SSE events to JSON payloads: decode_event's rules and the EventStreamDecoder."""

from __future__ import annotations

import enum
import json
import sys
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz.targets import bytewise, outcome
from openai_proto.errors import LocalProtocolError, RemoteProtocolError, StreamError
from openai_proto.sse import ServerSentEvent, SSEDecoder
from openai_proto.streams import (
    Done,
    Empty,
    EventStreamDecoder,
    EventStreamState,
    Payload,
    StreamItem,
    decode_event,
)
from openai_proto.streams.events import (
    EVENT_STREAM_TRANSITIONS,
    EventStreamInput,
    is_error_payload,
)
from tests.test_sse import STREAMS, chunked


def event(data: str, name: str | None = None) -> ServerSentEvent:
    return ServerSentEvent(event=name, data=data)


def stream_error(sse: ServerSentEvent) -> StreamError:
    with pytest.raises(StreamError) as caught:
        decode_event(sse)
    return caught.value


def state_of(decoder: EventStreamDecoder) -> enum.Enum:
    """The state, read through a call (so mypy does not keep an earlier narrowing)."""
    return decoder.state


# -- decode_event ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sse", [event("[DONE]"), event("[DONE]", "done"), event("[DONE] "), event("[DONE]", "error")]
)
def test_done(sse: ServerSentEvent) -> None:
    assert decode_event(sse) == Done()


@pytest.mark.parametrize("name", [None, "ping", "keepalive"])
def test_empty_data_is_empty(name: str | None) -> None:
    assert decode_event(event("", name)) == Empty(name)


@pytest.mark.parametrize(
    ("data", "value"),
    [
        ('{"id": "chatcmpl-1", "choices": []}', {"id": "chatcmpl-1", "choices": []}),
        ("[1, 2]", [1, 2]),
        ('"text"', "text"),
        ("12", 12),
        ("null", None),
    ],
)
def test_json_data_is_a_payload(data: str, value: object) -> None:
    assert decode_event(event(data)) == Payload(None, value)


def test_event_name_is_kept() -> None:
    sse = event('{"id": "run_1", "object": "thread.run"}', "thread.run.created")
    assert decode_event(sse) == Payload(
        "thread.run.created", {"id": "run_1", "object": "thread.run"}
    )


def test_invalid_json_is_a_remote_protocol_error_showing_the_data() -> None:
    with pytest.raises(
        RemoteProtocolError, match=r"data of event 'x' is not valid JSON .*'\{oops'"
    ):
        decode_event(event("{oops", "x"))


def test_long_invalid_json_is_shown_truncated() -> None:
    data = "{" + "a" * 5000
    with pytest.raises(RemoteProtocolError) as caught:
        decode_event(event(data))
    message = str(caught.value)
    assert "a" * 199 + "..." in message
    assert len(message) < 400


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("[" * 100_000, "nested too deeply"),
        ("{'a': 1}", "Expecting property name"),
        (" ", "Expecting value"),
    ],
)
def test_json_the_parser_refuses_is_a_remote_protocol_error(data: str, reason: str) -> None:
    with pytest.raises(RemoteProtocolError, match=reason):
        decode_event(event(data))


@pytest.mark.skipif(
    not hasattr(sys, "set_int_max_str_digits"), reason="no integer digit limit before 3.10.7"
)
def test_integer_over_the_digit_limit_is_a_remote_protocol_error() -> None:
    with pytest.raises(RemoteProtocolError, match="digits"):
        decode_event(event("1" * (sys.get_int_max_str_digits() + 1)))


def test_chat_style_error_raises_stream_error() -> None:
    data = {
        "error": {"message": "Overloaded", "code": "overloaded", "param": "p", "type": "server"}
    }
    error = stream_error(event(json.dumps(data)))
    assert (error.message, error.code, error.param, error.type) == (
        "Overloaded",
        "overloaded",
        "p",
        "server",
    )
    assert error.body == data["error"]
    assert str(error) == "Overloaded"


def test_error_that_is_a_string() -> None:
    error = stream_error(event('{"error": "rate limited", "code": 429}'))
    assert (error.message, error.code) == ("rate limited", "429")


def test_error_without_message_shows_the_object() -> None:
    error = stream_error(event('{"error": {"code": "x"}}'))
    assert error.message == 'The stream reported an error: {"code": "x"}'
    assert error.code == "x"


@pytest.mark.parametrize("value", ["null", "{}", '""', "false", "[]"])
def test_falsy_error_key_is_an_ordinary_payload(value: str) -> None:
    data = f'{{"id": 1, "error": {value}}}'
    assert decode_event(event(data)) == Payload(None, json.loads(data))


def test_responses_error_event_raises_stream_error() -> None:
    data = json.dumps(
        {
            "type": "error",
            "code": "server_error",
            "message": "boom",
            "param": None,
            "sequence_number": 3,
        }
    )
    error = stream_error(event(data, "error"))
    assert (error.message, error.code, error.param, error.type) == (
        "boom",
        "server_error",
        None,
        "error",
    )
    assert error.body == json.loads(data)
    assert stream_error(event(data)).code == "server_error"  # also without the event name


def test_typed_error_event_with_nested_error_object() -> None:
    data = '{"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}'
    error = stream_error(event(data))
    assert (error.message, error.type) == ("busy", "overloaded_error")


def test_typed_event_carrying_an_error_field_is_an_ordinary_payload() -> None:
    data = {"type": "response.steer.failed", "error": {"code": "invalid_input", "message": "m"}}
    assert decode_event(event(json.dumps(data))) == Payload(None, data)


@pytest.mark.parametrize(
    ("data", "message", "code"),
    [
        ('{"code": "server_error", "message": "Sorry"}', "Sorry", "server_error"),
        ('{"error": {"message": "inner", "code": "c"}}', "inner", "c"),
        ("upstream went away", "The stream reported an error: upstream went away", None),
        ("", "The stream reported an error without details.", None),
        ("[1]", "The stream reported an error: [1]", None),
    ],
)
def test_event_named_error_raises_whatever_its_data(
    data: str, message: str, code: str | None
) -> None:
    error = stream_error(event(data, "error"))
    assert (error.message, error.code) == (message, code)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        max_leaves=8,
    )
)
def test_is_error_payload_never_fails(value: Any) -> None:
    expected = isinstance(value, dict) and (
        value["type"] == "error" if "type" in value else bool(value.get("error"))
    )
    assert is_error_payload(value) is expected


# -- EventStreamDecoder ------------------------------------------------------------------

CHAT = (
    b'data: {"id": "c1", "choices": [{"index": 0, "delta": {"content": "Hi"}}]}\n\n'
    b": keep-alive\n\n"
    b"event: ping\ndata:\n\n"
    b'data: {"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}\n\n'
    b"data: [DONE]\n\n"
)


def test_chat_stream() -> None:
    decoder = EventStreamDecoder()
    payloads = decoder.feed(CHAT)
    assert [p.data["choices"][0]["delta"] for p in payloads] == [{"content": "Hi"}, {}]
    assert all(p.event is None for p in payloads)
    assert decoder.done
    assert decoder.state is EventStreamState.DONE
    assert decoder.close() == []
    assert state_of(decoder) is EventStreamState.CLOSED
    assert decoder.done


def test_bytes_after_done_are_ignored_even_bad_ones() -> None:
    decoder = EventStreamDecoder(max_line_bytes=64)
    assert decoder.feed(b"data: [DONE]\n\ndata: {bad json\n\n\xff\xfe" + b"x" * 100) == []
    assert decoder.feed(b"\xff" * 1000 + b"\n\n") == []
    assert decoder.close() == []


def test_responses_stream_ends_without_done() -> None:
    stream = (
        b"event: response.created\n"
        b'data: {"type": "response.created", "sequence_number": 0}\n\n'
        b"event: response.output_text.delta\n"
        b'data: {"type": "response.output_text.delta", "delta": "Hi", "sequence_number": 1}\n\n'
    )
    decoder = EventStreamDecoder()
    payloads = decoder.feed(stream)
    assert [(p.event, p.data["sequence_number"]) for p in payloads] == [
        ("response.created", 0),
        ("response.output_text.delta", 1),
    ]
    assert decoder.close() == []
    assert not decoder.done


def test_assistants_stream_keeps_event_names() -> None:
    stream = (
        b'event: thread.created\ndata: {"id": "thread_1", "object": "thread"}\n\n'
        b'event: thread.run.created\ndata: {"id": "run_1", "object": "thread.run"}\n\n'
        b"event: done\ndata: [DONE]\n\n"
    )
    payloads, error = outcome(EventStreamDecoder(), [stream])
    assert error is None
    assert [p.event for p in payloads] == ["thread.created", "thread.run.created"]


def test_error_after_payloads_comes_on_the_next_call() -> None:
    decoder = EventStreamDecoder()
    chunk = (
        b'data: {"n": 1}\n\ndata: {"error": {"message": "boom", "code": "c"}}\n\ndata: {"n": 2}\n\n'
    )
    assert decoder.feed(chunk) == [Payload(None, {"n": 1})]
    assert decoder.state is EventStreamState.FAILED
    with pytest.raises(StreamError, match="boom"):
        decoder.feed(b"")
    with pytest.raises(StreamError, match="boom"):
        decoder.close()


def test_error_with_nothing_before_it_raises_at_once() -> None:
    decoder = EventStreamDecoder()
    with pytest.raises(StreamError, match="boom"):
        decoder.feed(b'event: error\ndata: {"message": "boom"}\n\n')
    assert decoder.state is EventStreamState.FAILED


def test_protocol_error_below_after_payloads_comes_on_the_next_call() -> None:
    decoder = EventStreamDecoder()
    assert decoder.feed(b'data: {"n": 1}\n\ndata: \xff\n\n') == [Payload(None, {"n": 1})]
    with pytest.raises(RemoteProtocolError, match="not valid UTF-8"):
        decoder.close()


def test_unfinished_event_at_close() -> None:
    decoder = EventStreamDecoder()
    assert decoder.feed(b'data: {"n": 1}\n') == []
    assert decoder.close() == [Payload(None, {"n": 1})]


def test_stream_cut_inside_an_event_fails_loudly_at_close() -> None:
    decoder = EventStreamDecoder()
    assert decoder.feed(b'data: {"n": 1}\n\ndata: {"choices": [{"ind') == [Payload(None, {"n": 1})]
    with pytest.raises(RemoteProtocolError, match="not valid JSON"):
        decoder.close()
    assert state_of(decoder) is EventStreamState.FAILED


def test_done_at_close() -> None:
    decoder = EventStreamDecoder()
    assert decoder.feed(b"data: [DONE]") == []
    assert decoder.close() == []
    assert decoder.done


def test_error_event_at_close() -> None:
    decoder = EventStreamDecoder()
    decoder.feed(b"event: error")
    with pytest.raises(StreamError, match="without details"):
        decoder.close()


def test_feed_or_close_after_close_is_a_local_protocol_error() -> None:
    decoder = EventStreamDecoder()
    decoder.close()
    with pytest.raises(LocalProtocolError, match="EventStreamDecoder cannot take BYTES"):
        decoder.feed(b"data: 1\n\n")
    with pytest.raises(LocalProtocolError, match="EventStreamDecoder cannot take END"):
        decoder.close()


def test_line_limit_is_passed_down() -> None:
    with pytest.raises(RemoteProtocolError, match="max_line_bytes"):
        EventStreamDecoder(max_line_bytes=10).feed(b"data: 123456789\n\n")


def test_the_loop_a_driver_runs() -> None:
    """What ``StreamedResponse.iter_events`` does: feed, stop at done, else close."""

    def iter_events(chunks: list[bytes]) -> list[Any]:
        decoder = EventStreamDecoder()
        out: list[Any] = []
        for chunk in chunks:
            out.extend(p.data for p in decoder.feed(chunk))
            if decoder.done:
                return out
        out.extend(p.data for p in decoder.close())
        return out

    assert (
        iter_events(bytewise(CHAT))
        == iter_events([CHAT])
        == [
            {"id": "c1", "choices": [{"index": 0, "delta": {"content": "Hi"}}]},
            {"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        ]
    )


@given(state=st.sampled_from(EventStreamState), event=st.sampled_from(EventStreamInput))
def test_event_stream_machine_is_total(state: EventStreamState, event: EventStreamInput) -> None:
    decoder = EventStreamDecoder()
    decoder._state = state
    decoder._error = StreamError("earlier")
    items: dict[EventStreamInput, StreamItem] = {
        EventStreamInput.PAYLOAD: Payload(None, 1),
        EventStreamInput.EMPTY: Empty(None),
        EventStreamInput.DONE: Done(),
    }
    item = items.get(event)
    ended = attempt(lambda: decoder._step(event, item))
    if state is EventStreamState.FAILED:
        assert ended == "stream: earlier"
    elif (state, event) in EVENT_STREAM_TRANSITIONS:
        assert (ended, decoder.state) == ("ok", EVENT_STREAM_TRANSITIONS[(state, event)][1])
    else:
        assert ended == "local"


def attempt(step: Callable[[], object]) -> str:
    try:
        step()
    except LocalProtocolError:
        return "local"
    except StreamError as exc:
        return f"stream: {exc}"
    return "ok"


@given(data=st.data(), stream=STREAMS)
def test_event_stream_chunking_independence(data: st.DataObject, stream: bytes) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=12))
    whole = outcome(EventStreamDecoder(), [stream])
    assert outcome(EventStreamDecoder(), chunked(stream, cuts)) == whole
    assert outcome(EventStreamDecoder(), bytewise(stream)) == whole


# -- the fast path: JSON objects decoded inline ------------------------------------------


def composed(stream: bytes, chunks: list[bytes]) -> Any:
    """The rules of this module applied one by one: SSEDecoder, then decode_event per event."""
    events, error = outcome(SSEDecoder(), chunks)
    payloads: list[Payload] = []
    for sse in events:
        try:
            item = decode_event(sse)
        except (RemoteProtocolError, StreamError) as exc:
            return payloads, (type(exc).__name__, str(exc))
        if isinstance(item, Done):
            return payloads, None
        if isinstance(item, Payload):
            payloads.append(item)
    return payloads, error


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3),
    max_leaves=6,
)
OBJECTS = st.one_of(
    st.dictionaries(st.sampled_from(["type", "error", "n", "delta"]), JSON_VALUES, max_size=3),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["error", "response.created", 1]), "message": st.text(max_size=3)}
    ),
    st.fixed_dictionaries({"error": JSON_VALUES}),
)
DATA = st.one_of(
    OBJECTS.map(json.dumps),
    OBJECTS.map(lambda o: json.dumps(o) + " "),  # trailing space: json.loads accepts it
    OBJECTS.map(lambda o: json.dumps(o)[:-1]),  # cut short
    OBJECTS.map(lambda o: json.dumps(o) + "}"),  # extra data
    st.sampled_from(['{"a": NaN}', '{"a": 1e400}', "{" * 3000, '{"a": "\t"}', "[DONE]", "", "7"]),
)
EVENT_NAMES = st.sampled_from([None, None, "error", "response.created", "thread.run.created"])


@given(
    events=st.lists(st.tuples(EVENT_NAMES, DATA), max_size=6),
    data=st.data(),
)
def test_decoder_equals_the_rules_applied_one_by_one(
    events: list[tuple[str | None, str]], data: st.DataObject
) -> None:
    stream = "".join(
        (f"event: {name}\n" if name else "") + f"data: {value}\n\n" for name, value in events
    ).encode()
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=4))
    chunks = chunked(stream, cuts)
    assert outcome(EventStreamDecoder(), chunks) == composed(stream, chunks)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ('{"error": {"message": "boom", "code": "c"}}', "boom"),
        ('{"type": "error", "message": "bad"}', "bad"),
    ],
)
def test_error_objects_on_the_fast_path_raise(data: str, error: str) -> None:
    decoder = EventStreamDecoder()
    stream = f'data: {{"n": 1}}\n\ndata: {data}\n\ndata: {{"n": 2}}\n\n'.encode()
    assert decoder.feed(stream) == [Payload(None, {"n": 1})]
    with pytest.raises(StreamError, match=error):
        decoder.close()


def test_objects_json_loads_accepts_are_payloads() -> None:
    stream = b'data: {"a": 1} \n\ndata: {"a": NaN}\n\nevent: x\ndata: {"error": null}\n\n'
    payloads, error = outcome(EventStreamDecoder(), [stream])
    assert error is None
    assert [p.event for p in payloads] == [None, None, "x"]
    assert payloads[0].data == {"a": 1}
    assert payloads[1].data["a"] != payloads[1].data["a"]  # NaN
    assert payloads[2].data == {"error": None}


def test_payloads_built_on_the_fast_path_are_ordinary_payloads() -> None:
    [fast] = EventStreamDecoder().feed(b'event: e\ndata: {"n": 1}\n\n')
    slow = Payload("e", {"n": 1})
    assert type(fast) is Payload
    assert (fast, repr(fast)) == (slow, repr(slow))
    with pytest.raises(AttributeError):
        fast.event = "other"  # type: ignore[misc]
