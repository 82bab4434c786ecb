"""Fuzz targets: plain functions of ``bytes`` that return ``None`` or fail loudly.

Every target holds h11's invariant, for its parser:

* whatever the bytes, the parser produces its items or raises our
  :class:`~openai_proto.errors.RemoteProtocolError` / :class:`~openai_proto.errors.StreamError`
  — any other exception escapes and is a finding;
* the items and the error are the same whether the bytes are fed all at once, one
  byte at a time, or in uneven chunks cut where the data says (an ``AssertionError``
  otherwise).

Adding a target is one decorated function: ``@target("name")``. The runners are
``tests/test_fuzz_targets.py`` (hypothesis) and ``python -m fuzz.run_atheris NAME``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from openai_proto.errors import RemoteProtocolError, StreamError
from openai_proto.lines import LineDecoder
from openai_proto.sse import SSEDecoder
from openai_proto.streams.events import EventStreamDecoder

Target = Callable[[bytes], None]

#: name -> target; ``python -m fuzz.run_atheris NAME`` runs one.
TARGETS: dict[str, Target] = {}

#: A small line limit, so that fuzzing reaches the "line too long" path.
SMALL_LINE_LIMIT = 24

#: What a run of a decoder gives: its items, and the error it ended with.
Outcome = tuple[list[Any], "tuple[str, str] | None"]


class Decoder(Protocol):
    """What every stream decoder offers: ``feed(bytes) -> list``; ``close() -> list``."""

    def feed(self, data: bytes, /) -> list[Any]: ...

    def close(self) -> list[Any]: ...


def target(name: str) -> Callable[[Target], Target]:
    """Register a fuzz target under ``name``."""

    def register(function: Target) -> Target:
        TARGETS[name] = function
        return function

    return register


def outcome(decoder: Decoder, chunks: Sequence[bytes]) -> Outcome:
    """Feed ``chunks`` then close; the items, and our error as ``(class, message)``."""
    items: list[Any] = []
    try:
        for chunk in chunks:
            items.extend(decoder.feed(chunk))
        items.extend(decoder.close())
    except (RemoteProtocolError, StreamError) as exc:
        return items, (type(exc).__name__, str(exc))
    return items, None


def bytewise(data: bytes) -> list[bytes]:
    """``data`` one byte at a time."""
    return [data[i : i + 1] for i in range(len(data))]


def uneven(data: bytes) -> list[bytes]:
    """``data`` in chunks of 1 to 13 bytes, sizes taken from the data itself."""
    chunks: list[bytes] = []
    position = 0
    while position < len(data):
        size = 1 + data[len(chunks) % len(data)] % 13
        chunks.append(data[position : position + size])
        position += size
    return chunks


def check_chunking(make: Callable[[], Decoder], data: bytes) -> None:
    """All at once, byte by byte, and in uneven chunks give the same outcome."""
    whole = outcome(make(), [data])
    for name, chunks in (("byte by byte", bytewise(data)), ("uneven", uneven(data))):
        split = outcome(make(), chunks)
        if split != whole:
            raise AssertionError(f"{name} differs from all at once:\n{split!r}\n!=\n{whole!r}")


@target("lines")
def fuzz_lines(data: bytes) -> None:
    check_chunking(LineDecoder, data)
    check_chunking(lambda: LineDecoder(max_line_bytes=SMALL_LINE_LIMIT, strip_bom=True), data)


@target("sse")
def fuzz_sse(data: bytes) -> None:
    check_chunking(SSEDecoder, data)
    check_chunking(lambda: SSEDecoder(max_line_bytes=SMALL_LINE_LIMIT), data)


@target("event_stream")
def fuzz_event_stream(data: bytes) -> None:
    check_chunking(EventStreamDecoder, data)
    check_chunking(lambda: EventStreamDecoder(max_line_bytes=SMALL_LINE_LIMIT), data)


@target("partial_json")
def fuzz_partial_json(data: bytes) -> None:
    from fuzz.partial_json_target import fuzz_partial_json as check

    check(data)


__all__ = [
    "TARGETS",
    "bytewise",
    "check_chunking",
    "fuzz_event_stream",
    "fuzz_lines",
    "fuzz_partial_json",
    "fuzz_sse",
    "outcome",
    "target",
    "uneven",
]


# -- chat completions accumulator (appended) ------------------------------------------------

# imported here, at import time, so that atheris instruments it
from openai_proto.streams.chat import ChatCompletionStreamState  # noqa: E402


def _chat_errors() -> tuple[type[Exception], ...]:
    """The errors a chat completion stream may end with (anything else is a finding)."""
    from openai_proto.errors import ContentFilterFinishReasonError, LengthFinishReasonError

    return (RemoteProtocolError, LengthFinishReasonError, ContentFilterFinishReasonError)


#: Pieces of text the chat target streams (JSON fragments, to reach the parser's paths).
_CHAT_PIECES = ('{"a": ', '"x', "y\\u00", 'e9"', ", ", "[1, 2", "]}", "}", "tru", "e", " ", "")


def chat_chunks(data: bytes) -> list[Any]:
    """A chat completion stream drawn from ``data``: three bytes per chunk (what, choice,
    argument), covering deltas, tool calls, logprobs, finish reasons, usage, Azure
    pseudo-chunks and a few broken chunks."""
    chunks: list[Any] = []
    for pos in range(0, len(data) - 2, 3):
        what, which, arg = data[pos], data[pos + 1] % 3, data[pos + 2]
        piece = _CHAT_PIECES[arg % len(_CHAT_PIECES)]
        delta: dict[str, Any] = {}
        entry: dict[str, Any] = {"index": which, "delta": delta}
        top: Any = {"object": "chat.completion.chunk", "id": "c", "choices": [entry]}
        kind = what % 12
        if kind in (0, 1, 2):
            delta["content"] = piece
        elif kind == 3:
            delta["refusal"] = piece
        elif kind in (4, 5):
            call: dict[str, Any] = {"index": arg % 2, "function": {"arguments": piece}}
            if arg & 4:
                call.update(id=f"call{arg % 2}", type="function")
                call["function"]["name"] = "f" if arg & 8 else "g"
            delta["tool_calls"] = [call]
        elif kind == 6:
            entry["finish_reason"] = ("stop", "length", "content_filter", "tool_calls")[arg % 4]
        elif kind == 7:
            entry["logprobs"] = {"content": [{"token": piece}], "refusal": None}
        elif kind == 8:
            top = {**top, "choices": [], "usage": None if arg & 1 else {"total_tokens": arg}}
        elif kind == 9:
            top = {"object": "", "choices": [], "prompt_filter_results": [arg]}
        elif kind == 10:
            delta.update(role="assistant", reasoning_content=piece, flag=bool(arg & 1))
        else:
            top = [top, {"index": "0"}, {"choices": [{"index": 0, "delta": 5}]}, 7][arg % 4]
        chunks.append(top)
    return chunks


def _split_texts(chunks: list[Any]) -> list[Any]:
    """The same stream with every content delta cut in two chunks."""
    out: list[Any] = []
    for chunk in chunks:
        choices: Any = chunk.get("choices") if isinstance(chunk, dict) else None
        content = None
        if isinstance(choices, list) and len(choices) == 1 and isinstance(choices[0], dict):
            delta: Any = choices[0].get("delta")
            only_content = isinstance(delta, dict) and set(delta) == {"content"}
            content = delta["content"] if only_content else None
        if not isinstance(content, str) or len(content) < 2 or len(choices[0]) != 2:
            out.append(chunk)
            continue
        half = len(content) // 2
        for part in (content[:half], content[half:]):
            out.append({**chunk, "choices": [{**choices[0], "delta": {"content": part}}]})
    return out


def chat_outcome(chunks: list[Any], read_everything: bool) -> tuple[Any, Any]:
    """Fold ``chunks`` (parsing on); the final snapshot and the error, as comparable values."""
    tools = [{"type": "function", "function": {"name": "f", "strict": True}}]
    state = ChatCompletionStreamState(response_format={"type": "json_object"}, input_tools=tools)
    error = None
    try:
        for chunk in chunks:
            for event in state.handle_chunk(chunk):
                if read_everything:
                    event.to_dict()
            if read_everything and state._version:
                _ = state.current_completion_snapshot
        state.close()
    except _chat_errors() as exc:
        error = type(exc).__name__
    snapshot = state.current_completion_snapshot if state._version else None
    return snapshot, error


@target("chat_stream")
def fuzz_chat_stream(data: bytes) -> None:
    chunks = chat_chunks(data)
    quiet = chat_outcome(chunks, read_everything=False)
    loud = chat_outcome(chunks, read_everything=True)
    if quiet != loud:
        raise AssertionError(f"reading events changed the result:\n{loud!r}\n!=\n{quiet!r}")
    split = chat_outcome(_split_texts(chunks), read_everything=False)
    if split[1] is None and quiet[1] is None and split != quiet:
        raise AssertionError(
            f"cutting content deltas changed the result:\n{split!r}\n!=\n{quiet!r}"
        )


# -- Responses and Assistants accumulators (appended) -------------------------------------

# imported here, at import time, so that atheris instruments them
import json  # noqa: E402

from openai_proto.streams.assistants import AssistantAccumulator  # noqa: E402
from openai_proto.streams.responses import ResponseAccumulator  # noqa: E402

#: Text pieces both targets stream.
_TEXT_PIECES = ("Hel", "lo", " wörld", "", "\u00e9", '{"a": 1', "}", "\U0001f600", "x" * 20)

_RESPONSE_KINDS = (
    "response.output_text.delta",
    "response.output_text.done",
    "response.refusal.delta",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
    "response.custom_tool_call_input.delta",
    "response.reasoning_summary_text.delta",
    "response.reasoning_text.delta",
    "response.output_text.annotation.added",
    "response.web_search_call.searching",
    "response.keepalive",
)


def response_events(data: bytes) -> list[Any]:
    """A Responses stream drawn from ``data``: three bytes per event (what, where, text)."""
    events: list[Any] = []
    for pos in range(0, len(data) - 2, 3):
        what, where, arg = data[pos], data[pos + 1], data[pos + 2]
        piece = _TEXT_PIECES[arg % len(_TEXT_PIECES)]
        index = where % 3
        kind = what % 20
        event: Any
        if kind == 0:
            event = {"type": "response.created", "response": {"id": "r", "output": []}}
        elif kind == 1:
            item_type = ("message", "function_call", "reasoning", "custom_tool_call")[arg % 4]
            event = {
                "type": "response.output_item.added",
                "output_index": index,
                "item": {"type": item_type, "id": f"i{index}"},
            }
        elif kind == 2:
            event = {"type": "response.in_progress", "response": {"id": "r", "status": "x"}}
        elif kind == 3:
            status = ("completed", "failed", "incomplete")[arg % 3]
            payload: dict[str, Any] = {"id": "r", "status": status}
            if arg & 8:
                payload["output"] = []
            event = {"type": f"response.{status}", "response": payload}
        elif kind == 4:
            event = [{"type": 3}, {"type": "response.output_text.delta", "output_index": "0"}, 7][
                arg % 3
            ]
        elif kind == 5:
            part = {"type": "output_text", "text": piece, "annotations": []}
            event = {"type": "response.content_part.added", "output_index": index}
            event.update(content_index=where % 2, part=part)
        else:
            name = _RESPONSE_KINDS[(kind - 6) % len(_RESPONSE_KINDS)]
            event = {"type": name, "output_index": index, "content_index": where % 2}
            event.update(summary_index=arg % 2, annotation_index=arg % 2, annotation={"n": arg})
            event.update(delta=piece, text=piece, arguments=piece, sequence_number=pos)
        events.append(event)
    return events


def _split_deltas(events: list[Any], key: str = "delta") -> list[Any]:
    """The same stream with every text delta of two characters or more cut in two."""
    out: list[Any] = []
    for event in events:
        text = event.get(key) if isinstance(event, dict) else None
        is_delta = str(event.get("type")).endswith(".delta") if text is not None else False
        if not isinstance(text, str) or len(text) < 2 or not is_delta:
            out.append(event)
            continue
        half = len(text) // 2
        out.extend([{**event, key: text[:half]}, {**event, key: text[half:]}])
    return out


def response_outcome(events: list[Any], read_everything: bool) -> tuple[Any, Any]:
    accumulator = ResponseAccumulator()
    error = None
    try:
        for event in events:
            for out in accumulator.feed(event):
                if read_everything:
                    _ = getattr(out, "snapshot", None) if out.type.endswith(".delta") else None
                    _ = accumulator.current_snapshot
        accumulator.close()
    except (RemoteProtocolError, StreamError) as exc:
        error = str(exc)
    return json.dumps(accumulator.current_snapshot, sort_keys=True), error


@target("responses_stream")
def fuzz_responses_stream(data: bytes) -> None:
    events = response_events(data)
    quiet = response_outcome(events, read_everything=False)
    loud = response_outcome(events, read_everything=True)
    if quiet != loud:
        raise AssertionError(f"reading snapshots changed the result:\n{loud!r}\n!=\n{quiet!r}")
    split = response_outcome(_split_deltas(events), read_everything=False)
    if split[1] is None and quiet[1] is None and split != quiet:
        raise AssertionError(f"cutting deltas changed the result:\n{split!r}\n!=\n{quiet!r}")


def assistant_events(data: bytes) -> list[tuple[Any, Any]]:
    """An Assistants stream drawn from ``data``: three bytes per event (what, where, text)."""
    events: list[tuple[Any, Any]] = []
    for pos in range(0, len(data) - 2, 3):
        what, where, arg = data[pos], data[pos + 1], data[pos + 2]
        piece = _TEXT_PIECES[arg % len(_TEXT_PIECES)]
        index, ident = where % 3, f"x{where % 2}"
        kind = what % 14
        block: dict[str, Any]
        delta: dict[str, Any]
        if kind == 0:
            events.append(("thread.message.created", {"id": ident, "content": []}))
        elif kind in (1, 2, 3):
            block = {"index": index, "type": "text", "text": {"value": piece}}
            if arg & 1:
                block = {"index": index, "type": "image_file", "image_file": {"file_id": piece}}
            delta = {"content": [block]}
            events.append(("thread.message.delta", {"id": ident, "delta": delta}))
        elif kind == 4:
            events.append(("thread.message.completed", {"id": ident, "content": []}))
        elif kind == 5:
            details = {"type": "tool_calls", "tool_calls": []}
            events.append(("thread.run.step.created", {"id": ident, "step_details": details}))
        elif kind in (6, 7, 8):
            call = {"index": index, "type": "function", "function": {"arguments": piece}}
            if arg & 2:
                call["id"] = f"call{index}"
            delta = {"step_details": {"type": "tool_calls", "tool_calls": [call]}}
            events.append(("thread.run.step.delta", {"id": ident, "delta": delta}))
        elif kind == 9:
            events.append(("thread.run.step.completed", {"id": ident, "status": "completed"}))
        elif kind == 10:
            name = ("thread.run.created", "thread.run.requires_action", "thread.run.completed")
            events.append((name[arg % 3], {"id": "run", "status": "x"}))
        elif kind == 11:
            events.append(("thread.something.new", [arg]))
        elif kind == 12:
            events.append(("thread.message.delta", {"id": ident, "delta": [arg]}))
        else:
            events.append((arg, {"id": ident}) if arg & 1 else ("error", {"message": piece}))
    return events


def assistant_outcome(events: list[tuple[Any, Any]]) -> tuple[Any, Any]:
    core = AssistantAccumulator()
    calls: list[str] = []
    error = None
    try:
        for name, data in events:
            calls.extend(call.name for call in core.feed(name, data))
        core.close()
    except (RemoteProtocolError, StreamError) as exc:
        error = str(exc)
    final = (core.run, core.run_steps, core.messages)
    return json.dumps(final, sort_keys=True), (error, calls.count("on_tool_call_done"))


def _split_assistant_deltas(events: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    out: list[tuple[Any, Any]] = []
    for name, data in events:
        try:
            block = data["delta"]["content"][0]
            value = block["text"]["value"]
        except (KeyError, TypeError, IndexError):
            out.append((name, data))
            continue
        if not isinstance(value, str) or len(value) < 2:
            out.append((name, data))
            continue
        half = len(value) // 2
        for part in (value[:half], value[half:]):
            piece = {**block, "text": {"value": part}}
            out.append((name, {**data, "delta": {"content": [piece]}}))
    return out


@target("assistants_stream")
def fuzz_assistants_stream(data: bytes) -> None:
    events = assistant_events(data)
    whole = assistant_outcome(events)
    split = assistant_outcome(_split_assistant_deltas(events))
    if whole[1][0] is None and split[1][0] is None and split[0] != whole[0]:
        raise AssertionError(f"cutting text deltas changed the result:\n{split!r}\n!=\n{whole!r}")
