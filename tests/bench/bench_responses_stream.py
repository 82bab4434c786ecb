"""Benchmark of Responses API streams, ours against the official SDK (not collected by pytest).

The same SSE bytes go through every contender, in one run:

- ``floor``: split events on blank lines, ``json.loads`` each, join the deltas;
- ``decoder``: :class:`~openai_proto.streams.events.EventStreamDecoder` alone (no folding);
- ``ours``: the decoder + :class:`~openai_proto.streams.responses.ResponseAccumulator`, every
  event consumed, the delta's ``snapshot`` read (not kept) on every delta event, then
  ``get_final_response()``. (Keeping each snapshot string until the next one is read makes
  every read copy the text: a string someone holds cannot grow in place.);
- ``client``: what ``client.responses.stream(...)`` runs over the response's payloads — a
  :class:`~openai_proto.streams.responses_stream.ResponseStream` configured by the helper
  (no ``text_format``), the ``snapshot`` read on every delta event, and the final response
  as a typed ``ParsedResponse``; in the ``structured`` variant with ``text_format`` and
  ``parsed`` (the partial value) read on every delta event too;
- ``official``: ``openai._streaming.SSEDecoder`` + each event built as the official
  ``ResponseStreamEvent`` (what ``openai.Stream`` does) +
  ``openai.lib.streaming.responses._responses.ResponseStreamState.handle_event``, the
  ``snapshot`` read on every delta event that has one, then the final response.

Variants: ``text`` (one message, ~4-character deltas), ``tools`` (3 function calls whose
arguments stream interleaved), ``reasoning`` (a reasoning summary, then the answer),
``structured`` (the message is a JSON document of a ``text_format`` type), at 100,
1,000, 4,000 and 16,000 deltas. Reported: microseconds per delta and the ratio to the floor,
then the growth from 1,000 to 16,000 deltas (16 is linear).

Run: ``python -m tests.bench responses_stream`` or
``python tests/bench/bench_responses_stream.py [--quick] [--sizes 100,1000]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

if __name__ == "__main__":  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from openai_proto.streams.events import EventStreamDecoder
from openai_proto.streams.responses import ResponseAccumulator, ResponseDeltaEvent
from tests.bench.timing import best_of

SIZES = (100, 1000, 4000, 16000)
QUICK_OFFICIAL_LIMIT = 4000
READ_SIZE = 16384
VARIANTS = ("text", "tools", "reasoning", "structured")
WORDS = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "and", "then"]


def response(status: str, output: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654",
        "object": "response",
        "created_at": 1741290958,
        "status": status,
        "model": "gpt-4.1-2025-04-14",
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": None if status != "completed" else {"input_tokens": 5, "output_tokens": 9},
    }


def message_item(text: str | None) -> dict[str, Any]:
    content = [] if text is None else [{"type": "output_text", "text": text, "annotations": []}]
    status = "in_progress" if text is None else "completed"
    return {"id": "msg_1", "type": "message", "role": "assistant", "status": status,
            "content": content}  # fmt: skip


def pieces(size: int) -> list[str]:
    return [(" " if n else "") + WORDS[n % len(WORDS)][:3] for n in range(size)]


@attrs.define
class Row:
    id: int
    word: str


@attrs.define
class Rows:
    rows: list[Row]


def json_pieces(size: int) -> list[str]:
    """A ``Rows`` document as JSON, cut into ``size`` deltas of about 4 characters."""
    count = max(1, size // 6)
    text = json.dumps({"rows": [{"id": n, "word": WORDS[n % len(WORDS)]} for n in range(count)]})
    step = max(1, -(-len(text) // size))
    return [text[i : i + step] for i in range(0, len(text), step)]


def events_for(variant: str, size: int) -> list[dict[str, Any]]:
    """The event dicts of one stream with ``size`` deltas."""
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": response("in_progress", [])},
        {"type": "response.in_progress", "response": response("in_progress", [])},
    ]
    final: list[dict[str, Any]] = []
    if variant == "tools":
        calls = [
            {"id": f"fc_{n}", "type": "function_call", "call_id": f"call_{n}", "name": f"tool_{n}",
             "arguments": "", "status": "in_progress"}
            for n in range(3)
        ]  # fmt: skip
        for n, call in enumerate(calls):
            events.append({"type": "response.output_item.added", "output_index": n, "item": call})
        texts = ["", "", ""]
        for n, piece in enumerate(pieces(size)):
            index = n % 3
            texts[index] += piece
            events.append(
                {"type": "response.function_call_arguments.delta", "output_index": index,
                 "item_id": f"fc_{index}", "delta": piece}
            )  # fmt: skip
        for n, call in enumerate(calls):
            finished = {**call, "arguments": texts[n], "status": "completed"}
            events.append(
                {"type": "response.output_item.done", "output_index": n, "item": finished}
            )
            final.append(finished)
    else:
        index = 0
        if variant == "reasoning":
            item: dict[str, Any] = {"id": "rs_1", "type": "reasoning", "summary": []}
            events.append({"type": "response.output_item.added", "output_index": 0, "item": item})
            part: dict[str, Any] = {"type": "summary_text", "text": ""}
            where: dict[str, Any] = {"output_index": 0, "item_id": "rs_1", "summary_index": 0}
            events.append({"type": "response.reasoning_summary_part.added", **where, "part": part})
            summary = "".join(pieces(size // 2))
            for piece in pieces(size // 2):
                events.append(
                    {"type": "response.reasoning_summary_text.delta", **where, "delta": piece}
                )
            done: dict[str, Any] = {**item, "summary": [{"type": "summary_text", "text": summary}]}
            events.append({"type": "response.output_item.done", "output_index": 0, "item": done})
            final.append(done)
            index, size = 1, size - size // 2
        events.append(
            {
                "type": "response.output_item.added",
                "output_index": index,
                "item": message_item(None),
            }
        )
        where = {"output_index": index, "item_id": "msg_1", "content_index": 0}
        part = {"type": "output_text", "text": "", "annotations": []}
        events.append({"type": "response.content_part.added", **where, "part": part})
        deltas = json_pieces(size) if variant == "structured" else pieces(size)
        for piece in deltas:
            events.append({"type": "response.output_text.delta", **where, "delta": piece,
                           "logprobs": []})  # fmt: skip
        text = "".join(deltas)
        events.append({"type": "response.output_text.done", **where, "text": text, "logprobs": []})
        done = message_item(text)
        events.append({"type": "response.output_item.done", "output_index": index, "item": done})
        final.append(done)
    events.append({"type": "response.completed", "response": response("completed", final)})
    return [{**event, "sequence_number": n} for n, event in enumerate(events)]


def sse_bytes(events: list[dict[str, Any]]) -> bytes:
    return "".join(
        f"event: {e['type']}\ndata: {json.dumps(e, separators=(',', ':'))}\n\n" for e in events
    ).encode()


def reads(body: bytes) -> list[bytes]:
    return [body[i : i + READ_SIZE] for i in range(0, len(body), READ_SIZE)]


# -- contenders -----------------------------------------------------------------------------------


def floor(body: bytes) -> Any:
    texts: dict[int, list[str]] = {}
    for block in body.decode().split("\n\n"):
        if not block:
            continue
        data = block[block.index("data: ") + 6 :]
        event = json.loads(data)
        delta = event.get("delta")
        if delta is not None:
            texts.setdefault(event.get("output_index", 0), []).append(delta)
    return {index: "".join(parts) for index, parts in texts.items()}


def decode_only(chunks: list[bytes]) -> Any:
    decoder = EventStreamDecoder()
    count = 0
    for chunk in chunks:
        count += len(decoder.feed(chunk))
    decoder.close()
    return count


def ours(chunks: list[bytes]) -> Any:
    decoder = EventStreamDecoder()
    accumulator = ResponseAccumulator()
    for chunk in chunks:
        for payload in decoder.feed(chunk):
            for event in accumulator.feed(payload.data):
                if type(event) is ResponseDeltaEvent:
                    len(event.snapshot)  # read, not kept (a kept str cannot grow in place)
    decoder.close()
    accumulator.close()
    return accumulator.get_final_response()


def client_runner(variant: str) -> Callable[[list[bytes]], Any]:
    """What ``client.responses.stream(...)`` does with the payloads of a response."""
    from openai_proto.helpers.responses import accumulator_options, parser_for
    from openai_proto.streams.responses_stream import ResponseStream

    structured = variant == "structured"
    parser, _ = parser_for(Rows if structured else None, None)

    def payloads(chunks: list[bytes]) -> Iterator[Any]:
        decoder = EventStreamDecoder()
        for chunk in chunks:
            yield from decoder.feed(chunk)
        yield from decoder.close()

    def run(chunks: list[bytes]) -> Any:
        options = accumulator_options(parser)
        accumulator = ResponseAccumulator(**options)
        stream = ResponseStream(
            payloads(chunks), accumulator=accumulator, final=options["decode_final"]
        )
        for event in stream:
            if type(event) is ResponseDeltaEvent:
                len(event.snapshot)
                if structured:
                    _ = event.parsed
        return stream.get_final_response()

    return run


def official_runner() -> Callable[[list[bytes]], Any] | None:
    try:
        from openai._models import construct_type
        from openai._streaming import SSEDecoder
        from openai._types import omit
        from openai.lib.streaming.responses._responses import ResponseStreamState
        from openai.types.responses import ResponseStreamEvent
    except ImportError:
        return None

    def run(chunks: list[bytes]) -> Any:
        state: Any = ResponseStreamState(input_tools=omit, text_format=omit)
        for sse in SSEDecoder().iter_bytes(iter(chunks)):
            event = construct_type(type_=ResponseStreamEvent, value=sse.json())
            for out in state.handle_event(event):
                _ = getattr(out, "snapshot", None)
        return state._completed_response

    return run


def measure(
    variant: str, size: int, official: Callable[[list[bytes]], Any] | None
) -> dict[str, float]:
    body = sse_bytes(events_for(variant, size))
    chunks = reads(body)
    timings = {"floor": best_of(lambda: floor(body), repeat=5, min_time=0.1)}
    timings["decoder"] = best_of(lambda: decode_only(chunks), repeat=5, min_time=0.1)
    timings["ours"] = best_of(lambda: ours(chunks), repeat=5, min_time=0.1)
    client = client_runner(variant)
    timings["client"] = best_of(lambda: client(chunks), repeat=5, min_time=0.1)
    if official is not None:
        timings["official"] = best_of(lambda: official(chunks), repeat=3, min_time=0.1)
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="official SDK up to 4,000 deltas")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args(
        sys.argv[2:] if argv is None and sys.argv[1:2] == ["responses_stream"] else argv
    )
    sizes = [int(s) for s in args.sizes.split(",")]
    variants = args.variants.split(",")
    runner = official_runner()
    print("\nResponses streams: microseconds per delta (ratio to the floor)")
    results: dict[tuple[str, int], dict[str, float]] = {}
    for variant in variants:
        for size in sizes:
            use = runner if not args.quick or size <= QUICK_OFFICIAL_LIMIT else None
            timings = results[(variant, size)] = measure(variant, size, use)
            cells = "  ".join(
                f"{name}: {seconds / size * 1e6:8.2f}us ({seconds / timings['floor']:6.2f}x)"
                for name, seconds in timings.items()
            )
            print(f"  {variant:10} {size:6}  {cells}", flush=True)
    if 1000 in sizes and 16000 in sizes:
        print("\nGrowth, time at 16,000 deltas / time at 1,000 deltas (linear: 16)")
        for variant in variants:
            small, large = results[(variant, 1000)], results[(variant, 16000)]
            cells = "  ".join(
                f"{name}: {large[name] / small[name]:6.1f}" for name in large if name in small
            )
            print(f"  {variant:10} {cells}")


if __name__ == "__main__":
    main(sys.argv[1:])
