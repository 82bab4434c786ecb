"""Decoding large responses from bytes with the generated models, against the official SDK.

Two documents: a chat completion (50 choices with tool calls and logprobs, ~900 KB) and a
Responses API response (300 output items of several kinds, ~370 KB).  Each is decoded from
the same bytes by ``json.loads`` alone (the floor), by ``json.loads`` + our lenient decoding
into the generated class, and by the official ``openai`` package the way it decodes a
response body (``json.loads`` + its lenient ``construct_type``), all in the same run.

Run: ``python -m tests.bench decode``.
"""

from __future__ import annotations

import importlib
import json
import random
from collections.abc import Callable
from typing import Any

from openai_proto.models import structure
from tests.bench.bench_models import chat_completion
from tests.bench.timing import best_of, report


def responses_response(seed: int = 0, items: int = 300) -> dict[str, Any]:
    """A Responses API response with ``items`` output items (~1.2 KB each)."""
    rnd = random.Random(seed)

    def words(n: int) -> str:
        return " ".join("".join(rnd.choice("abcdefghij klmno") for _ in range(6)) for _ in range(n))

    def message(i: int) -> dict[str, Any]:
        annotation = {
            "type": "url_citation",
            "url": "https://example.com/a",
            "title": words(3),
            "start_index": 0,
            "end_index": 10,
        }
        part = {
            "type": "output_text",
            "text": words(250),
            "annotations": [annotation],
            "logprobs": [],
        }
        return {
            "type": "message",
            "id": f"msg_{i}",
            "status": "completed",
            "role": "assistant",
            "content": [part],
        }

    def function_call(i: int) -> dict[str, Any]:
        return {
            "type": "function_call",
            "id": f"fc_{i}",
            "call_id": f"call_{i}",
            "name": "lookup",
            "arguments": json.dumps({"q": words(80)}),
            "status": "completed",
        }

    def reasoning(i: int) -> dict[str, Any]:
        return {
            "type": "reasoning",
            "id": f"rs_{i}",
            "summary": [{"type": "summary_text", "text": words(220)}],
        }

    def web_search(i: int) -> dict[str, Any]:
        return {
            "type": "web_search_call",
            "id": f"ws_{i}",
            "status": "completed",
            "action": {"type": "search", "query": words(40)},
        }

    makers = (message, function_call, reasoning, web_search)
    return {
        "id": "resp_bench",
        "object": "response",
        "created_at": 1_700_000_000,
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "model": "gpt-4.1-2025-04-14",
        "output": [makers[i % len(makers)](i) for i in range(items)],
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": {
            "input_tokens": 100,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 5000,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 5100,
        },
        "user": None,
        "metadata": {},
    }


def ours(raw: bytes, tp: Any) -> Callable[[], object]:
    return lambda: structure(json.loads(raw), tp)


def official(raw: bytes, tp: Any) -> Callable[[], object] | None:
    try:
        from openai._models import construct_type
    except ImportError:  # the official SDK is not installed
        return None
    return lambda: construct_type(type_=tp, value=json.loads(raw))


def bench(title: str, document: dict[str, Any], our_type: Any, sdk_type: Any) -> None:
    raw = json.dumps(document).encode()
    floor = "json.loads(bytes) (floor)"
    rows = [
        (floor, best_of(lambda: json.loads(raw))),
        ("openai_proto: bytes -> generated model", best_of(ours(raw, our_type))),
    ]
    sdk = official(raw, sdk_type)
    if sdk is not None:
        rows.append(("openai (official): bytes -> model", best_of(sdk)))
    report(f"{title}, {len(raw) / 1024:.0f} KB", rows, floor)


def sdk_type(module: str, name: str) -> Any:
    """A class of the official SDK, or ``None`` when it is not installed."""
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError:
        return None


def main() -> None:
    from openai_proto.types import ChatCompletion, Response

    sdk_chat_completion = sdk_type("openai.types.chat", "ChatCompletion")
    sdk_response = sdk_type("openai.types.responses", "Response")
    bench(
        "Decode a chat completion (50 choices)",
        chat_completion(),
        ChatCompletion,
        sdk_chat_completion,
    )
    bench(
        "Decode a Responses API response (300 items)", responses_response(), Response, sdk_response
    )


if __name__ == "__main__":
    main()
