"""The line splitter and the SSE decoder: WHATWG examples, every edge, chunking, totality."""

from __future__ import annotations

import doctest
import enum
import itertools
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import openai_proto.lines
import openai_proto.sse
import openai_proto.streams.events
from fuzz.targets import bytewise, outcome
from openai_proto.errors import LocalProtocolError, RemoteProtocolError
from openai_proto.lines import (
    LINE_TRANSITIONS,
    LineDecoder,
    LineInput,
    LineState,
    state_diagram,
)
from openai_proto.sse import (
    SSE_TRANSITIONS,
    ServerSentEvent,
    SSEDecoder,
    SSEInput,
    SSEState,
    classify,
)
from openai_proto.streams.events import EVENT_STREAM_TRANSITIONS, EventStreamState

BOM = b"\xef\xbb\xbf"


def sse(
    data: str = "", event: str | None = None, id: str | None = None, retry: int | None = None
) -> ServerSentEvent:
    return ServerSentEvent(event=event, data=data, id=id, retry=retry)


def state_of(decoder: LineDecoder | SSEDecoder) -> enum.Enum:
    """The state, read through a call (so mypy does not keep an earlier narrowing)."""
    return decoder.state


def decode_all(data: bytes, **options: int) -> list[ServerSentEvent]:
    decoder = SSEDecoder(**options)
    return [*decoder.feed(data), *decoder.close()]


# -- strategies: SSE-shaped bytes (also used by the event and fuzz tests) --------------

LINE_ENDS = st.sampled_from(["\n", "\r", "\r\n"])
VALUES = st.one_of(
    st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=["Cs"]), max_size=8),
    st.sampled_from(
        [
            '{"n": 1}',
            '{"choices": [{"index": 0, "delta": {"content": "h\u00e9\u20ac\U0001f600"}}]}',
            "[DONE]",
            '{"error": {"message": "boom", "code": "c", "type": "t"}}',
            '{"type": "error", "code": "c", "message": "m"}',
            '{"type": "response.output_text.delta", "delta": "x"}',
            "not json",
            "",
        ]
    ),
)
FIELD_LINES = st.one_of(
    VALUES.map(lambda v: f"data: {v}"),
    VALUES.map(lambda v: f"data:{v}"),
    st.sampled_from(["data", "", "", ": comment", "unknown: x", "Data: y", "\ufeffdata: z"]),
    st.sampled_from(["ping", "thread.run.created", "error", "", "message"]).map(
        lambda v: f"event: {v}"
    ),
    st.sampled_from(["1", "", "a\0b", "\u00e9"]).map(lambda v: f"id: {v}"),
    st.sampled_from(["10", "x", " 5", "", "9" * 19, "\u0661"]).map(lambda v: f"retry: {v}"),
)
LINES = st.tuples(FIELD_LINES, LINE_ENDS).map(lambda pair: (pair[0] + pair[1]).encode())
SEGMENTS = st.one_of(LINES, LINES, LINES, LINES, st.binary(max_size=3))


@st.composite
def sse_streams(draw: st.DrawFn) -> bytes:
    """Bytes shaped like an event stream, now and then with a BOM or bad bytes."""
    head = draw(st.sampled_from([b"", b"", BOM]))
    return head + b"".join(draw(st.lists(SEGMENTS, max_size=20)))


STREAMS = st.one_of(sse_streams(), st.binary(max_size=64))


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = [0, *sorted(cuts), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(points)]


# -- LineDecoder -------------------------------------------------------------------------


def test_line_ends_cr_lf_and_crlf() -> None:
    decoder = LineDecoder()
    assert decoder.feed(b"a\nb\rc\r\nd\n\ne\r\rf") == ["a", "b", "c", "d", "", "e", ""]
    assert decoder.close() == ["f"]


def test_crlf_split_across_feeds_is_one_line_end() -> None:
    decoder = LineDecoder()
    assert decoder.feed(b"a\r") == ["a"]
    assert decoder.state is LineState.AFTER_CR
    assert decoder.feed(b"\nb\n") == ["b"]
    assert decoder.close() == []


def test_cr_then_other_text_starts_a_new_line() -> None:
    decoder = LineDecoder()
    assert decoder.feed(b"a\r") == ["a"]
    assert decoder.feed(b"b\n") == ["b"]
    assert decoder.feed(b"\r") == [""]
    assert decoder.feed(b"\r") == [""]
    assert decoder.feed(b"\n") == []
    assert decoder.close() == []


def test_last_line_without_line_end_comes_at_close() -> None:
    decoder = LineDecoder()
    assert decoder.feed(b"one\ntw") == ["one"]
    assert decoder.state is LineState.IN_LINE
    assert decoder.feed(b"o") == []
    assert decoder.close() == ["two"]
    assert state_of(decoder) is LineState.CLOSED


def test_close_after_cr_or_nothing_gives_no_line() -> None:
    decoder = LineDecoder()
    assert decoder.feed(b"x\r") == ["x"]
    assert decoder.close() == []
    assert LineDecoder().close() == []


def test_multibyte_character_split_across_feeds() -> None:
    data = "h\u00e9\u20ac\U0001f600\n".encode()
    assert outcome(LineDecoder(), bytewise(data)) == (["h\u00e9\u20ac\U0001f600"], None)


def test_invalid_utf8_is_a_remote_protocol_error() -> None:
    decoder = LineDecoder()
    with pytest.raises(RemoteProtocolError, match=r"line 1 is not valid UTF-8"):
        decoder.feed(b"bad \xff\n")


def test_truncated_character_at_close_is_invalid_utf8() -> None:
    decoder = LineDecoder()
    assert decoder.feed(b"\xe2\x82") == []
    with pytest.raises(RemoteProtocolError, match="not valid UTF-8"):
        decoder.close()
    assert decoder.state is LineState.FAILED


def test_error_is_raised_after_the_lines_before_it() -> None:
    decoder = LineDecoder()
    assert decoder.feed(b"ok\nalso ok\nbad \xff\nnever\n") == ["ok", "also ok"]
    assert decoder.state is LineState.FAILED
    with pytest.raises(RemoteProtocolError, match="line 3 is not valid UTF-8"):
        decoder.feed(b"more\n")
    with pytest.raises(RemoteProtocolError, match="line 3 is not valid UTF-8"):
        decoder.close()


def test_line_of_exactly_the_limit_is_fine() -> None:
    decoder = LineDecoder(max_line_bytes=4)
    assert decoder.feed(b"abcd\r\nab") == ["abcd"]
    assert decoder.feed(b"cd\n") == ["abcd"]
    assert decoder.feed(b"abcd") == []
    assert decoder.close() == ["abcd"]


@pytest.mark.parametrize(
    "chunks",
    [[b"abcde\n"], [b"abcd", b"e"], [b"ab", b"cde\n"], [b"ok\nabcde"]],
)
def test_line_over_the_limit_is_a_remote_protocol_error(chunks: list[bytes]) -> None:
    lines, error = outcome(LineDecoder(max_line_bytes=4), chunks)
    assert error == (
        "RemoteProtocolError",
        f"line {len(lines) + 1} is longer than max_line_bytes (4 bytes)",
    )


def test_over_long_line_fails_before_it_is_buffered() -> None:
    decoder = LineDecoder(max_line_bytes=1000)
    decoder.feed(b"x" * 1000)
    with pytest.raises(RemoteProtocolError, match="longer than max_line_bytes"):
        decoder.feed(b"x" * 10_000_000)
    assert len(decoder._buffer) == 1000


def test_bom_is_kept_unless_asked_for() -> None:
    assert outcome(LineDecoder(), [BOM + b"a\n"]) == (["\ufeffa"], None)
    assert outcome(LineDecoder(strip_bom=True), [BOM[:1], BOM[1:], b"a\n", BOM + b"b"]) == (
        ["a", "\ufeffb"],
        None,
    )


def test_line_feed_after_close_is_a_local_protocol_error() -> None:
    decoder = LineDecoder()
    decoder.close()
    with pytest.raises(LocalProtocolError, match="LineDecoder cannot take BYTES in state CLOSED"):
        decoder.feed(b"x")
    with pytest.raises(LocalProtocolError, match="cannot take END"):
        decoder.close()


def test_feed_takes_bytes_only() -> None:
    with pytest.raises(TypeError, match="not str"):
        LineDecoder().feed("text")  # type: ignore[arg-type]


def test_max_line_bytes_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        LineDecoder(max_line_bytes=0)


def attempt(step: Callable[[], object]) -> str:
    """How a step ended: ``ok``, ``local``, or ``remote: <message>``."""
    try:
        step()
    except LocalProtocolError:
        return "local"
    except RemoteProtocolError as exc:
        return f"remote: {exc}"
    return "ok"


@given(state=st.sampled_from(LineState), event=st.sampled_from(LineInput))
def test_line_machine_is_total(state: LineState, event: LineInput) -> None:
    """Every (state, input) is a row of the table or our error, never another exception."""
    decoder = LineDecoder()
    decoder._state = state
    decoder._error = RemoteProtocolError("earlier")
    text = b"" if event in (LineInput.LF, LineInput.BYTES, LineInput.END) else b"x"
    ended = attempt(lambda: decoder._step(event, text))
    if state is LineState.FAILED:
        assert ended == "remote: earlier"
    elif (state, event) in LINE_TRANSITIONS:
        assert (ended, decoder.state) == ("ok", LINE_TRANSITIONS[(state, event)][1])
    else:
        assert ended == "local"


def test_every_live_state_takes_every_piece() -> None:
    """``LineDecoder._feed`` relies on it (it looks pieces up without a guard)."""
    for state in (LineState.LINE_START, LineState.IN_LINE, LineState.AFTER_CR):
        for event in (LineInput.TEXT, LineInput.LF, LineInput.LINE, LineInput.CR_LINE):
            assert (state, event) in LINE_TRANSITIONS


# -- SSEDecoder: the WHATWG examples -----------------------------------------------------


def test_whatwg_multiline_data() -> None:
    stream = b"data: YHOO\ndata: +2\ndata: 10\n\n"
    assert decode_all(stream) == [sse("YHOO\n+2\n10")]


def test_whatwg_ids_and_comments() -> None:
    stream = (
        b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\n"
        b"data:  third event\n\n"
    )
    assert decode_all(stream) == [
        sse("first event", id="1"),
        sse("second event"),
        sse(" third event"),
    ]


def test_whatwg_empty_data_lines() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data\n\ndata\ndata\n\ndata:") == [sse(""), sse("\n")]
    # WHATWG drops the unfinished last event; we dispatch it (see the module docstring).
    assert decoder.close() == [sse("")]


def test_whatwg_space_after_colon_is_optional() -> None:
    assert decode_all(b"data:test\n\ndata: test\n\n") == [sse("test"), sse("test")]


# -- SSEDecoder: fields ------------------------------------------------------------------


def test_event_with_empty_data_is_an_event() -> None:
    assert decode_all(b"event: ping\n\n") == [sse("", event="ping")]


def test_extra_blank_lines_make_no_events_even_after_an_id() -> None:
    stream = b"\n\nid: 7\n\n\n\ndata: x\n\n\n\nretry: 5\n\n\n: c\n\nfoo: bar\n\n"
    decoder = SSEDecoder()
    assert decoder.feed(stream) == [sse("x", id="7")]
    assert decoder.close() == []


def test_event_name_is_kept_and_empty_name_is_none() -> None:
    stream = b"event: thread.run.created\ndata: {}\n\nevent:\ndata: y\n\nevent: a\nevent: b\n\n"
    assert decode_all(stream) == [
        sse("{}", event="thread.run.created"),
        sse("y"),
        sse("", event="b"),
    ]


def test_last_event_id_carries_over_and_is_reset_by_an_empty_id() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\nid: 2\n\n")
    assert events == [sse("a", id="1"), sse("b", id="1"), sse("c")]
    assert decoder.last_event_id == "2"


def test_id_containing_nul_is_ignored() -> None:
    assert decode_all(b"id: 1\n\nid: a\0b\ndata: x\n\n") == [sse("x", id="1")]


@pytest.mark.parametrize(
    ("line", "retry"),
    [
        (b"retry: 1500", 1500),
        (b"retry:0", 0),
        (b"retry: 015", 15),
        (b"retry:  15", None),
        (b"retry: 15ms", None),
        (b"retry: -1", None),
        (b"retry: ", None),
        (b"retry: \xd9\xa1", None),  # ARABIC-INDIC DIGIT ONE: a digit, but not ASCII
        (b"retry: " + b"9" * 18, 10**18 - 1),
        (b"retry: " + b"9" * 19, None),
    ],
)
def test_retry_must_be_ascii_digits(line: bytes, retry: int | None) -> None:
    decoder = SSEDecoder()
    assert decoder.feed(line + b"\ndata: x\n\n") == [sse("x", retry=retry)]
    assert decoder.retry == retry


def test_retry_belongs_to_its_event_and_the_decoder_keeps_the_latest() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"retry: 5\n\ndata: a\n\ndata: b\nretry: 7\n\ndata: c\n\n")
    assert events == [sse("a"), sse("b", retry=7), sse("c")]
    assert decoder.retry == 7


def test_unknown_fields_comments_and_case_are_ignored() -> None:
    stream = b": hello\nfoo: bar\nDATA: no\nData: no\nevent\ndata:yes\n: bye\n\n"
    assert decode_all(stream) == [sse("yes")]


def test_field_without_colon_has_empty_value() -> None:
    assert decode_all(b"data\ndata\n\n") == [sse("\n")]


def test_only_one_space_after_the_colon_is_removed() -> None:
    assert decode_all(b"data:   x \n\n") == [sse("  x ")]
    assert decode_all(b"data:\tx\n\n") == [sse("\tx")]
    assert decode_all(b"data: a: b\n\n") == [sse("a: b")]


@pytest.mark.parametrize(
    ("line", "kind", "value"),
    [
        ("", SSEInput.BLANK, ""),
        (":x", SSEInput.COMMENT, ""),
        ("data: d", SSEInput.DATA, "d"),
        ("event:e", SSEInput.EVENT, "e"),
        ("id", SSEInput.ID, ""),
        ("retry: 1", SSEInput.RETRY, "1"),
        ("other: v", SSEInput.UNKNOWN, "v"),
    ],
)
def test_classify(line: str, kind: SSEInput, value: str) -> None:
    assert classify(line) == (kind, value)


# -- SSEDecoder: BOM, line ends, end of input --------------------------------------------


@pytest.mark.parametrize("cut", range(len(BOM) + 1))
def test_bom_at_the_start_is_dropped_wherever_it_is_cut(cut: int) -> None:
    stream = BOM + b"data: x\n\n"
    assert outcome(SSEDecoder(), [stream[:cut], stream[cut:]]) == ([sse("x")], None)


def test_bom_later_in_the_stream_is_not_dropped() -> None:
    # The field name becomes "\ufeffdata", which is unknown.
    assert decode_all(b"data: a\n\n" + BOM + b"data: b\n\n") == [sse("a")]
    assert decode_all(BOM + BOM + b"data: b\n\n") == []
    assert decode_all(b"\n" + BOM + b"data: b\n\n") == []


@pytest.mark.parametrize("end", [b"\n", b"\r", b"\r\n"])
def test_each_line_end_works(end: bytes) -> None:
    stream = end.join([b"event: e", b"data: a", b"data: b", b"", b"data: c", b"", b""])
    assert decode_all(stream) == [sse("a\nb", event="e"), sse("c")]


def test_crlf_split_across_feeds() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.line_state is LineState.AFTER_CR
    assert decoder.feed(b"\n\r") == [sse("a")]
    assert decoder.feed(b"\ndata: b\r\n\r\n") == [sse("b")]


def test_unfinished_event_is_dispatched_at_close() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n\nevent: e\ndata: b\n") == [sse("a")]
    assert decoder.state is SSEState.IN_EVENT
    assert decoder.close() == [sse("b", event="e")]
    assert state_of(decoder) is SSEState.CLOSED


def test_last_line_without_line_end_is_part_of_the_event_at_close() -> None:
    assert decode_all(b"data: [DONE]") == [sse("[DONE]")]
    assert decode_all(b"data: a\ndata: b") == [sse("a\nb")]
    assert decode_all(b"event: ping") == [sse("", event="ping")]


def test_close_without_data_or_event_gives_nothing() -> None:
    assert decode_all(b"id: 1\nretry: 5\n: c\nfoo") == []
    assert decode_all(b"") == []


# -- SSEDecoder: errors and states -------------------------------------------------------


def test_events_before_a_bad_line_come_first_then_the_error() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n\ndata: \xc3\x28\n\n") == [sse("a")]
    assert decoder.state is SSEState.FAILED
    with pytest.raises(RemoteProtocolError, match=r"line 3 is not valid UTF-8"):
        decoder.feed(b"")
    with pytest.raises(RemoteProtocolError, match=r"line 3 is not valid UTF-8"):
        decoder.close()


def test_bad_line_with_nothing_before_it_raises_at_once() -> None:
    decoder = SSEDecoder(max_line_bytes=8)
    with pytest.raises(RemoteProtocolError, match="line 1 is longer than max_line_bytes"):
        decoder.feed(b"data: 123")
    assert decoder.state is SSEState.FAILED


def test_bad_last_line_at_close() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data: \xff")
    with pytest.raises(RemoteProtocolError, match="not valid UTF-8"):
        decoder.close()
    assert decoder.state is SSEState.FAILED


def test_sse_feed_after_close_is_a_local_protocol_error() -> None:
    decoder = SSEDecoder()
    assert decoder.close() == []
    with pytest.raises(LocalProtocolError, match="SSEDecoder cannot take BYTES in state CLOSED"):
        decoder.feed(b"")
    with pytest.raises(LocalProtocolError, match="SSEDecoder cannot take END in state CLOSED"):
        decoder.close()


@given(state=st.sampled_from(SSEState), event=st.sampled_from(SSEInput))
def test_sse_machine_is_total(state: SSEState, event: SSEInput) -> None:
    decoder = SSEDecoder()
    decoder._state = state
    decoder._error = RemoteProtocolError("earlier")
    ended = attempt(lambda: decoder._step(event, "1"))
    if state is SSEState.FAILED:
        assert ended == "remote: earlier"
    elif (state, event) in SSE_TRANSITIONS:
        assert (ended, decoder.state) == ("ok", SSE_TRANSITIONS[(state, event)][1])
    else:
        assert ended == "local"


def test_every_live_state_takes_every_line_kind() -> None:
    for state in (SSEState.IDLE, SSEState.IN_EVENT):
        for event in SSEInput:
            assert (state, event) in SSE_TRANSITIONS


# -- chunking independence ---------------------------------------------------------------

SAMPLE = (
    BOM
    + "event: ping\r\n\r\ndata: h\u00e9\u20ac\U0001f600\r\ndata: two\r\rid: 9\n\n: c\r\n".encode()
    + b"data: x\r\n\r\n"
)


@pytest.mark.parametrize("make", [SSEDecoder, LineDecoder], ids=["sse", "lines"])
def test_every_single_cut_of_a_tricky_sample(make: Callable[[], SSEDecoder | LineDecoder]) -> None:
    """Cuts inside the BOM, inside CRLF and inside each multi-byte character."""
    whole = outcome(make(), [SAMPLE])
    assert whole[1] is None
    for cut in range(len(SAMPLE) + 1):
        assert outcome(make(), chunked(SAMPLE, [cut])) == whole, cut
    assert outcome(make(), bytewise(SAMPLE)) == whole


@given(data=st.data(), stream=STREAMS, limit=st.sampled_from([8 * 1024 * 1024, 16]))
def test_sse_chunking_independence(data: st.DataObject, stream: bytes, limit: int) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=12))
    whole = outcome(SSEDecoder(limit), [stream])
    assert outcome(SSEDecoder(limit), chunked(stream, cuts)) == whole
    assert outcome(SSEDecoder(limit), bytewise(stream)) == whole


@given(data=st.data(), stream=STREAMS)
def test_line_chunking_independence(data: st.DataObject, stream: bytes) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=12))
    whole = outcome(LineDecoder(max_line_bytes=16), [stream])
    assert outcome(LineDecoder(max_line_bytes=16), chunked(stream, cuts)) == whole


@given(stream=sse_streams())
def test_lines_of_an_sse_stream_are_the_split_of_its_text(stream: bytes) -> None:
    """Compared with an independent model: ``str.splitlines`` limited to CR, LF, CRLF."""
    try:
        text = stream.decode("utf-8")
    except UnicodeDecodeError:
        return
    model = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if model[-1] == "":
        model.pop()
    assert outcome(LineDecoder(), [stream]) == (model, None)


# -- the fast path: whole events read at once ---------------------------------------------


def model_events(text: str) -> list[ServerSentEvent]:
    """An independent model of the decoder over whole, valid text (no tables, no fast path)."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()  # the text ended with a line end (or was empty): no unfinished line
    events: list[ServerSentEvent] = []
    name: str | None = None
    data: list[str] = []
    seen = False
    retry: int | None = None
    last_id: str | None = None
    for line in [*lines, None]:
        if line is None or line == "":
            if seen:
                events.append(sse("\n".join(data), event=name, id=last_id, retry=retry))
            name, data, seen, retry = None, [], False, None
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            data.append(value)
            seen = True
        elif field == "event":
            name = value or None
            seen = True
        elif field == "id" and "\0" not in value:
            last_id = value or None
        elif field == "retry" and value.isascii() and value.isdigit() and len(value) <= 18:
            retry = int(value)
    return events


JSON_DATA = st.sampled_from(['{"n": 1}', '{"type": "response.created"}', "[DONE]", "", "x"])
OPENAI_EVENTS = st.one_of(
    JSON_DATA.map(lambda d: f"data: {d}\n\n"),
    st.tuples(st.sampled_from(["ping", "response.done", "", "error"]), JSON_DATA).map(
        lambda p: f"event: {p[0]}\ndata: {p[1]}\n\n"
    ),
    st.sampled_from([": keep-alive\n\n", "id: 4\n", "retry: 20\n", "\n", "data: a\ndata: b\n\n"]),
)


@st.composite
def openai_like_streams(draw: st.DrawFn) -> bytes:
    """Mostly the one-line events the fast path reads, sometimes with CRLF line ends."""
    text = "".join(draw(st.lists(OPENAI_EVENTS, max_size=12)))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text.encode()


@given(data=st.data(), stream=st.one_of(openai_like_streams(), sse_streams()))
def test_decoder_equals_the_model_however_the_stream_is_cut(
    data: st.DataObject, stream: bytes
) -> None:
    try:
        text = stream.decode("utf-8")
    except UnicodeDecodeError:
        return
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=6))
    assert outcome(SSEDecoder(), chunked(stream, cuts)) == (model_events(text), None)


def test_fast_path_shapes_and_near_misses() -> None:
    stream = (
        b'data: {"a": 1}\n\n'  # fast
        b"event: response.done\ndata: x\n\n"  # fast, named
        b"event: \ndata: y\n\n"  # fast, an empty name is no name
        b"data:z\n\n"  # no space after the colon: line by line
        b"event: e\ndata: 1\ndata: 2\n\n"  # two data lines
        b"data: a\nevent: e\n\n"  # data first
        b"event: e\n\n"  # no data
        b"data: b\nid: 5\n\n"  # an id inside
        b"data: c\n\n"
    )
    expected = [
        sse('{"a": 1}'),
        sse("x", event="response.done"),
        sse("y"),
        sse("z"),
        sse("1\n2", event="e"),
        sse("a", event="e"),
        sse("", event="e"),
        sse("b", id="5"),
        sse("c", id="5"),
    ]
    assert decode_all(stream) == expected == model_events(stream.decode())


def test_fields_pending_from_an_earlier_chunk_reach_the_next_event() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"retry: 5\nid: 3\n") == []
    assert decoder.feed(b"data: a\n\ndata: b\n\n") == [sse("a", id="3", retry=5), sse("b", id="3")]
    assert decoder.feed(b"event: e\n") == []
    assert decoder.feed(b"data: c\n\ndata: d\n\n") == [
        sse("c", event="e", id="3"),
        sse("d", id="3"),
    ]


def test_chunk_ending_inside_an_event_then_whole_events() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b'data: {"n": 1}\n\ndata: {"n"') == [sse('{"n": 1}')]
    assert decoder.feed(b": 2}\n") == []
    assert decoder.state is SSEState.IN_EVENT
    assert decoder.feed(b"\ndata: 3\n\ndata: 4") == [sse('{"n": 2}'), sse("3")]
    assert decoder.feed(b"\n\n\n\ndata: 5\n\n") == [sse("4"), sse("5")]


def test_invalid_utf8_after_whole_events_names_its_line() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n\nevent: e\ndata: b\n\ndata: \xff\n\ndata: c\n\n") == [
        sse("a"),
        sse("b", event="e"),
    ]
    with pytest.raises(RemoteProtocolError, match=r"^line 6 is not valid UTF-8"):
        decoder.close()


def test_line_numbers_count_the_lines_read_in_whole_events() -> None:
    decoder = SSEDecoder(max_line_bytes=100)
    assert decoder.feed(b"data: 1\n\ndata: 2\n\n") == [sse("1"), sse("2")]  # lines 1-4
    assert decoder.feed(b"event: e\r\ndata: 3\r\n\r\n") == [sse("3", event="e")]  # lines 5-7
    with pytest.raises(RemoteProtocolError, match=r"^line 8 is longer than max_line_bytes"):
        decoder.feed(b"data: " + b"x" * 100 + b"\n\n")


def test_events_longer_than_the_limit_together_are_fine_if_each_line_is_short() -> None:
    """A chunk over ``max_line_bytes`` is read line by line, so each line is checked."""
    stream = b"data: 1\n\ndata: 2\n\ndata: 3\n\n"
    assert decode_all(stream, max_line_bytes=7) == [sse("1"), sse("2"), sse("3")]
    lines, error = outcome(SSEDecoder(max_line_bytes=7), [stream + b"data: 44\n\n"])
    assert lines == [sse("1"), sse("2"), sse("3")]
    assert error == ("RemoteProtocolError", "line 7 is longer than max_line_bytes (7 bytes)")


def test_feed_takes_bytearray_and_refuses_str() -> None:
    decoder = SSEDecoder()  # typed as bytes; a bytearray works too, as for LineDecoder
    assert decoder.feed(bytearray(b"data: a\r\n\r\ndata: b\r")) == [sse("a")]  # type: ignore[arg-type]
    assert decoder.feed(bytearray(b"\n\r\n")) == [sse("b")]  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not str"):
        decoder.feed("data: c\n\n")  # type: ignore[arg-type]


def test_line_decoder_counts_lines_read_by_its_caller() -> None:
    decoder = LineDecoder(strip_bom=True)
    assert not decoder.at_line_start  # the BOM rule is not done yet
    assert decoder.feed(b"a\n") == ["a"]
    assert decoder.at_line_start
    decoder.skip_lines(3)
    with pytest.raises(RemoteProtocolError, match=r"^line 5 is not valid UTF-8"):
        decoder.feed(b"\xff\n")


# -- linear time -------------------------------------------------------------------------


def _seconds_bytewise(stream: bytes, runs: int) -> float:
    chunks = bytewise(stream)
    best = float("inf")
    for _ in range(runs):
        decoder = SSEDecoder()
        start = time.perf_counter()
        for chunk in chunks:
            decoder.feed(chunk)
        decoder.close()
        best = min(best, time.perf_counter() - start)
    return best


def _one_long_line(size: int) -> bytes:
    return b"data: " + b"x" * size + b"\n\n"


def _many_small_events(size: int) -> bytes:
    return b"event: e\r\ndata: {}\r\n\r\n" * (size // 26)


@pytest.mark.parametrize("make", [_one_long_line, _many_small_events])
def test_byte_by_byte_feeding_is_linear(make: Callable[[int], bytes]) -> None:
    """16 times the input takes well under 16 * 3 times as long (quadratic would be 256)."""
    small = _seconds_bytewise(make(4096), runs=5)
    large = _seconds_bytewise(make(16 * 4096), runs=2)
    assert large / small < 16 * 3, large / small


# -- docs --------------------------------------------------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "streaming.md"


@pytest.mark.parametrize(
    ("table", "initial"),
    [
        (LINE_TRANSITIONS, LineState.LINE_START),
        (SSE_TRANSITIONS, SSEState.IDLE),
        (EVENT_STREAM_TRANSITIONS, EventStreamState.OPEN),
    ],
    ids=["lines", "sse", "event stream"],
)
def test_docs_diagrams_are_drawn_from_the_tables(table: Any, initial: enum.Enum) -> None:
    diagrams = re.findall(r"^```mermaid\n(.*?)\n```", DOCS.read_text("utf-8"), re.M | re.S)
    assert state_diagram(table, initial) in diagrams


# -- doctests --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module",
    [openai_proto.lines, openai_proto.sse, openai_proto.streams.events],
    ids=lambda m: m.__name__,
)
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted > 0
    assert result.failed == 0
