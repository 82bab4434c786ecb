"""Builders shared by the tool runner tests: completions, their chunk streams, clients.

A completion built here is exactly what :class:`ChatCompletionStreamState` folds its
:func:`chunks_of` back into, so streamed and plain runs can be compared as equals.
"""

from __future__ import annotations

import json
from typing import Any

from openai_proto import AsyncClient, Client, Config
from openai_proto.testing import memory
from openai_proto.testing import script as loopback

Json = dict[str, Any]
MODEL = "gpt-4o-2024-08-06"
USER = {"role": "user", "content": "What's the weather in Paris and in Rome?"}


def function_call(call_id: str, name: str, arguments: object) -> Json:
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": text}}


def completion(
    message: Json, finish_reason: str, *, number: int = 1, usage: tuple[int, int] = (20, 7)
) -> Json:
    prompt, completion_tokens = usage
    return {
        "id": f"chatcmpl-{number}",
        "object": "chat.completion",
        "created": 1767225600 + number,
        "model": MODEL,
        "system_fingerprint": "fp_runner",
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt + completion_tokens,
        },
    }


def asks(*calls: Json, number: int = 1, content: str | None = None) -> Json:
    """A completion asking for ``calls``."""
    message = {"role": "assistant", "content": content, "refusal": None, "tool_calls": list(calls)}
    return completion(message, "tool_calls", number=number)


def answers(text: str, *, number: int = 1) -> Json:
    """A completion answering with ``text``."""
    message = {"role": "assistant", "content": text, "refusal": None}
    return completion(message, "stop", number=number)


def assistant(body: Json) -> Json:
    """The message the runner adds to the conversation for a completion built here."""
    message = body["choices"][0]["message"]
    param = {"role": "assistant", "content": message["content"]}
    if message.get("tool_calls"):
        param["tool_calls"] = message["tool_calls"]
    return param


def tool_message(call_id: str, content: str) -> Json:
    return {"role": "tool", "tool_call_id": call_id, "content": content}


# -- streams --------------------------------------------------------------------------------


def chunks_of(body: Json) -> list[Json]:
    """The chunks that stream ``body``: role, text in two pieces, each call's arguments in
    two pieces, the finish reason, and a last chunk with the usage."""
    message = body["choices"][0]["message"]
    text = message["content"]
    deltas: list[Json] = [{"role": "assistant", "content": "" if text else None, "refusal": None}]
    deltas += [{"content": piece} for piece in _halves(text or "")]
    for index, call in enumerate(message.get("tool_calls") or []):
        first, rest = _split(call["function"]["arguments"])
        head = {"name": call["function"]["name"], "arguments": first}
        deltas.append({"tool_calls": [{"index": index, "id": call["id"], "type": "function"}]})
        deltas[-1]["tool_calls"][0]["function"] = head
        if rest:
            deltas.append({"tool_calls": [{"index": index, "function": {"arguments": rest}}]})
    top = {key: body[key] for key in ("id", "created", "model", "system_fingerprint")}
    finish = body["choices"][0]["finish_reason"]
    chunks = [_chunk(top, delta, None) for delta in deltas]
    chunks.append(_chunk(top, {}, finish))
    chunks.append({**top, "object": "chat.completion.chunk", "choices": [], "usage": body["usage"]})
    return chunks


def _chunk(top: Json, delta: Json, finish_reason: str | None) -> Json:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
    return {**top, "object": "chat.completion.chunk", "choices": [choice], "usage": None}


def _halves(text: str) -> list[str]:
    return [piece for piece in _split(text) if piece]


def _split(text: str) -> tuple[str, str]:
    middle = len(text) // 2
    return text[:middle], text[middle:]


def sse_body(body: Json) -> bytes:
    events = [b"data: " + json.dumps(chunk).encode() + b"\n\n" for chunk in chunks_of(body)]
    return b"".join([*events, b"data: [DONE]\n\n"])


# -- in-memory clients ----------------------------------------------------------------------


def memory_reply(body: Json, stream: bool) -> memory.Reply:
    if not stream:
        return memory.json_reply(body)
    events = sse_body(body).split(b"\n\n")[:-1]
    chunks = tuple(event + b"\n\n" for event in events)
    return memory.Reply(200, (("content-type", "text/event-stream"),), chunks)


def memory_client(*bodies: Json, stream: bool = False) -> tuple[Client, memory.MemoryTransport]:
    transport = memory.MemoryTransport(memory.replay(*(memory_reply(b, stream) for b in bodies)))
    return Client(transport, Config(api_key="sk-test", max_retries=0)), transport


def async_memory_client(
    *bodies: Json, stream: bool = False
) -> tuple[AsyncClient, memory.AsyncMemoryTransport]:
    handler = memory.replay(*(memory_reply(b, stream) for b in bodies))
    transport = memory.AsyncMemoryTransport(handler)
    return AsyncClient(transport, Config(api_key="sk-test", max_retries=0)), transport


def sent(transport: memory.MemoryTransport | memory.AsyncMemoryTransport) -> list[Json]:
    """The JSON bodies of the requests made, in order."""
    return [json.loads(request.body) for request in transport.requests]  # type: ignore[arg-type]


# -- the loopback server --------------------------------------------------------------------


def loopback_reply(body: Json, stream: bool) -> loopback.Reply:
    if stream:
        return loopback.sse_reply(chunks_of(body))
    return loopback.json_reply(body)
