"""Chat completions as the API writes them, for the helper docs' examples: the answers to
the math tutor and to the orders query, whole (``chat.completion``) and streamed (the
``chat.completion.chunk`` events of an SSE body).

They carry what real answers carry: ``chatcmpl-``/``call_`` ids, ``created``,
``system_fingerprint``, ``service_tier``, usage with its token details, ``logprobs: null``,
``annotations: []``; streamed content comes in the few-character pieces a tokenizer makes
(``{"``, ``steps``, ``":[``, ...), every chunk padded with a random-looking ``obfuscation``
string, the finish reason in a chunk of its own and the usage in a last chunk with no
choices (when ``stream_options.include_usage`` asked for it). Deterministic: the same
arguments give the same bytes.
"""

from __future__ import annotations

import json
import re
from typing import Any

Json = dict[str, Any]

MODEL = "gpt-4o-2024-08-06"
CREATED = 1723041138
FINGERPRINT = "fp_845eaabc1f"
MATH_ID = "chatcmpl-9tABLlmqdEOYnmmWATUI3dNKlfXa3"
QUERY_ID = "chatcmpl-9tAC6v0rUCZ2Bv7XwOmbpWo2TxB1c"
REFUSAL_ID = "chatcmpl-9tAD0JkXbH4pR2sLmQ8vN5wY7uE3z"
QUERY_CALL_ID = "call_4ZGhQ2AV3xFukbRrXGwDTSL3"

MATH_SYSTEM = "You are a helpful math tutor."
MATH_MESSAGES = [
    {"role": "system", "content": MATH_SYSTEM},
    {"role": "user", "content": "solve 8x + 31 = 2"},
]
QUERY_MESSAGES = [
    {
        "role": "system",
        "content": "You are a helpful assistant. The current date is August 6, 2024. You help "
        "users query for the data they are looking for by calling the query function.",
    },
    {
        "role": "user",
        "content": "look up all my orders in may of last year that were fulfilled but not "
        "delivered on time",
    },
]

MATH_ANSWER: Json = {
    "steps": [
        {
            "explanation": "Start with the equation 8x + 31 = 2.",
            "output": "8x + 31 = 2",
        },
        {
            "explanation": "Subtract 31 from both sides to isolate the term with the variable.",
            "output": "8x = 2 - 31",
        },
        {"explanation": "Simplify the right side of the equation.", "output": "8x = -29"},
        {"explanation": "Divide both sides by 8 to solve for x.", "output": "x = -29/8"},
    ],
    "final_answer": "x = -29/8",
}

QUERY_ARGUMENTS: Json = {
    "table_name": "orders",
    "columns": ["id", "status", "expected_delivery_date", "delivered_at"],
    "conditions": [
        {"column": "ordered_at", "operator": ">=", "value": "2023-05-01"},
        {"column": "ordered_at", "operator": "<=", "value": "2023-05-31"},
        {"column": "status", "operator": "=", "value": "fulfilled"},
        {
            "column": "delivered_at",
            "operator": ">",
            "value": {"column_name": "expected_delivery_date"},
        },
        {"column": "id", "operator": ">", "value": 0},
    ],
    "order_by": "asc",
}

REFUSAL = "I'm sorry, I can't assist with that request."


def compact(value: Any) -> str:
    """JSON as the model writes it in structured outputs: no spaces."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def usage(prompt_tokens: int, completion_tokens: int) -> Json:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


_TOKEN = re.compile(r" ?[A-Za-z_]+| ?\d{1,3}|\s+|[^\w\s]{1,3}")


def tokens(text: str) -> list[str]:
    """``text`` cut as a tokenizer would, roughly: words, up to three digits, runs of up to
    three punctuation marks, a space kept with the word after it — pieces of one to a
    dozen characters."""
    pieces = _TOKEN.findall(text)
    assert "".join(pieces) == text
    return pieces


_PAD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def obfuscation(number: int) -> str:
    """The padding the API adds to each chunk (its length varies so the chunk's size does
    not tell the token): a deterministic stand-in."""
    length = 1 + (number * 7) % 12
    return "".join(_PAD[(number * 31 + i * 17) % len(_PAD)] for i in range(length))


# -- whole completions ------------------------------------------------------------------------


def completion(
    completion_id: str, message: Json, finish_reason: str, prompt: int, produced: int
) -> Json:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": CREATED,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "refusal": None,
                    "annotations": [],
                    **message,
                },
                "logprobs": None,
                "finish_reason": finish_reason,
            }
        ],
        "usage": usage(prompt, produced),
        "service_tier": "default",
        "system_fingerprint": FINGERPRINT,
    }


def math_completion() -> Json:
    content = compact(MATH_ANSWER)
    return completion(MATH_ID, {"content": content}, "stop", 109, len(tokens(content)))


def math_refusal() -> Json:
    return completion(REFUSAL_ID, {"refusal": REFUSAL}, "stop", 111, len(tokens(REFUSAL)))


def query_call() -> Json:
    return {
        "id": QUERY_CALL_ID,
        "type": "function",
        "function": {"name": "Query", "arguments": compact(QUERY_ARGUMENTS)},
    }


def query_completion() -> Json:
    arguments = query_call()["function"]["arguments"]
    message = {"tool_calls": [query_call()]}
    return completion(QUERY_ID, message, "tool_calls", 341, len(tokens(arguments)) + 9)


# -- streams ----------------------------------------------------------------------------------


def _chunk(completion_id: str, number: int, choices: list[Json], **extra: Any) -> Json:
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": MODEL,
        "service_tier": "default",
        "system_fingerprint": FINGERPRINT,
        "choices": choices,
        **extra,
        "obfuscation": obfuscation(number),
    }


def _choice(delta: Json, finish_reason: str | None = None) -> Json:
    return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}


def chunks_of(body: Json, *, include_usage: bool) -> list[Json]:
    """The chunks the API streams for the completion ``body`` (one choice)."""
    choice = body["choices"][0]
    message = choice["message"]
    cid = body["id"]
    chunks: list[Json] = []

    def add(choices: list[Json], **extra: Any) -> None:
        if include_usage:
            extra = {"usage": None, **extra}
        chunks.append(_chunk(cid, len(chunks), choices, **extra))

    calls = message.get("tool_calls")
    if calls:
        add([_choice({"role": "assistant", "content": None, "refusal": None})])
        for index, call in enumerate(calls):
            function = call["function"]
            head = {"index": index, "id": call["id"], "type": "function"}
            opened = {**head, "function": {"name": function["name"], "arguments": ""}}
            add([_choice({"tool_calls": [opened]})])
            for piece in tokens(function["arguments"]):
                delta = {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}
                add([_choice(delta)])
    elif message.get("refusal") is not None:
        add([_choice({"role": "assistant", "content": None, "refusal": ""})])
        for piece in tokens(message["refusal"]):
            add([_choice({"refusal": piece})])
    else:
        add([_choice({"role": "assistant", "content": "", "refusal": None})])
        for piece in tokens(message["content"]):
            add([_choice({"content": piece})])
    add([_choice({}, choice["finish_reason"])])
    if include_usage:
        chunks.append(_chunk(cid, len(chunks), [], usage=body["usage"]))
    return chunks


def streamed_completion(body: Json) -> Json:
    """What the chunks of ``body`` add up to: the completion without the fields a stream
    does not carry (``annotations``)."""
    choice = dict(body["choices"][0])
    message = {k: v for k, v in choice["message"].items() if k != "annotations"}
    return {**body, "choices": [{**choice, "message": message}]}
