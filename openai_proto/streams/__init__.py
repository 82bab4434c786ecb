"""Event streams: SSE events turned into JSON payloads (:mod:`.events`), and the
accumulators that fold them into snapshots — pure."""

from __future__ import annotations

from openai_proto.streams.events import (
    Done,
    Empty,
    EventStreamDecoder,
    EventStreamState,
    Payload,
    StreamItem,
    decode_event,
)

__all__ = [
    "Done",
    "Empty",
    "EventStreamDecoder",
    "EventStreamState",
    "Payload",
    "StreamItem",
    "decode_event",
]
