"""Realistic Responses API payloads and the SSE transcripts that stream them.

:func:`response` is a whole ``Response`` object as ``POST /responses`` returns it (every
field the API sends, usage details included); :func:`stream_events` the events a
``stream=True`` request receives for it — ``response.created``, ``in_progress``, then per
output item ``output_item.added``, its parts and deltas (text cut into pieces, function
arguments too), the ``done`` events, and ``response.completed`` — numbered as the API
numbers them.
"""

from __future__ import annotations

import copy
from typing import Any

Json = dict[str, Any]

RESPONSE_ID = "resp_68af4030592c81938ec0a5fbab4a3e9f05438e46b5f69a3b"
MODEL = "gpt-4o-2024-08-06"


def message(text: str, *, item_id: str = "msg_68af4033c3fc8193b6d7bbd04b4e4bd2") -> Json:
    return {
        "id": item_id,
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
    }


def refusal(text: str, *, item_id: str = "msg_68af40a1b2c48193a4c31f3b8a0e1b6d") -> Json:
    return {
        "id": item_id,
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "refusal", "refusal": text}],
    }


def function_call(name: str, arguments: str, *, call_id: str, item_id: str) -> Json:
    return {
        "id": item_id,
        "type": "function_call",
        "status": "completed",
        "arguments": arguments,
        "call_id": call_id,
        "name": name,
    }


def response(
    output: list[Json],
    *,
    status: str = "completed",
    text_format: Json | None = None,
    tools: list[Json] | None = None,
    incomplete_reason: str | None = None,
) -> Json:
    """A whole Response object, as the API returns it."""
    done = status != "in_progress"
    return {
        "id": RESPONSE_ID,
        "object": "response",
        "created_at": 1756315696,
        "status": status,
        "background": False,
        "error": None,
        "incomplete_details": (
            {"reason": incomplete_reason} if incomplete_reason is not None else None
        ),
        "instructions": None,
        "max_output_tokens": 2048 if incomplete_reason == "max_output_tokens" else None,
        "max_tool_calls": None,
        "model": MODEL,
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "prompt_cache_key": None,
        "reasoning": {"effort": None, "summary": None},
        "safety_identifier": None,
        "service_tier": "default",
        "store": True,
        "temperature": 1.0,
        "text": {"format": text_format or {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": tools or [],
        "top_logprobs": 0,
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": {
            "input_tokens": 81,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 117,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 198,
        }
        if done
        else None,
        "user": None,
        "metadata": {},
    }


def pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def stream_events(final: Json, *, size: int = 7) -> list[Json]:
    """The events of a stream whose ``response.completed`` carries ``final`` (text and
    arguments cut into ``size``-character deltas), with their sequence numbers."""
    started = {**copy.deepcopy(final), "status": "in_progress", "output": [], "usage": None}
    events: list[Json] = [
        {"type": "response.created", "response": started},
        {"type": "response.in_progress", "response": started},
    ]
    for index, item in enumerate(final["output"]):
        events.extend(_item_events(index, item, size))
    events.append({"type": "response.completed", "response": final})
    return [{**event, "sequence_number": n} for n, event in enumerate(events)]


def _item_events(index: int, item: Json, size: int) -> list[Json]:
    where = {"item_id": item["id"], "output_index": index}
    if item["type"] == "function_call":
        opened = {**item, "status": "in_progress", "arguments": ""}
        events = [{"type": "response.output_item.added", "output_index": index, "item": opened}]
        events += [
            {"type": "response.function_call_arguments.delta", **where, "delta": piece}
            for piece in pieces(item["arguments"], size)
        ]
        events.append(
            {
                "type": "response.function_call_arguments.done",
                **where,
                "arguments": item["arguments"],
            }
        )
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
        return events
    opened = {**item, "status": "in_progress", "content": []}
    events = [{"type": "response.output_item.added", "output_index": index, "item": opened}]
    for part_index, part in enumerate(item["content"]):
        at = {**where, "content_index": part_index}
        if part["type"] == "refusal":
            empty: Json = {"type": "refusal", "refusal": ""}
            events.append({"type": "response.content_part.added", **at, "part": empty})
            events += [
                {"type": "response.refusal.delta", **at, "delta": piece}
                for piece in pieces(part["refusal"], size)
            ]
            events.append({"type": "response.refusal.done", **at, "refusal": part["refusal"]})
        else:
            empty = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
            events.append({"type": "response.content_part.added", **at, "part": empty})
            events += [
                {"type": "response.output_text.delta", **at, "delta": piece, "logprobs": []}
                for piece in pieces(part["text"], size)
            ]
            events.append(
                {"type": "response.output_text.done", **at, "text": part["text"], "logprobs": []}
            )
        events.append({"type": "response.content_part.done", **at, "part": part})
    events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    return events
