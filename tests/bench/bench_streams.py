"""Benchmark of chat completion streams, ours against the official SDK (not collected by pytest).

The same SSE bytes go through every contender, in one run:

- ``floor``: split events on blank lines, ``json.loads`` each, join the deltas;
- ``ours: helper``: :class:`~openai_proto.streams.events.EventStreamDecoder` +
  :class:`~openai_proto.streams.chat.ChatCompletionStreamState`, every event consumed
  (``parsed`` / ``parsed_arguments`` read on every delta event), then the final completion;
- ``ours: client helper``: the same through what ``client.chat.completions.stream()`` gives,
  a :class:`~openai_proto.streams.chat_stream.ChatCompletionStream` over the decoder's data
  (a ``typed`` state: chunk events hold models decoded only when read, and the final
  completion is a ``ParsedChatCompletion`` model);
- ``ours: typed chunks``: the decoder, each chunk decoded into the generated
  ``ChatCompletionChunk`` model (plain dicts if the models are absent), no accumulation;
- ``official: helper``: ``openai.lib.streaming.chat.ChatCompletionStream`` (what
  ``client.chat.completions.stream()`` returns) over an ``openai.Stream`` reading the bytes,
  every event consumed, then ``get_final_completion()``;
- ``official: typed chunks``: iterating the ``openai.Stream`` (``create(stream=True)``).

Five variants (plain text in ~4-character deltas; a JSON object streamed as structured
output; 3 parallel strict tool calls; text with logprobs, 3 top logprobs each; ``n = 2``
interleaved choices), at 100, 1,000, 4,000 and 16,000 chunks. Reported: microseconds per
chunk and the ratio to the floor; and the growth of each contender from 1,000 to 16,000
chunks (16 would be linear).

Run: ``python -m tests.bench streams`` or ``python tests/bench/bench_streams.py [--quick]``
(``--quick``: the official SDK only up to 4,000 chunks, since its cost grows with the
square of the stream's length; ``--sizes 100,1000``; ``--variants text,tools``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

from openai_proto.streams.chat import ChatCompletionStreamState
from openai_proto.streams.chat_stream import ChatCompletionStream
from openai_proto.streams.events import EventStreamDecoder
from tests.bench.timing import best_of

SIZES = (100, 1000, 4000, 16000)
QUICK_OFFICIAL_LIMIT = 4000
#: Bytes per network read fed to the decoders (the floor splits the whole body).
READ_SIZE = 16384
TOOL_NAMES = ("get_weather", "get_time", "lookup")
STRICT_TOOLS = [
    {"type": "function", "function": {"name": n, "parameters": {}, "strict": True}}
    for n in TOOL_NAMES
]
SCHEMA_FORMAT = {"type": "json_schema", "json_schema": {"name": "Catalog", "schema": {}}}
WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "lazy",
    "dog",
    "and",
    "then",
    "runs",
    "far",
    "away",
    "from",
    "here",
]


# -- streams ----------------------------------------------------------------------------------


def _chunk(choices: list[dict[str, Any]], index: int) -> dict[str, Any]:
    return {
        "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
        "object": "chat.completion.chunk",
        "created": 1741570283,
        "model": "gpt-4o-2024-08-06",
        "service_tier": "default",
        "system_fingerprint": "fp_eb9dce56a8",
        "choices": choices,
        "obfuscation": "abcdef"[: index % 6],
    }


def _entry(index: int, delta: dict[str, Any], logprobs: Any = None) -> dict[str, Any]:
    return {"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": None}


def _text(chars: int) -> str:
    words: list[str] = []
    length = 0
    while length < chars:
        word = WORDS[len(words) % len(WORDS)]
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:chars]


def _pieces(text: str, count: int) -> list[str]:
    size = max(1, -(-len(text) // count))
    return [text[i : i + size] for i in range(0, len(text), size)]


def _finish(index: int, reason: str) -> dict[str, Any]:
    return {"index": index, "delta": {}, "logprobs": None, "finish_reason": reason}


def text_stream(count: int) -> list[dict[str, Any]]:
    pieces = _pieces(_text(4 * (count - 2)), count - 2)
    chunks = [_chunk([_entry(0, {"role": "assistant", "content": "", "refusal": None})], 0)]
    chunks += [_chunk([_entry(0, {"content": p})], i) for i, p in enumerate(pieces)]
    return [*chunks, _chunk([_finish(0, "stop")], count)]


def catalog_json(chars: int) -> str:
    items: list[dict[str, Any]] = []
    length = 0
    while length < chars:
        item = {"id": len(items), "name": _text(12 + len(items) % 9), "in_stock": True}
        items.append(item)
        length += len(json.dumps(item)) + 2
    return json.dumps({"title": "Catalog", "items": items})


def structured_stream(count: int) -> list[dict[str, Any]]:
    pieces = _pieces(catalog_json(4 * (count - 2)), count - 2)
    chunks = [_chunk([_entry(0, {"role": "assistant", "content": "", "refusal": None})], 0)]
    chunks += [_chunk([_entry(0, {"content": p})], i) for i, p in enumerate(pieces)]
    return [*chunks, _chunk([_finish(0, "stop")], count)]


def tools_stream(count: int) -> list[dict[str, Any]]:
    per_tool = (count - 2) // 3
    chunks = [_chunk([_entry(0, {"role": "assistant", "content": None})], 0)]
    for number, name in enumerate(TOOL_NAMES):
        arguments = json.dumps({"city": _text(4 * per_tool - 40), "unit": "celsius"})
        pieces = _pieces(arguments, per_tool)
        head = {
            "index": number,
            "id": f"call_{number}",
            "type": "function",
            "function": {"name": name, "arguments": pieces[0]},
        }
        chunks.append(_chunk([_entry(0, {"tool_calls": [head]})], len(chunks)))
        for piece in pieces[1:]:
            call = {"index": number, "function": {"arguments": piece}}
            chunks.append(_chunk([_entry(0, {"tool_calls": [call]})], len(chunks)))
    return [*chunks, _chunk([_finish(0, "tool_calls")], count)]


def _logprob(token: str) -> dict[str, Any]:
    tops = [
        {"token": token + s, "logprob": -0.5 * n, "bytes": list((token + s).encode())}
        for n, s in enumerate(("", "s", "ed"))
    ]
    return {"token": token, "logprob": -0.01, "bytes": list(token.encode()), "top_logprobs": tops}


def logprobs_stream(count: int) -> list[dict[str, Any]]:
    pieces = _pieces(_text(4 * (count - 2)), count - 2)
    first = _entry(0, {"role": "assistant", "content": ""}, {"content": [], "refusal": None})
    chunks = [_chunk([first], 0)]
    for number, piece in enumerate(pieces):
        logprobs = {"content": [_logprob(piece)], "refusal": None}
        chunks.append(_chunk([_entry(0, {"content": piece}, logprobs)], number))
    return [*chunks, _chunk([_finish(0, "stop")], count)]


def n2_stream(count: int) -> list[dict[str, Any]]:
    half = (count - 4) // 2
    texts = [_pieces(_text(4 * half), half), _pieces(_text(4 * half + 7), half)]
    chunks = [
        _chunk([_entry(index, {"role": "assistant", "content": ""})], index) for index in (0, 1)
    ]
    for number in range(max(len(texts[0]), len(texts[1]))):
        for index in (0, 1):
            if number < len(texts[index]):
                delta = {"content": texts[index][number]}
                chunks.append(_chunk([_entry(index, delta)], len(chunks)))
    chunks += [_chunk([_finish(index, "stop")], count + index) for index in (0, 1)]
    return chunks


VARIANTS: dict[str, tuple[Callable[[int], list[dict[str, Any]]], dict[str, Any]]] = {
    "text": (text_stream, {}),
    "structured": (structured_stream, {"response_format": SCHEMA_FORMAT}),
    "tools": (tools_stream, {"input_tools": STRICT_TOOLS}),
    "logprobs": (logprobs_stream, {}),
    "n2": (n2_stream, {}),
}


def sse_bytes(chunks: list[dict[str, Any]]) -> bytes:
    lines = [b"data: " + json.dumps(c, separators=(",", ":")).encode() + b"\n\n" for c in chunks]
    return b"".join(lines) + b"data: [DONE]\n\n"


# -- contenders -------------------------------------------------------------------------------


def floor(body: bytes) -> object:
    """Split events, json.loads each, join the text deltas."""
    texts: list[str] = []
    for event in body.split(b"\n\n"):
        if not event.startswith(b"data: "):
            continue
        data = event[6:]
        if data == b"[DONE]":
            break
        for choice in json.loads(data)["choices"]:
            delta = choice["delta"]
            content = delta.get("content")
            if content:
                texts.append(content)
            for call in delta.get("tool_calls") or ():
                texts.append(call["function"]["arguments"])
    return "".join(texts)


def _reads(body: bytes) -> list[bytes]:
    return [body[i : i + READ_SIZE] for i in range(0, len(body), READ_SIZE)]


def ours_helper(body: bytes, options: dict[str, Any]) -> object:
    decoder = EventStreamDecoder()
    state = ChatCompletionStreamState(**options)
    handle = state.handle_chunk
    for data in _reads(body):
        for payload in decoder.feed(data):
            for event in handle(payload.data):
                if event.type == "content.delta":
                    _ = event.parsed
                elif event.type == "tool_calls.function.arguments.delta":
                    _ = event.parsed_arguments
    decoder.close()
    state.close()
    return state.get_final_completion()


def _event_data(body: bytes) -> Iterator[Any]:
    decoder = EventStreamDecoder()
    for data in _reads(body):
        for payload in decoder.feed(data):
            yield payload.data
    decoder.close()


def ours_client_helper(body: bytes, options: dict[str, Any]) -> object:
    stream: ChatCompletionStream[Any] = ChatCompletionStream(_event_data(body), **options)
    for event in stream:
        if event.type == "content.delta":
            _ = event.parsed
        elif event.type == "tool_calls.function.arguments.delta":
            _ = event.parsed_arguments
    return stream.get_final_completion()


def _chunk_type() -> Any:
    try:
        from openai_proto.generated.models.chat import ChatCompletionChunk
    except ImportError:  # pragma: no cover - the models are generated separately
        return None
    return ChatCompletionChunk


def ours_chunks(body: bytes, chunk_type: Any) -> object:
    from openai_proto.models import structure

    decoder = EventStreamDecoder()
    last = None
    for data in _reads(body):
        for payload in decoder.feed(data):
            last = payload.data if chunk_type is None else structure(payload.data, chunk_type)
    decoder.close()
    return last


def _official_stream(body: bytes) -> Any:
    import httpx2  # the official SDK's own httpx fork
    from openai import OpenAI, Stream
    from openai.types.chat import ChatCompletionChunk

    client = _official_client(OpenAI)
    response = httpx2.Response(200, stream=httpx2.ByteStream(body))
    response.iter_bytes = lambda chunk_size=None: iter(_reads(body))  # type: ignore[method-assign]
    return Stream(cast_to=ChatCompletionChunk, response=response, client=client)


_CLIENT: list[Any] = []


def _official_client(cls: Any) -> Any:
    if not _CLIENT:
        _CLIENT.append(cls(api_key="sk-bench", base_url="http://localhost"))
    return _CLIENT[0]


def official_helper(body: bytes, options: dict[str, Any]) -> object:
    from openai.lib.streaming.chat import ChatCompletionStream

    response_format = options.get("response_format")
    stream = ChatCompletionStream(
        raw_stream=_official_stream(body),
        response_format=_catalog_model() if response_format else _omit(),
        input_tools=options.get("input_tools", _omit()),
    )
    for event in stream:
        if event.type == "content.delta":
            _ = event.parsed
        elif event.type == "tool_calls.function.arguments.delta":
            _ = event.parsed_arguments
    return stream.get_final_completion()


def official_chunks(body: bytes) -> object:
    last = None
    for chunk in _official_stream(body):
        last = chunk
    return last


def _omit() -> Any:
    from openai import omit

    return omit


def _catalog_model() -> Any:
    from pydantic import BaseModel

    class Item(BaseModel):
        id: int
        name: str
        in_stock: bool

    class Catalog(BaseModel):
        title: str
        items: list[Item]

    return Catalog


# -- running ----------------------------------------------------------------------------------


def measure(variant: str, size: int, official: bool) -> dict[str, float]:
    make, options = VARIANTS[variant]
    body = sse_bytes(make(size))
    repeat = 5 if size <= 1000 else 3
    min_time = 0.2 if size <= 4000 else 0.05
    chunk_type = _chunk_type()
    rows: dict[str, Callable[[], object]] = {
        "floor": lambda: floor(body),
        "ours: helper": lambda: ours_helper(body, options),
        "ours: client helper": lambda: ours_client_helper(body, options),
        "ours: typed chunks": lambda: ours_chunks(body, chunk_type),
    }
    if official:
        rows["official: helper"] = lambda: official_helper(body, options)
        rows["official: typed chunks"] = lambda: official_chunks(body)
    return {name: best_of(run, repeat=repeat, min_time=min_time) for name, run in rows.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="official SDK up to 4,000 chunks")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args(
        sys.argv[2:] if argv is None and sys.argv[1:2] == ["streams"] else argv
    )
    sizes = [int(s) for s in args.sizes.split(",")]
    variants = args.variants.split(",")
    try:
        import openai  # noqa: F401

        have_official = True
    except ImportError:
        have_official = False
    print("\nChat completion streams: microseconds per chunk (ratio to the floor)")
    results: dict[tuple[str, int], dict[str, float]] = {}
    for variant in variants:
        for size in sizes:
            official = have_official and (not args.quick or size <= QUICK_OFFICIAL_LIMIT)
            timings = measure(variant, size, official)
            results[(variant, size)] = timings
            floor_time = timings["floor"]
            cells = "  ".join(
                f"{name}: {seconds / size * 1e6:8.2f}us ({seconds / floor_time:6.2f}x)"
                for name, seconds in timings.items()
            )
            print(f"  {variant:10} {size:6}  {cells}", flush=True)
    if 1000 in sizes and 16000 in sizes:
        print("\nGrowth, time at 16,000 chunks / time at 1,000 chunks (linear: 16; target <= 20)")
        for variant in variants:
            small, large = results[(variant, 1000)], results[(variant, 16000)]
            cells = "  ".join(
                f"{name}: {large[name] / small[name]:6.1f}" for name in large if name in small
            )
            print(f"  {variant:10} {cells}")


if __name__ == "__main__":
    main(sys.argv[1:])
