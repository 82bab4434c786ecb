"""The documented stream transcripts of ``examples.json``, ready to replay.

Each transcript is a list of ``(event name, data)`` pairs (``data`` decoded JSON). The docs'
Assistants run payloads carry one extra ``}``; :func:`data_of` drops it, as the accumulator
tests do. :func:`sse_body` renders a transcript as the bytes a server sends.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from openai_proto.testing.memory import Reply
from openai_proto.testing.script import SSEEvent, sse_events

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "openapi" / "examples.json"
SSE_HEAD = (("content-type", "text/event-stream; charset=utf-8"),)

Event = tuple[str | None, Any]


@functools.cache
def records() -> list[dict[str, Any]]:
    if not EXAMPLES.exists():
        return []
    return json.loads(EXAMPLES.read_text("utf-8"))  # type: ignore[no-any-return]


def data_of(entry: dict[str, Any]) -> Any:
    """An event's data (``None`` for ``[DONE]``)."""
    if entry["data_kind"] == "json":
        return entry["data"]
    text = entry["data"]
    if not text or text.startswith("[DONE]"):
        return None
    return json.JSONDecoder().raw_decode(text)[0]


def transcript(operation_id: str, title: str = "Streaming") -> list[Event]:
    """The documented events of an operation (skips the test when the file is missing)."""
    for record in records():
        if record["operationId"] == operation_id and record.get("example_title") == title:
            events = record["response_events"]
            if record["response_kind"] == "json_concat":  # chat: the chunks themselves
                return [(None, chunk) for chunk in events]
            pairs = [(entry.get("event"), data_of(entry)) for entry in events]
            return [(name, data) for name, data in pairs if data is not None]
    pytest.skip(f"examples.json has no {operation_id!r} {title!r} transcript")


def sse_body(events: list[Event], *, done: bool = True) -> bytes:
    """The SSE bytes of ``events`` (each data as compact JSON), then ``[DONE]``."""
    rendered = [SSEEvent(json.dumps(data, separators=(",", ":")), name) for name, data in events]
    return sse_events(rendered, done=done)


def memory_reply(body: bytes, *, pieces: int = 1) -> Reply:
    """An in-memory streamed reply of ``body``, cut into about ``pieces`` chunks."""
    size = max(1, -(-len(body) // pieces))
    chunks = tuple(body[i : i + size] for i in range(0, len(body), size))
    return Reply(200, SSE_HEAD, chunks)


def numbered(events: list[Event]) -> list[Event]:
    """Responses events with ``sequence_number`` 0, 1, ... (the docs' transcript has none)."""
    return [(name, {**data, "sequence_number": n}) for n, (name, data) in enumerate(events)]
