"""The Responses stream events read like the official SDK's event models, lazily.

``event.delta`` is the JSON value; ``event.item`` / ``event.part`` / ``event.response`` /
``event.logprobs`` are the generated models' values, from the event's model made on first
such read (and losslessly: ``event.model.to_dict() == event.data``). Events nobody looks
into never build a model.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from openai_proto import Client, Config
from openai_proto.errors import RemoteProtocolError
from openai_proto.models import Model
from openai_proto.streams.response_events import Decoded
from openai_proto.streams.responses import (
    ResponseAccumulator,
    ResponseDeltaEvent,
    ResponseEvent,
    ResponseFinishedEvent,
    UnknownResponseEvent,
)
from openai_proto.testing.memory import MemoryTransport, replay
from tests.stream_transcripts import memory_reply, numbered, sse_body, transcript
from tests.streams.test_responses_accumulator import CUTS, fold, responses, stream_of


def nested_fields(event: ResponseEvent) -> list[str]:
    return [key for key, value in event.data.items() if isinstance(value, (dict, list))]


@given(responses(), CUTS)
def test_attributes_are_the_models_values(response: dict[str, Any], cuts: list[int]) -> None:
    _, out = fold(stream_of(response, cuts))
    assert all(event._model is None for event in out)  # nothing read, nothing built
    for event in out:
        for key, value in event.data.items():
            read = getattr(event, key)
            if key in ("type", "sequence_number"):
                continue
            if isinstance(value, dict):
                assert isinstance(read, Model)
                assert read.to_dict() == value
            elif isinstance(value, list):
                assert [v.to_dict() if isinstance(v, Model) else v for v in read] == value
            elif not (isinstance(event, ResponseFinishedEvent) and key == "response"):
                assert read == value
        if nested_fields(event):
            assert event.model.to_dict() == event.data
            assert event._model is event.model  # built once


def test_unknown_events_keep_their_raw_values() -> None:
    acc = ResponseAccumulator()
    (event,) = acc.feed({"type": "response.future.thing", "payload": {"a": [1]}})
    assert isinstance(event, UnknownResponseEvent)
    assert event.payload == {"a": [1]}
    with pytest.raises(AttributeError, match="has no field 'other'"):
        _ = event.other


def test_the_finished_event_decodes_once() -> None:
    decoded: list[dict[str, Any]] = []

    def decode(data: dict[str, Any]) -> Any:
        decoded.append(data)
        return ("decoded", data["id"])

    acc = ResponseAccumulator(decode_final=Decoded(decode))
    acc.feed({"type": "response.created", "response": {"id": "r", "output": []}})
    (done,) = acc.feed({"type": "response.completed", "response": {"id": "r", "status": "done"}})
    assert isinstance(done, ResponseFinishedEvent)
    assert done.response == ("decoded", "r")
    assert done.response is done.response
    assert done.raw_response == {"id": "r", "status": "done", "output": []}
    assert len(decoded) == 1


def test_bad_partial_json_raises_when_read_and_the_stream_goes_on() -> None:
    acc = ResponseAccumulator(partial_text=True)
    acc.feed({"type": "response.created", "response": {"id": "r", "output": []}})
    acc.feed(
        {"type": "response.output_item.added", "output_index": 0,
         "item": {"type": "message", "content": []}}
    )  # fmt: skip

    def delta(text: str) -> ResponseDeltaEvent:
        (event,) = acc.feed(
            {"type": "response.output_text.delta", "output_index": 0, "content_index": 0,
             "delta": text}
        )  # fmt: skip
        assert isinstance(event, ResponseDeltaEvent)
        return event

    first, second = delta('{"a": 1'), delta("} oops")
    assert first.parsed == {}
    with pytest.raises(RemoteProtocolError):
        _ = second.parsed
    with pytest.raises(RemoteProtocolError):  # the same error again, not a state error
        _ = second.parsed
    third = delta(" more")
    assert third.snapshot == '{"a": 1} oops more'


def test_client_stream_events_read_like_the_official_ones() -> None:
    events = numbered(transcript("createResponse"))
    client_transport = MemoryTransport(replay(memory_reply(sse_body(events, done=False))))
    client = Client(client_transport, Config(api_key="sk-test"))
    with client.responses.stream(model="gpt-4.1", input="Hi") as stream:
        seen = {event.type: event for event in stream}
    final = events[-1][1]["response"]
    text = final["output"][0]["content"][0]["text"]
    assert seen["response.created"].response.status == "in_progress"
    assert seen["response.output_item.added"].item.role == "assistant"
    assert seen["response.content_part.done"].part.text == text
    assert isinstance(seen["response.output_text.delta"].delta, str)
    assert seen["response.completed"].response.output_text == text
    assert seen["response.completed"].response is stream.get_final_response()
