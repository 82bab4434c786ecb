"""Benchmark of the model layer on a ~900 KB chat completion (not collected by pytest).

Builds a synthetic chat-completion-like JSON (50 choices, each with tool calls and token
logprobs with top logprobs), then times, best of N runs:

- ``structure`` (lenient decode of the parsed dict) against ``json.loads`` of the bytes;
- ``to_dict`` (encode) against ``json.dumps`` of the dict;
- the whole trip bytes -> model and model -> bytes against the plain JSON equivalents;
- the official SDK's pydantic ``ChatCompletion.model_validate``, when ``openai`` is installed.

Run: ``.venv/bin/python tests/bench/bench_models.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from typing import Any, Literal, Union

import attrs

from openai_proto.models import (
    UNSET,
    Model,
    UnknownVariant,
    UnsetType,
    field,
    register_tagged_union,
    structure,
)


@attrs.define
class TopLogprob(Model):
    token: str | UnsetType = field(required=True)
    logprob: float | UnsetType = field(required=True)
    bytes: list[int] | UnsetType | None = field(required=True)


@attrs.define
class TokenLogprob(Model):
    token: str | UnsetType = field(required=True)
    logprob: float | UnsetType = field(required=True)
    bytes: list[int] | UnsetType | None = field(required=True)
    top_logprobs: list[TopLogprob] | UnsetType = field(required=True)


@attrs.define
class ChoiceLogprobs(Model):
    content: list[TokenLogprob] | UnsetType | None = field(required=True)
    refusal: list[TokenLogprob] | UnsetType | None = field(required=True)


@attrs.define
class FunctionCall(Model):
    name: str | UnsetType = field(required=True)
    arguments: str | UnsetType = field(required=True)


@attrs.define
class FunctionToolCall(Model):
    id: str | UnsetType = field(required=True)
    type: Literal["function"] | UnsetType = field(default="function", required=True)
    function: FunctionCall | UnsetType = field(required=True)


@attrs.define
class CustomCall(Model):
    name: str | UnsetType = field(required=True)
    input: str | UnsetType = field(required=True)


@attrs.define
class CustomToolCall(Model):
    id: str | UnsetType = field(required=True)
    type: Literal["custom"] | UnsetType = field(default="custom", required=True)
    custom: CustomCall | UnsetType = field(required=True)


@attrs.define
class UnknownToolCall(UnknownVariant):
    type: str | UnsetType = UNSET


ToolCall = Union[FunctionToolCall, CustomToolCall, UnknownToolCall]
register_tagged_union(
    ToolCall,
    tag="type",
    variants={"function": FunctionToolCall, "custom": CustomToolCall},
    unknown=UnknownToolCall,
)


@attrs.define
class Message(Model):
    role: Literal["assistant"] | UnsetType = field(required=True)
    content: str | UnsetType | None = field(required=True)
    refusal: str | UnsetType | None = field(required=True)
    tool_calls: list[ToolCall] | UnsetType = UNSET
    annotations: list[Any] | UnsetType = UNSET
    audio: dict[str, Any] | UnsetType | None = UNSET


@attrs.define
class Choice(Model):
    index: int | UnsetType = field(required=True)
    finish_reason: (
        Literal["stop", "length", "tool_calls", "content_filter", "function_call"] | UnsetType
    ) = field(required=True)
    message: Message | UnsetType = field(required=True)
    logprobs: ChoiceLogprobs | UnsetType | None = field(required=True)


@attrs.define
class PromptTokensDetails(Model):
    cached_tokens: int | UnsetType = UNSET
    audio_tokens: int | UnsetType = UNSET


@attrs.define
class Usage(Model):
    prompt_tokens: int | UnsetType = field(required=True)
    completion_tokens: int | UnsetType = field(required=True)
    total_tokens: int | UnsetType = field(required=True)
    prompt_tokens_details: PromptTokensDetails | UnsetType = UNSET


@attrs.define
class ChatCompletion(Model):
    id: str | UnsetType = field(required=True)
    object: Literal["chat.completion"] | UnsetType = field(required=True)
    created: int | UnsetType = field(required=True)
    model: str | UnsetType = field(required=True)
    choices: list[Choice] | UnsetType = field(required=True)
    usage: Usage | UnsetType = UNSET
    system_fingerprint: str | UnsetType = UNSET
    service_tier: str | UnsetType | None = UNSET


def chat_completion(seed: int = 0, choices: int = 50, tokens: int = 50) -> dict[str, Any]:
    """A chat completion of about 18 KB per choice with these defaults (~900 KB)."""
    rnd = random.Random(seed)

    def word() -> str:
        return "".join(rnd.choice("abcdefghij klmnopé") for _ in range(rnd.randint(1, 8)))

    def logprob() -> dict[str, Any]:
        token = word()
        return {"token": token, "logprob": -rnd.random() * 5, "bytes": list(token.encode())}

    def token_logprob() -> dict[str, Any]:
        return {**logprob(), "top_logprobs": [logprob() for _ in range(3)]}

    def tool_call(index: int) -> dict[str, Any]:
        arguments = json.dumps({"city": word(), "unit": "c"})
        return {
            "id": f"call_{index}",
            "type": "function",
            "function": {"name": "get_weather", "arguments": arguments},
        }

    def choice(index: int) -> dict[str, Any]:
        message = {
            "role": "assistant",
            "content": " ".join(word() for _ in range(40)),
            "refusal": None,
            "tool_calls": [tool_call(index * 3 + k) for k in range(3)],
            "annotations": [],
        }
        return {
            "index": index,
            "message": message,
            "logprobs": {"content": [token_logprob() for _ in range(tokens)], "refusal": None},
            "finish_reason": "tool_calls",
        }

    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "gpt-4o-2024-08-06",
        "choices": [choice(i) for i in range(choices)],
        "usage": {
            "prompt_tokens": 1000,
            "completion_tokens": 5000,
            "total_tokens": 6000,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        },
        "system_fingerprint": "fp_bench",
        "service_tier": "default",
    }


def best_of(runs: int, action: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def _sdk_validate(data: dict[str, Any]) -> Callable[[], object] | None:
    try:
        from openai.types.chat import ChatCompletion as SDKChatCompletion
    except ImportError:
        return None
    return lambda: SDKChatCompletion.model_validate(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs

    data = chat_completion()
    raw = json.dumps(data, ensure_ascii=False).encode()
    model = structure(data, ChatCompletion)  # builds the decoders and encoders once
    assert model.to_dict() == data
    assert structure(data, ChatCompletion, strict=True) == model

    loads = best_of(runs, lambda: json.loads(raw))
    dumps = best_of(runs, lambda: json.dumps(data, ensure_ascii=False))
    decode = best_of(runs, lambda: structure(data, ChatCompletion))
    encode = best_of(runs, model.to_dict)
    read = best_of(runs, lambda: structure(json.loads(raw), ChatCompletion))
    write = best_of(runs, lambda: model.to_json().encode())

    print(f"payload: {len(raw) / 1000:.0f} KB, best of {runs} runs")
    print(f"json.loads        {loads * 1e3:7.2f} ms")
    print(f"json.dumps        {dumps * 1e3:7.2f} ms")
    print(f"structure         {decode * 1e3:7.2f} ms   {decode / loads:5.2f} x json.loads")
    print(f"to_dict           {encode * 1e3:7.2f} ms   {encode / dumps:5.2f} x json.dumps")
    print(f"bytes -> model    {read * 1e3:7.2f} ms   {read / loads:5.2f} x json.loads")
    print(f"model -> bytes    {write * 1e3:7.2f} ms   {write / dumps:5.2f} x json.dumps")
    sdk = _sdk_validate(data)
    if sdk is not None:
        sdk_time = best_of(runs, sdk)
        print(
            f"openai SDK model_validate {sdk_time * 1e3:7.2f} ms   "
            f"{sdk_time / loads:5.2f} x json.loads   ({sdk_time / decode:4.1f} x ours)"
        )


if __name__ == "__main__":
    main()
