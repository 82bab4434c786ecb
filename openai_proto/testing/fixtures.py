"""Canned API bodies shaped like the real ones, as plain Python data.

:func:`chat_completion` is the JSON body of a chat completion, and
:func:`chat_completion_chunks` the chunks of the same answer streamed: the role
delta first, one chunk per content token, a chunk carrying ``finish_reason``, and
(when usage is asked for) a last chunk with no choices and the usage.  Each call
returns fresh objects, so a test may change them freely.
"""

from __future__ import annotations

from typing import Any, Final

COMPLETION_ID: Final = "chatcmpl-Cq2kYhZ4pWcR8tN0vLmX3bJ7sQ1aE"
CREATED: Final = 1767225600
MODEL: Final = "gpt-4o-mini"
SYSTEM_FINGERPRINT: Final = "fp_560af6e559"
#: The demo answer, cut as the model streams it.
TOKENS: Final = ("Hello", "!", " How", " can", " I", " help", " you", " today", "?")
PROMPT_TOKENS: Final = 19

Json = dict[str, Any]


def usage(prompt_tokens: int = PROMPT_TOKENS, completion_tokens: int = len(TOKENS)) -> Json:
    """A ``usage`` object with the detail blocks the API sends."""
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


def chat_completion(model: str = MODEL, tokens: tuple[str, ...] = TOKENS) -> Json:
    """The body of ``POST /v1/chat/completions`` without streaming."""
    return {
        "id": COMPLETION_ID,
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "".join(tokens),
                    "refusal": None,
                    "annotations": [],
                },
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": usage(completion_tokens=len(tokens)),
        "service_tier": "default",
        "system_fingerprint": SYSTEM_FINGERPRINT,
    }


def chat_completion_chunks(
    model: str = MODEL, tokens: tuple[str, ...] = TOKENS, *, include_usage: bool = False
) -> list[Json]:
    """The ``data`` objects of the same answer streamed (``[DONE]`` not included).

    With ``include_usage`` every chunk carries ``"usage": null`` and a last chunk with
    empty ``choices`` carries the usage, as when ``stream_options.include_usage`` is set.
    """
    deltas: list[tuple[Json, str | None]] = [
        ({"role": "assistant", "content": "", "refusal": None}, None),
        *(({"content": token}, None) for token in tokens),
        ({}, "stop"),
    ]
    chunks = [
        _chunk(model, [_choice(delta, reason)], index, include_usage)
        for index, (delta, reason) in enumerate(deltas)
    ]
    if include_usage:
        last = _chunk(model, [], len(chunks), include_usage)
        last["usage"] = usage(completion_tokens=len(tokens))
        chunks.append(last)
    return chunks


def _choice(delta: Json, finish_reason: str | None) -> Json:
    return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}


def _chunk(model: str, choices: list[Json], index: int, include_usage: bool) -> Json:
    chunk: Json = {
        "id": COMPLETION_ID,
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": model,
        "service_tier": "default",
        "system_fingerprint": SYSTEM_FINGERPRINT,
        "choices": choices,
    }
    if include_usage:
        chunk["usage"] = None
    chunk["obfuscation"] = f"q{index:02d}Zx"  # padding the API adds to each chunk
    return chunk
