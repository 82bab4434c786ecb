"""The Responses stream accumulator and its stream managers."""

from __future__ import annotations

import copy
import gc
import itertools
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_proto.errors import LocalProtocolError, RemoteProtocolError, StreamError
from openai_proto.streams.events import Payload
from openai_proto.streams.responses import (
    FOLDS,
    RESPONSE_TRANSITIONS,
    ResponseAccumulator,
    ResponseAccumulatorState,
    ResponseDeltaEvent,
    ResponseEvent,
    ResponseFinishedEvent,
    ResponseInput,
    ResponseTextDoneEvent,
    UnknownResponseEvent,
)
from openai_proto.streams.responses_stream import AsyncResponseStream, ResponseStream
from tests.helpers import run_now

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "openapi" / "examples.json"
OUR_ERRORS = (LocalProtocolError, RemoteProtocolError, StreamError)

# -- building streams from a final response --------------------------------------------------------

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


def splits(text: str, cuts: list[int]) -> list[str]:
    """``text`` cut at the given positions (deltas; empty ones dropped)."""
    points = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
    return [text[a:b] for a, b in itertools.pairwise(points) if b > a]


@st.composite
def output_items(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["message", "function_call", "custom_tool_call", "reasoning"]))
    item_id = "it_" + draw(st.text("abc123", min_size=1, max_size=6))
    if kind == "message":
        parts = []
        for _ in range(draw(st.integers(0, 3))):
            if draw(st.booleans()):
                annotations = [
                    {"type": "url_citation", "url": draw(TEXT), "start_index": 0, "end_index": 1}
                    for _ in range(draw(st.integers(0, 2)))
                ]
                parts.append(
                    {"type": "output_text", "text": draw(TEXT), "annotations": annotations}
                )
            else:
                parts.append({"type": "refusal", "refusal": draw(TEXT)})
        return {
            "id": item_id,
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": parts,
        }
    if kind == "function_call":
        return {
            "id": item_id,
            "type": "function_call",
            "call_id": "call_" + item_id,
            "name": "f",
            "arguments": draw(TEXT),
            "status": "completed",
        }
    if kind == "custom_tool_call":
        return {
            "id": item_id,
            "type": "custom_tool_call",
            "call_id": "c_" + item_id,
            "name": "g",
            "input": draw(TEXT),
        }
    summary = [{"type": "summary_text", "text": draw(TEXT)} for _ in range(draw(st.integers(0, 2)))]
    content = [
        {"type": "reasoning_text", "text": draw(TEXT)} for _ in range(draw(st.integers(0, 2)))
    ]
    return {"id": item_id, "type": "reasoning", "summary": summary, "content": content}


def unique(item: dict[str, Any], n: int) -> dict[str, Any]:
    item = {**item, "id": f"{item['id']}_{n}"}
    if "call_id" in item:
        item["call_id"] = f"{item['call_id']}_{n}"
    return item


@st.composite
def responses(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": 1,
        "status": draw(st.sampled_from(["completed", "completed", "failed", "incomplete"])),
        "model": "m",
        "output": [
            unique(item, n)  # ids are unique in a response
            for n, item in enumerate(draw(st.lists(output_items(), max_size=4)))
        ],
        "usage": {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3},
    }


FINISH = {"completed": "response.completed", "failed": "response.failed"}
FINISH["incomplete"] = "response.incomplete"


def empty_item(item: dict[str, Any]) -> dict[str, Any]:
    """The item as ``output_item.added`` shows it: nothing streamed yet."""
    start = dict(item)
    for key in ("content", "summary"):
        if key in start:
            start[key] = []
    for key in ("arguments", "input"):
        if key in start:
            start[key] = ""
    return start


def empty_part(part: dict[str, Any]) -> dict[str, Any]:
    start = dict(part)
    for key in ("text", "refusal"):
        if key in start:
            start[key] = ""
    if "annotations" in start:
        start["annotations"] = []
    return start


def item_events(
    index: int, item: dict[str, Any], cuts: list[int], done: bool
) -> list[dict[str, Any]]:
    """The events that stream one output item (``done``: with the ``*.done`` events)."""
    base = {"output_index": index, "item_id": item["id"]}
    events: list[dict[str, Any]] = [
        {"type": "response.output_item.added", "output_index": index, "item": empty_item(item)}
    ]

    def deltas(kind: str, text: str, **where: int) -> None:
        for piece in splits(text, cuts):
            events.append({"type": kind, **base, **where, "delta": piece})

    for ci, part in enumerate(item.get("content", [])):
        where = {"content_index": ci}
        events.append(
            {"type": "response.content_part.added", **base, **where, "part": empty_part(part)}
        )
        if part["type"] == "output_text":
            deltas("response.output_text.delta", part["text"], **where)
            for ai, annotation in enumerate(part["annotations"]):
                events.append(
                    {
                        "type": "response.output_text.annotation.added",
                        **base,
                        **where,
                        "annotation_index": ai,
                        "annotation": annotation,
                    }
                )
            if done:
                events.append(
                    {"type": "response.output_text.done", **base, **where, "text": part["text"]}
                )
        elif part["type"] == "refusal":
            deltas("response.refusal.delta", part["refusal"], **where)
            if done:
                events.append(
                    {"type": "response.refusal.done", **base, **where, "refusal": part["refusal"]}
                )
        else:
            deltas("response.reasoning_text.delta", part["text"], **where)
            if done:
                events.append(
                    {"type": "response.reasoning_text.done", **base, **where, "text": part["text"]}
                )
        if done:
            events.append({"type": "response.content_part.done", **base, **where, "part": part})
    for si, part in enumerate(item.get("summary", [])):
        where = {"summary_index": si}
        events.append(
            {
                "type": "response.reasoning_summary_part.added",
                **base,
                **where,
                "part": empty_part(part),
            }
        )
        deltas("response.reasoning_summary_text.delta", part["text"], **where)
        if done:
            events.append(
                {
                    "type": "response.reasoning_summary_text.done",
                    **base,
                    **where,
                    "text": part["text"],
                }
            )
            events.append(
                {"type": "response.reasoning_summary_part.done", **base, **where, "part": part}
            )
    if item["type"] == "function_call":
        deltas("response.function_call_arguments.delta", item["arguments"])
        if done:
            events.append(
                {
                    "type": "response.function_call_arguments.done",
                    **base,
                    "arguments": item["arguments"],
                }
            )
    if item["type"] == "custom_tool_call":
        deltas("response.custom_tool_call_input.delta", item["input"])
        if done:
            events.append(
                {"type": "response.custom_tool_call_input.done", **base, "input": item["input"]}
            )
    if done:
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    return events


def stream_of(
    response: dict[str, Any], cuts: list[int], *, done: bool = True, order: list[int] | None = None
) -> list[dict[str, Any]]:
    """A stream of events that makes ``response``, numbered from 0."""
    start = {**response, "status": "in_progress", "output": [], "usage": None}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": start},
        {"type": "response.in_progress", "response": start},
    ]
    indices = list(range(len(response["output"])))
    if order is not None:
        indices = sorted(indices, key=lambda i: order[i % len(order)] if order else 0)
    for index in indices:
        events.extend(item_events(index, response["output"][index], cuts, done))
    events.append({"type": FINISH[response["status"]], "response": response})
    return [{**event, "sequence_number": n} for n, event in enumerate(events)]


def fold(events: list[dict[str, Any]], accumulator: ResponseAccumulator | None = None) -> Any:
    acc = accumulator or ResponseAccumulator()
    out = [e for event in events for e in acc.feed(event)]
    acc.close()
    return acc, out


CUTS = st.lists(st.integers(0, 60), max_size=8)


# -- properties ------------------------------------------------------------------------------------


@given(responses(), CUTS, st.booleans())
def test_the_final_snapshot_is_the_final_payload(
    response: dict[str, Any], cuts: list[int], done: bool
) -> None:
    acc, out = fold(stream_of(response, cuts, done=done))
    assert acc.get_final_response() == response
    assert acc.current_snapshot == response
    assert isinstance(out[-1], ResponseFinishedEvent)
    assert out[-1].raw_response == response
    assert out[-1].response.to_dict() == response  # the Response model, losslessly
    assert out[-1].response is out[-1].response  # decoded once


@given(responses(), CUTS, CUTS, st.booleans(), st.lists(st.integers(0, 9), max_size=4))
def test_the_snapshot_before_the_end_equals_the_response(
    response: dict[str, Any], cuts: list[int], other_cuts: list[int], done: bool, order: list[int]
) -> None:
    """Accumulator equals non-streamed, whatever the chunking and the order of the items."""
    for split, item_order in ((cuts, None), (other_cuts, order)):
        events = stream_of(response, split, done=done, order=item_order)
        acc = ResponseAccumulator()
        for event in events[:-1]:
            acc.feed(event)
        snapshot = acc.current_snapshot
        assert snapshot is not None
        assert snapshot["output"] == response["output"]
        assert snapshot["status"] == "in_progress"


@given(responses(), CUTS)
def test_delta_snapshots_are_the_text_so_far(response: dict[str, Any], cuts: list[int]) -> None:
    texts: dict[tuple[Any, ...], str] = {}
    _, out = fold(stream_of(response, cuts))
    for event in out:
        if isinstance(event, ResponseDeltaEvent):
            key = (
                event.type,
                event.output_index,
                event.data.get("content_index"),
                event.data.get("summary_index"),
            )
            texts[key] = texts.get(key, "") + event.delta
            assert event.snapshot == texts[key]


@given(responses(), CUTS, st.lists(st.integers(0, 200), max_size=5))
def test_unknown_events_pass_through_and_change_nothing(
    response: dict[str, Any], cuts: list[int], where: list[int]
) -> None:
    events = stream_of(response, cuts)
    noisy = list(events)
    for position in sorted(where, reverse=True):
        noisy.insert(position % (len(noisy) + 1), {"type": "response.keepalive", "n": position})
    noisy.append({"type": "response.rate_limits.updated", "rate_limits": []})
    noisy.append({"type": "response.output_text.delta", "output_index": 99, "delta": "late"})
    acc, out = fold(noisy)
    assert acc.get_final_response() == response
    unknown = [e for e in out if isinstance(e, UnknownResponseEvent)]
    assert len(unknown) == len(where) + 1
    assert [e.data for e in out if not isinstance(e, UnknownResponseEvent)] == [*events, noisy[-1]]


@given(responses(), CUTS, st.integers(0, 400), st.booleans())
def test_resuming_from_a_snapshot(
    response: dict[str, Any], cuts: list[int], cut: int, replay: bool
) -> None:
    events = stream_of(response, cuts)
    cut %= len(events)
    first = ResponseAccumulator()
    for event in events[:cut]:
        first.feed(event)
    _, whole = fold(events)
    if first.current_snapshot is None:
        return
    saved = copy.deepcopy(first.current_snapshot)
    resumed = ResponseAccumulator.resume(saved, starting_after=first.last_sequence_number)
    rest = events if replay else events[cut:]
    acc, out = fold(rest, resumed)
    assert acc.get_final_response() == response
    assert [e.data for e in out] == [e.data for e in whole[cut:]]


@given(responses(), CUTS, st.integers(0, 400))
def test_starting_after_folds_everything_but_returns_only_later_events(
    response: dict[str, Any], cuts: list[int], after: int
) -> None:
    events = stream_of(response, cuts)
    after %= len(events)
    acc, out = fold(events, ResponseAccumulator(starting_after=after))
    assert acc.get_final_response() == response
    assert [e.sequence_number for e in out] == list(range(after + 1, len(events)))


# -- totality --------------------------------------------------------------------------------------

SAMPLE_EVENTS: dict[ResponseInput, dict[str, Any]] = {
    ResponseInput.CREATED: {"type": "response.created", "response": {"id": "r", "output": []}},
    ResponseInput.PROGRESS: {"type": "response.in_progress", "response": {"id": "r"}},
    ResponseInput.FINISH: {"type": "response.completed", "response": {"id": "r", "output": []}},
    ResponseInput.ITEM: {
        "type": "response.output_item.added",
        "output_index": 0,
        "item": {"type": "message", "content": []},
    },
    ResponseInput.OTHER: {"type": "response.audio.delta", "delta": "AA=="},
    ResponseInput.UNKNOWN: {"type": "response.something_new"},
    ResponseInput.ERROR: {"type": "error", "message": "boom", "code": "x"},
}


def in_state(state: ResponseAccumulatorState) -> ResponseAccumulator:
    acc = ResponseAccumulator()
    created = SAMPLE_EVENTS[ResponseInput.CREATED]
    if state is ResponseAccumulatorState.STREAMING:
        acc.feed(created)
    elif state is ResponseAccumulatorState.FINISHED:
        acc.feed(created)
        acc.feed(SAMPLE_EVENTS[ResponseInput.FINISH])
    elif state is ResponseAccumulatorState.CLOSED:
        acc.close()
    elif state is ResponseAccumulatorState.FAILED:
        with pytest.raises(RemoteProtocolError):
            acc.feed({"type": 1})
    assert acc.state is state
    return acc


def send(acc: ResponseAccumulator, kind: ResponseInput) -> None:
    if kind is ResponseInput.END:
        acc.close()
    elif kind is ResponseInput.MALFORMED:
        acc.feed([1])  # type: ignore[arg-type]
    else:
        acc.feed(SAMPLE_EVENTS[kind])


@pytest.mark.parametrize("state", list(ResponseAccumulatorState))
@pytest.mark.parametrize("kind", list(ResponseInput))
def test_totality(state: ResponseAccumulatorState, kind: ResponseInput) -> None:
    acc = in_state(state)
    row = RESPONSE_TRANSITIONS.get((state, kind))
    if row is None:
        with pytest.raises(LocalProtocolError):
            send(acc, kind)
        return
    try:
        send(acc, kind)
    except OUR_ERRORS:
        assert acc.state is ResponseAccumulatorState.FAILED
    else:
        assert acc.state is row[1]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 3) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)
FIELDS = ["output_index", "content_index", "summary_index", "annotation_index", "delta", "text"]
FIELDS += ["item", "part", "annotation", "response", "arguments", "input", "refusal", "code"]
KINDS = [*sorted(FOLDS), "response.created", "response.completed", "response.failed", "error"]


@st.composite
def wild_events(draw: st.DrawFn) -> dict[str, Any]:
    event: dict[str, Any] = {"type": draw(st.sampled_from(KINDS) | st.text(max_size=5))}
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=5)):
        event[name] = draw(st.integers(0, 2) | JSON_VALUES)
    return event


@given(st.lists(wild_events(), max_size=12))
def test_any_events_give_events_or_our_errors(events: list[dict[str, Any]]) -> None:
    acc = ResponseAccumulator()
    acc.feed(SAMPLE_EVENTS[ResponseInput.CREATED])
    for event in events:
        try:
            out = acc.feed(event)
        except OUR_ERRORS:
            assert acc.state is ResponseAccumulatorState.FAILED
            with pytest.raises(OUR_ERRORS):
                acc.feed(event)
            return
        assert all(isinstance(e, ResponseEvent) for e in out)
        json.dumps(acc.current_snapshot)  # still plain JSON


# -- examples --------------------------------------------------------------------------------------


def test_items_are_placed_by_output_index_not_arrival() -> None:
    acc = ResponseAccumulator()
    acc.feed(SAMPLE_EVENTS[ResponseInput.CREATED])
    for index in (2, 0, 1):
        acc.feed(
            {
                "type": "response.output_item.added",
                "output_index": index,
                "item": {"id": str(index), "type": "function_call", "arguments": ""},
            }
        )
    for index in (1, 2, 0):
        acc.feed(
            {"type": "response.function_call_arguments.delta", "output_index": index, "delta": "x"}
        )
    snapshot = acc.current_snapshot
    assert snapshot is not None
    assert [item["id"] for item in snapshot["output"]] == ["0", "1", "2"]
    assert [item["arguments"] for item in snapshot["output"]] == ["x", "x", "x"]


def test_status_events_logprobs_and_code() -> None:
    acc = ResponseAccumulator()
    acc.feed(SAMPLE_EVENTS[ResponseInput.CREATED])
    acc.feed(
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"type": "code_interpreter_call", "status": "in_progress", "code": None},
        }
    )
    acc.feed({"type": "response.code_interpreter_call.interpreting", "output_index": 0})
    acc.feed({"type": "response.code_interpreter_call_code.delta", "output_index": 0, "delta": "1"})
    (event,) = acc.feed(
        {"type": "response.code_interpreter_call_code.delta", "output_index": 0, "delta": "+1"}
    )
    assert isinstance(event, ResponseDeltaEvent)
    assert event.snapshot == "1+1"
    snapshot = acc.current_snapshot
    assert snapshot is not None
    assert snapshot["output"][0] == {
        "type": "code_interpreter_call",
        "status": "interpreting",
        "code": "1+1",
    }
    acc.feed({"type": "response.output_item.added", "output_index": 1, "item": {"type": "message"}})
    logprob = {"token": "a", "logprob": -0.1, "top_logprobs": []}
    for _ in range(2):
        acc.feed(
            {
                "type": "response.output_text.delta",
                "output_index": 1,
                "content_index": 0,
                "delta": "a",
                "logprobs": [logprob],
            }
        )
    part = snapshot["output"][1]["content"][0]
    assert part["text"] == ""  # a dict held from before shows the text of its last read
    snapshot = acc.current_snapshot
    assert snapshot is not None
    part = snapshot["output"][1]["content"][0]
    assert part == {
        "type": "output_text",
        "text": "aa",
        "annotations": [],
        "logprobs": [logprob, logprob],
    }


def test_a_delta_event_read_late_shows_the_text_at_its_time() -> None:
    acc = ResponseAccumulator()
    acc.feed(SAMPLE_EVENTS[ResponseInput.CREATED])
    acc.feed(SAMPLE_EVENTS[ResponseInput.ITEM])
    where = {"output_index": 0, "content_index": 0}
    first = acc.feed({"type": "response.output_text.delta", **where, "delta": "ab"})[0]
    acc.feed({"type": "response.output_text.delta", **where, "delta": "cd"})
    assert isinstance(first, ResponseDeltaEvent)
    assert first.snapshot == "ab"
    assert first.delta == "ab"
    assert first.output_index == 0
    with pytest.raises(AttributeError, match="no field 'nope'"):
        _ = first.nope


def test_parse_text_fills_parsed_on_text_done() -> None:
    acc = ResponseAccumulator(parse_text=json.loads)
    acc.feed(SAMPLE_EVENTS[ResponseInput.CREATED])
    acc.feed(SAMPLE_EVENTS[ResponseInput.ITEM])
    (done,) = acc.feed(
        {"type": "response.output_text.done", "output_index": 0, "content_index": 0, "text": "[1]"}
    )
    assert isinstance(done, ResponseTextDoneEvent)
    assert done.parsed == [1]


@pytest.mark.parametrize("status", ["failed", "incomplete"])
def test_failed_and_incomplete_responses_are_final_responses(status: str) -> None:
    acc = ResponseAccumulator()
    acc.feed(SAMPLE_EVENTS[ResponseInput.CREATED])
    acc.feed(SAMPLE_EVENTS[ResponseInput.ITEM])
    final = {"id": "r", "status": status, "error": {"code": "server_error", "message": "x"}}
    acc.feed({"type": f"response.{status}", "response": final})
    acc.close()
    got = acc.get_final_response()
    assert got["status"] == status
    # no output in the payload: ours is filled in
    assert got["output"] == [{"type": "message", "content": []}]


def test_no_final_response() -> None:
    acc = ResponseAccumulator()
    acc.feed(SAMPLE_EVENTS[ResponseInput.CREATED])
    with pytest.raises(LocalProtocolError, match="not over"):
        acc.get_final_response()
    acc.close()
    with pytest.raises(RemoteProtocolError, match="ended without a final response"):
        acc.get_final_response()
    acc.close()  # idempotent
    with pytest.raises(LocalProtocolError, match="cannot take CREATED in state CLOSED"):
        acc.feed(SAMPLE_EVENTS[ResponseInput.CREATED])


def test_errors() -> None:
    acc = ResponseAccumulator()
    with pytest.raises(RemoteProtocolError, match=r"before response\.created"):
        acc.feed(SAMPLE_EVENTS[ResponseInput.ITEM])
    with pytest.raises(RemoteProtocolError, match=r"before response\.created"):
        acc.feed(SAMPLE_EVENTS[ResponseInput.CREATED])  # failed: the same error again
    with pytest.raises(RemoteProtocolError, match=r"before response\.created"):
        acc.get_final_response()

    acc = ResponseAccumulator()
    acc.feed(SAMPLE_EVENTS[ResponseInput.CREATED])
    with pytest.raises(StreamError, match="boom") as info:
        acc.feed(SAMPLE_EVENTS[ResponseInput.ERROR])
    assert info.value.code == "x"

    acc = ResponseAccumulator()
    acc.feed(SAMPLE_EVENTS[ResponseInput.CREATED])
    with pytest.raises(RemoteProtocolError, match="output_index must be a non-negative integer"):
        acc.feed({"type": "response.output_text.delta", "output_index": "0", "delta": "x"})

    acc = ResponseAccumulator()
    acc.feed(SAMPLE_EVENTS[ResponseInput.CREATED])
    with pytest.raises(RemoteProtocolError, match="no output item at output_index 3"):
        acc.feed({"type": "response.refusal.delta", "output_index": 3, "delta": "x"})

    acc = ResponseAccumulator()
    acc.feed(SAMPLE_EVENTS[ResponseInput.CREATED])
    with pytest.raises(RemoteProtocolError, match="is about response 'other'"):
        acc.feed({"type": "response.completed", "response": {"id": "other"}})


def test_deep_items_are_our_error() -> None:
    acc = ResponseAccumulator()
    acc.feed(SAMPLE_EVENTS[ResponseInput.CREATED])
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(RemoteProtocolError, match="nested too deeply"):
        acc.feed({"type": "response.output_item.added", "output_index": 0, "item": {"x": deep}})


# -- linear time -----------------------------------------------------------------------------------


def fold_text_stream(n: int) -> None:
    """Fold a stream of ``n`` text deltas made as it goes (as a decoder would hand them over),
    reading the delta's snapshot and the whole snapshot after every event."""
    acc = ResponseAccumulator()
    acc.feed({"type": "response.created", "response": {"id": "r", "output": []}})
    acc.feed({"type": "response.output_item.added", "output_index": 0, "item": {"type": "message"}})
    for number in range(n):
        event = {
            "type": "response.output_text.delta",
            "output_index": 0,
            "content_index": 0,
            "item_id": "m",
            "delta": "abcd",
            "sequence_number": number,
        }
        for out in acc.feed(event):
            assert isinstance(out, ResponseDeltaEvent)
            assert len(out.snapshot) == 4 * number + 4
            assert acc.current_snapshot is not None


def timed(function: Any, *args: Any) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def fold_sixteen_short_streams() -> None:
    for _ in range(16):
        fold_text_stream(1_000)


def test_folding_is_linear_even_reading_the_snapshot_every_event() -> None:
    """16,000 deltas cost well under 2.5 x sixteen streams of 1,000 (same work if linear).

    Both sides are timed over the same number of events, interleaved, best of 5, so
    that a noisy machine or warm caches do not favour the short stream.
    """
    gc.collect()
    short, long = [], []
    for _ in range(5):
        short.append(timed(fold_sixteen_short_streams))
        long.append(timed(fold_text_stream, 16_000))
    ratio = 16 * min(long) / min(short)
    assert ratio < 2.5 * 16, ratio  # quadratic growth would be about 256


# -- documented transcripts ------------------------------------------------------------------------


def documented_response_streams() -> list[Any]:
    if not EXAMPLES.exists():
        return []
    records = json.loads(EXAMPLES.read_text())
    return [
        pytest.param(record["response_events"], id=record["operationId"])
        for record in records
        if record.get("response_events")
        and str(record["response_events"][0].get("event")).startswith("response.")
    ]


@pytest.mark.parametrize("transcript", documented_response_streams())
def test_documented_transcripts_replay_to_the_documented_response(
    transcript: list[dict[str, Any]],
) -> None:
    events = [entry["data"] for entry in transcript if entry["data_kind"] == "json"]
    acc, out = fold(events)
    finals = [e["response"] for e in events if e["type"] == "response.completed"]
    assert finals, "the transcript has a final response"
    assert acc.get_final_response() == finals[-1]
    assert len(out) == len(events)
    # before the end, the snapshot already holds the documented output
    acc = ResponseAccumulator()
    for event in events[:-1]:
        acc.feed(event)
    assert acc.current_snapshot is not None
    assert acc.current_snapshot["output"] == finals[-1]["output"]


def test_there_are_documented_transcripts() -> None:
    if not EXAMPLES.exists():
        pytest.skip("examples.json is not here")
    assert len(documented_response_streams()) >= 2


# -- stream managers -------------------------------------------------------------------------------


class Source:
    def __init__(self, items: list[Any]) -> None:
        self.items = items
        self.closed = 0

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)

    def close(self) -> None:
        self.closed += 1


class AsyncSource:
    def __init__(self, items: list[Any]) -> None:
        self.items = list(items)
        self.closed = 0

    def __aiter__(self) -> AsyncIterator[Any]:
        return self

    async def __anext__(self) -> Any:
        if not self.items:
            raise StopAsyncIteration
        return self.items.pop(0)

    async def aclose(self) -> None:
        self.closed += 1


RESPONSE = {
    "id": "r",
    "status": "completed",
    "output": [
        {
            "id": "m",
            "type": "message",
            "content": [{"type": "output_text", "text": "Hi", "annotations": []}],
        }
    ],
}


def test_sync_stream() -> None:
    events = stream_of(RESPONSE, [1])
    source = Source([Payload(e["type"], e) for e in events])
    with ResponseStream(source) as stream:
        assert stream.current_snapshot is None
        first = next(stream)
        assert first.type == "response.created"
        assert stream.current_snapshot is not None
        assert stream.get_final_response() == RESPONSE
        assert stream.until_done() is stream
        assert list(stream) == []
    assert source.closed == 1
    stream.close()
    assert source.closed == 1


def test_sync_stream_left_early_is_closed_and_has_no_final_response() -> None:
    source = Source(stream_of(RESPONSE, [1]))
    with ResponseStream(source) as stream:
        next(stream)
    assert source.closed == 1
    with pytest.raises(RemoteProtocolError, match="without a final response"):
        stream.get_final_response()


def test_sync_stream_with_a_resumed_accumulator() -> None:
    events = stream_of(RESPONSE, [1])
    acc = ResponseAccumulator()
    for event in events[:4]:
        acc.feed(event)
    resumed = ResponseAccumulator.resume(acc.current_snapshot or {}, starting_after=3)
    stream = ResponseStream(events, accumulator=resumed)
    assert [e.sequence_number for e in stream] == list(range(4, len(events)))
    assert stream.get_final_response() == RESPONSE
    with pytest.raises(ValueError, match="not both"):
        ResponseStream(events, accumulator=resumed, starting_after=3)


def test_async_stream() -> None:
    events = stream_of(RESPONSE, [1])

    async def main() -> tuple[Any, list[str], int]:
        source = AsyncSource(events)
        async with AsyncResponseStream(source, starting_after=2) as stream:
            kinds = [event.type async for event in stream]
            final = await stream.get_final_response()
            await stream.until_done()
        await stream.close()
        return final, kinds, source.closed

    final, kinds, closed = run_now(main())
    assert final == RESPONSE
    assert kinds == [e["type"] for e in events[3:]]
    assert closed == 1


def test_async_stream_with_a_close_callable() -> None:
    closed: list[bool] = []

    async def main() -> None:
        stream = AsyncResponseStream(AsyncSource([]), close=lambda: closed.append(True))
        async with stream:
            with pytest.raises(RemoteProtocolError):
                await stream.get_final_response()

    run_now(main())
    assert closed == [True]


# -- differential: the official SDK's ResponseStreamState ------------------------------------------


def official_fold(events: list[dict[str, Any]]) -> tuple[list[Any], Any]:
    openai = pytest.importorskip("openai")
    from openai._models import construct_type
    from openai._types import omit
    from openai.lib.streaming.responses._responses import ResponseStreamState
    from openai.types.responses import ResponseStreamEvent as OfficialEvent

    del openai
    state: Any = ResponseStreamState(input_tools=omit, text_format=omit)
    out = []
    for event in events:
        out.extend(state.handle_event(construct_type(type_=OfficialEvent, value=event)))
    return out, state._completed_response


def plain(value: Any) -> Any:
    """The official's final response as JSON, without its parsing-only fields."""
    data = value.to_dict() if hasattr(value, "to_dict") else value
    if isinstance(data, dict):
        return {k: plain(v) for k, v in data.items() if k not in ("parsed", "parsed_arguments")}
    if isinstance(data, list):
        return [plain(v) for v in data]
    return data


@given(responses(), CUTS)
def test_differential_against_the_official_state(response: dict[str, Any], cuts: list[int]) -> None:
    """We agree with the official SDK on the snapshots it keeps and on the final response.

    Deliberate differences (not exercised here, covered by the example tests above):
    * a stream ending in response.failed / response.incomplete: the official has no final
      response (``get_final_response()`` raises); we return it with its status;
    * output items are placed by output_index; the official appends them in arrival order;
    * refusals, annotations, reasoning and summary text, custom tool input, status events and
      ``*.done`` events move our snapshot; the official's snapshot ignores them;
    * unknown events pass through as UnknownResponseEvent (the official passes them as is).
    """
    response = {**response, "status": "completed"}
    events = stream_of(response, cuts)
    official, official_final = official_fold(events)
    _, ours = fold(events)
    assert [e.type for e in official] == [e.type for e in ours]
    for theirs, mine in zip(official, ours, strict=True):
        if hasattr(theirs, "snapshot"):
            assert isinstance(mine, ResponseDeltaEvent)
            assert theirs.snapshot == mine.snapshot
    assert plain(official_final) == plain(ours[-1].response)
