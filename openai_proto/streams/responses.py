"""The Responses API stream accumulator: ``response.*`` event dicts in, a snapshot out — pure.

:class:`ResponseAccumulator` folds the events of a ``POST /responses`` stream (what
``json.loads`` gives for each event) into a snapshot of the response being made::

    accumulator = ResponseAccumulator()
    for event in events:                       # dicts, in stream order
        for item in accumulator.feed(event):   # our event objects, one per input event
            ...
    accumulator.close()
    final = accumulator.get_final_response()   # the completed / failed / incomplete payload

Every event that carries state moves the snapshot: output items are placed by
``output_index`` (not in arrival order), content parts by ``content_index``, reasoning
summary parts by ``summary_index``, annotations by ``annotation_index``; text deltas
(output text, refusals, function-call arguments, custom-tool input, reasoning text and
summaries, MCP arguments, code-interpreter code) are appended and the matching ``done``
event sets the final value; ``output_item.done`` / ``content_part.done`` replace the item /
part by the server's version; tool-call status events (``web_search_call.searching``, ...)
set the item's ``status``. When the response ends (``response.completed``,
``response.failed`` or ``response.incomplete``) the snapshot becomes the payload's
``response`` — the server's final word — with our accumulated ``output`` filled in only
when the payload has none.

Events after the end, and event types we do not know, pass through unchanged and never
touch the snapshot. A malformed known event raises
:class:`~openai_proto.errors.RemoteProtocolError` (the accumulator is then ``FAILED`` and
raises that error again on every feed); an ``error`` event raises
:class:`~openai_proto.errors.StreamError`.

Text deltas are kept as pieces (:class:`TextBuffer`) and joined into the snapshot only
when someone reads it (``current_snapshot``, or a delta event's ``snapshot``); the join
grows the snapshot's own string in place (``+=`` on a string nothing else holds, which
CPython does without copying), so folding is linear in the length of the stream, also
when the snapshot is read after every event. Delta events hold no string of their own.

Structured output (all optional, all set by ``client.responses.stream(text_format=...,
tools=...)``): ``parse_text`` reads the text of ``response.output_text.done`` into the
event's ``parsed``; ``partial_text=True`` gives output-text delta events a ``parsed``
partial JSON value; ``parse_arguments`` (tool name -> parser, for strict function tools)
gives ``response.function_call_arguments.delta`` events a partial ``parsed_arguments`` and
``.done`` events the parsed one; ``decode_final`` turns the final response into what
``ResponseFinishedEvent.response`` gives (by default the generated ``Response`` model).
The events are in :mod:`openai_proto.streams.response_events`.

Resuming. ``ResponseAccumulator(starting_after=n)`` folds every event but returns only
those whose ``sequence_number`` is above ``n`` (for a stream the server replays from the
start). ``ResponseAccumulator.resume(snapshot, starting_after=n)`` continues from a
snapshot taken earlier (``current_snapshot`` of the accumulator that was cut off, with its
``last_sequence_number``): events numbered ``n`` or less are skipped entirely, so it is
right whether the server replays the whole stream or only the events after ``n``.

States and transitions are in one table, :data:`RESPONSE_TRANSITIONS`.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Callable, Mapping
from typing import Any

from openai_proto.errors import LocalProtocolError, RemoteProtocolError
from openai_proto.lines import Failure, raise_again, refused
from openai_proto.streams.events import stream_error
from openai_proto.streams.response_events import (
    Decoded,
    PartialText,
    ResponseArgumentsDoneEvent,
    ResponseDeltaEvent,
    ResponseEvent,
    ResponseFinishedEvent,
    ResponseTextDoneEvent,
    UnknownResponseEvent,
    response_model,
)

JSON = dict[str, Any]

# -- small helpers shared with the Assistants accumulator --------------------------------


def append_text(owner: JSON, key: str, delta: str) -> None:
    """``owner[key] += delta``, in place when nothing else holds the string.

    The string is moved into a local first so that CPython can grow it without a copy
    (its in-place concatenation needs the string's only reference to be the local).
    """
    text = owner.get(key)
    owner[key] = None
    if type(text) is not str:
        text = ""
    text += delta
    owner[key] = text


class TextBuffer:
    """The deltas of one text field (``owner[key]``), joined into it when someone reads it.

    Appending is a list append; :meth:`flush` writes the pending pieces into the owner
    (with :func:`append_text`). ``length`` is the length the text has with its pieces.
    """

    __slots__ = ("key", "length", "owner", "partial", "pieces")

    def __init__(self, owner: JSON, key: str) -> None:
        self.owner = owner
        self.key = key
        self.pieces: list[str] = []
        #: The text's partial JSON value, once the accumulator parses it.
        self.partial: PartialText | None = None
        text = owner.get(key)
        self.length = len(text) if type(text) is str else 0

    def flush(self) -> None:
        if self.pieces:
            joined = "".join(self.pieces)
            self.pieces = []
            append_text(self.owner, self.key, joined)

    def text_at(self, length: int) -> str:
        """The text as it was when it had ``length`` characters."""
        self.flush()
        text = self.owner.get(self.key)
        if type(text) is not str:
            return ""
        return text if len(text) == length else text[:length]


class TextBuffers:
    """The text buffers of a snapshot, by (owner dict, key); those with pending pieces."""

    __slots__ = ("buffers", "dirty")

    def __init__(self) -> None:
        self.buffers: dict[tuple[int, str], TextBuffer] = {}
        self.dirty: list[TextBuffer] = []

    def append(self, owner: JSON, key: str, delta: str) -> TextBuffer:
        buffer = self.buffers.get((id(owner), key))
        if buffer is None or buffer.owner is not owner:
            buffer = self.buffers[(id(owner), key)] = TextBuffer(owner, key)
        if not buffer.pieces:
            self.dirty.append(buffer)
        buffer.pieces.append(delta)
        buffer.length += len(delta)
        return buffer

    def set(self, owner: JSON, key: str, text: str) -> None:
        buffer = self.buffers.get((id(owner), key))
        if buffer is not None and buffer.owner is owner:
            buffer.pieces = []
            buffer.length = len(text)
        owner[key] = text

    def flush(self) -> None:
        dirty, self.dirty = self.dirty, []
        for buffer in dirty:
            buffer.flush()


def clone_json(value: Any) -> Any:
    """A copy of a JSON value whose dicts and lists are new (strings and numbers are shared)."""
    try:
        return _clone(value)
    except RecursionError:
        raise RemoteProtocolError("an event is nested too deeply to copy") from None


def _clone(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: _clone(item) for key, item in value.items()}
    if kind is list:
        return [_clone(item) for item in value]
    return value


class IndexedList:
    """A list whose entries are placed by an index the stream gives, kept in index order.

    ``values`` is the live list inside a snapshot; indices may arrive out of order and
    with gaps, and an entry given twice replaces the first.
    """

    __slots__ = ("by_index", "keys", "values")

    def __init__(self, values: list[Any]) -> None:
        self.values = values
        self.keys = list(range(len(values)))
        self.by_index: dict[int, Any] = dict(enumerate(values))

    def get(self, index: int) -> Any:
        return self.by_index.get(index)

    def put(self, index: int, value: Any) -> None:
        keys = self.keys
        if index in self.by_index:
            self.values[bisect.bisect_left(keys, index)] = value
        elif not keys or index > keys[-1]:
            keys.append(index)
            self.values.append(value)
        else:
            position = bisect.bisect_left(keys, index)
            keys.insert(position, index)
            self.values.insert(position, value)
        self.by_index[index] = value


def field_index(event: Mapping[str, Any], key: str) -> int:
    """``event[key]`` as a non-negative integer, else RemoteProtocolError."""
    value = event.get(key)
    if type(value) is not int or value < 0:
        raise _malformed(event, f"{key} must be a non-negative integer, not {value!r}")
    return value


def field_text(event: Mapping[str, Any], key: str) -> str:
    """``event[key]`` as a string, else RemoteProtocolError."""
    value = event.get(key)
    if type(value) is not str:
        raise _malformed(event, f"{key} must be a string, not {_kind(value)}")
    return value


def field_object(event: Mapping[str, Any], key: str) -> JSON:
    """``event[key]`` as a JSON object, else RemoteProtocolError."""
    value = event.get(key)
    if type(value) is not dict:
        raise _malformed(event, f"{key} must be an object, not {_kind(value)}")
    return value


def _kind(value: object) -> str:
    return "missing" if value is None else type(value).__name__


def _malformed(event: Mapping[str, Any], reason: str) -> RemoteProtocolError:
    name = event.get("type") or event.get("event") or "event"
    return RemoteProtocolError(f"malformed {name}: {reason}")


# -- the state machine ---------------------------------------------------------------------


class ResponseAccumulatorState(enum.Enum):
    """Where a :class:`ResponseAccumulator` is."""

    #: Nothing folded yet; waiting for ``response.created``.
    AWAITING = "awaiting"
    #: Folding events into the snapshot.
    STREAMING = "streaming"
    #: A final response arrived; later events pass through untouched.
    FINISHED = "finished"
    #: ``close()`` was called.
    CLOSED = "closed"
    #: A malformed event or an ``error`` event; feeding raises that error again.
    FAILED = "failed"

    __hash__ = object.__hash__


class ResponseInput(enum.Enum):
    """What the accumulator reacts to: the kinds of event, and ``close()``."""

    CREATED = "response.created"
    PROGRESS = "response.queued / response.in_progress"
    FINISH = "response.completed / failed / incomplete"
    ITEM = "an event about an output item"
    OTHER = "a known event that carries no state"
    UNKNOWN = "an event type we do not know"
    MALFORMED = "not an object with a string type"
    ERROR = "error"
    END = "close()"

    __hash__ = object.__hash__


#: Tool-call events that only move the item's status.
ITEM_STATUS: dict[str, str] = {
    "response.web_search_call.in_progress": "in_progress",
    "response.web_search_call.searching": "searching",
    "response.web_search_call.completed": "completed",
    "response.file_search_call.in_progress": "in_progress",
    "response.file_search_call.searching": "searching",
    "response.file_search_call.completed": "completed",
    "response.code_interpreter_call.in_progress": "in_progress",
    "response.code_interpreter_call.interpreting": "interpreting",
    "response.code_interpreter_call.completed": "completed",
    "response.image_generation_call.in_progress": "in_progress",
    "response.image_generation_call.generating": "generating",
    "response.image_generation_call.completed": "completed",
    "response.mcp_call.in_progress": "in_progress",
    "response.mcp_call.completed": "completed",
    "response.mcp_call.failed": "failed",
}

#: Known events that carry nothing the snapshot keeps (passed through as ResponseEvent).
STATELESS = frozenset(
    {
        "response.audio.delta",
        "response.audio.done",
        "response.audio.transcript.delta",
        "response.audio.transcript.done",
        "response.image_generation_call.partial_image",
        "response.mcp_list_tools.in_progress",
        "response.mcp_list_tools.completed",
        "response.mcp_list_tools.failed",
        "response.compaction.compacting",
        "response.shell_call_command.added",
        "response.shell_call_command.delta",
        "response.shell_call_command.done",
        "response.shell_call_output_content.delta",
        "response.shell_call_output_content.done",
    }
)

FINAL_STATUSES = frozenset({"completed", "failed", "incomplete", "cancelled"})

Fold = Callable[["ResponseAccumulator", JSON], ResponseEvent]
Handler = Callable[["ResponseAccumulator", Any], "ResponseEvent | None"]


class ResponseAccumulator:
    """Folds ``response.*`` event dicts into a response snapshot: ``feed(event) -> list``.

    >>> acc = ResponseAccumulator()
    >>> _ = acc.feed({"type": "response.created", "response": {"id": "r", "output": []}})
    >>> _ = acc.feed({"type": "response.output_item.added", "output_index": 0,
    ...               "item": {"type": "message", "content": []}})
    >>> [e.snapshot for e in acc.feed({"type": "response.output_text.delta",
    ...                                "output_index": 0, "content_index": 0, "delta": "Hi"})]
    ['Hi']
    >>> acc.current_snapshot["output"][0]["content"][0]["text"]
    'Hi'
    """

    def __init__(
        self,
        *,
        starting_after: int | None = None,
        parse_text: Callable[[str], Any] | None = None,
        partial_text: bool = False,
        parse_arguments: Mapping[str, Callable[[str], Any]] | None = None,
        decode_final: Callable[[JSON], Any] | None = None,
    ) -> None:
        self._state = ResponseAccumulatorState.AWAITING
        self._snapshot: JSON | None = None
        self._final: JSON | None = None
        self._output: IndexedList = IndexedList([])
        self._lists: dict[tuple[int, str], IndexedList] = {}
        self._texts = TextBuffers()
        self._error: Failure | None = None
        self._emit_after = starting_after
        self._skip_through: int | None = None
        self._last_sequence_number: int | None = None
        self._parse_text = parse_text
        self._partial_text = partial_text
        self._parse_arguments = dict(parse_arguments or {})
        self._decode_final = decode_final if decode_final is not None else Decoded(response_model)

    @classmethod
    def resume(
        cls,
        snapshot: Mapping[str, Any],
        *,
        starting_after: int | None,
        parse_text: Callable[[str], Any] | None = None,
        partial_text: bool = False,
        parse_arguments: Mapping[str, Callable[[str], Any]] | None = None,
        decode_final: Callable[[JSON], Any] | None = None,
    ) -> ResponseAccumulator:
        """Continue from ``snapshot`` (taken at sequence number ``starting_after``).

        Events numbered ``starting_after`` or less are skipped, neither folded nor returned.
        The other arguments are those of the constructor.
        """
        accumulator = cls(
            parse_text=parse_text,
            partial_text=partial_text,
            parse_arguments=parse_arguments,
            decode_final=decode_final,
        )
        accumulator._start(clone_json(dict(snapshot)))
        accumulator._skip_through = starting_after
        accumulator._last_sequence_number = starting_after
        if accumulator._snapshot is not None and (
            accumulator._snapshot.get("status") in FINAL_STATUSES
        ):
            accumulator._final = accumulator._snapshot
            accumulator._state = ResponseAccumulatorState.FINISHED
        else:
            accumulator._state = ResponseAccumulatorState.STREAMING
        return accumulator

    # -- what callers read -----------------------------------------------------------------

    @property
    def state(self) -> ResponseAccumulatorState:
        return self._state

    @property
    def current_snapshot(self) -> JSON | None:
        """The response so far (``None`` before ``response.created``).

        This is the accumulator's own dict, changed in place by later events; copy it to
        keep it. Once the response is over it is the final response.
        """
        if self._final is not None:
            return self._final
        self._texts.flush()
        return self._snapshot

    @property
    def final_response(self) -> JSON | None:
        """The final response once one arrived (whatever its status), else ``None``."""
        return self._final

    @property
    def last_sequence_number(self) -> int | None:
        """The highest ``sequence_number`` seen (what to resume after)."""
        return self._last_sequence_number

    def get_final_response(self, cast_to: Any = dict) -> Any:
        """The final response — completed, failed or incomplete — decoded as ``cast_to``.

        Raises RemoteProtocolError if the stream ended (``close()``) without one,
        LocalProtocolError if it has not ended yet, and the stream's own error if it failed.
        """
        if self._final is None:
            if self._state is ResponseAccumulatorState.FAILED:
                raise_again(self._error)
            if self._state is ResponseAccumulatorState.CLOSED:
                raise RemoteProtocolError(
                    "the stream ended without a final response "
                    "(no response.completed, response.failed or response.incomplete event)"
                )
            raise LocalProtocolError(
                "the stream is not over: feed the rest of its events, or close() it, first"
            )
        from openai_proto.decode import cast_value

        return cast_value(self._final, cast_to)

    # -- input -------------------------------------------------------------------------------

    def feed(self, event: Mapping[str, Any]) -> list[ResponseEvent]:
        """Fold one event; the event(s) to hand to the user (none when filtered out)."""
        if type(event) is dict:
            kind = event.get("type")
        else:
            kind = event.get("type") if isinstance(event, Mapping) else None
        if type(kind) is not str:
            self._step(ResponseInput.MALFORMED, event)
            return []  # pragma: no cover - the MALFORMED row always raises
        if type(event) is not dict:
            event = dict(event)
        number = event.get("sequence_number")
        if type(number) is int:
            if self._skip_through is not None and number <= self._skip_through:
                return []
            if self._last_sequence_number is None or number > self._last_sequence_number:
                self._last_sequence_number = number
        result = self._step(_INPUTS.get(kind, ResponseInput.UNKNOWN), event)
        if result is None:
            return []
        if self._emit_after is not None and type(number) is int and number <= self._emit_after:
            return []
        return [result]

    def close(self) -> None:
        """End of the stream (idempotent). ``get_final_response()`` tells whether it was whole."""
        self._step(ResponseInput.END, None)

    def _step(self, kind: ResponseInput, event: Any) -> ResponseEvent | None:
        try:
            handler, next_state = RESPONSE_TRANSITIONS[(self._state, kind)]
        except KeyError:
            raise refused("ResponseAccumulator", self._state, kind) from None
        if handler is None:
            self._state = next_state
            return None
        try:
            result = handler(self, event)
        except RemoteProtocolError as exc:
            raise self._fail(exc) from None
        self._state = next_state
        return result

    def _fail(self, error: Failure) -> Failure:
        self._error = error
        self._state = ResponseAccumulatorState.FAILED
        return error

    # -- handlers: lifecycle -----------------------------------------------------------------

    def _reraise(self, _: Any) -> ResponseEvent | None:
        raise_again(self._error)

    def _refuse_malformed(self, event: Any) -> ResponseEvent | None:
        if not isinstance(event, Mapping):
            raise RemoteProtocolError(f"a stream event must be a JSON object, not {_kind(event)}")
        kind = _kind(event.get("type"))
        raise RemoteProtocolError(f"a stream event needs a string type, not {kind}")

    def _error_event(self, event: JSON) -> ResponseEvent | None:
        error = stream_error(event)
        self._error = error
        self._state = ResponseAccumulatorState.FAILED
        raise error

    def _pass(self, event: JSON) -> ResponseEvent | None:
        return ResponseEvent(event)

    def _pass_unknown(self, event: JSON) -> ResponseEvent | None:
        return UnknownResponseEvent(event)

    def _pass_any(self, event: JSON) -> ResponseEvent | None:
        if event["type"] in FOLDS or event["type"] in LIFECYCLE:
            return ResponseEvent(event)
        return UnknownResponseEvent(event)

    def _refuse_early(self, event: JSON) -> ResponseEvent | None:
        raise RemoteProtocolError(f"{event['type']} arrived before response.created")

    def _created(self, event: JSON) -> ResponseEvent | None:
        self._start(dict(field_object(event, "response")))
        return ResponseEvent(event)

    def _start(self, response: JSON) -> None:
        output = response.get("output")
        response["output"] = clone_json(output) if type(output) is list else []
        self._snapshot = response
        self._output = IndexedList(response["output"])
        self._lists = {}

    def _progress(self, event: JSON) -> ResponseEvent | None:
        response = self._same_response(event)
        snapshot = self._snapshot
        assert snapshot is not None
        for key, value in response.items():
            if key != "output":
                snapshot[key] = value
        output = response.get("output")
        if not snapshot["output"] and type(output) is list and output:
            snapshot["output"] = clone_json(output)
            self._output = IndexedList(snapshot["output"])
            self._lists = {}
        return ResponseEvent(event)

    def _finish(self, event: JSON) -> ResponseEvent | None:
        if self._snapshot is None:
            response = field_object(event, "response")
        else:
            response = self._same_response(event)
        self._texts.flush()
        if type(response.get("output")) is not list:
            ours = self._snapshot["output"] if self._snapshot is not None else []
            response = {**response, "output": ours}
        self._final = response
        return ResponseFinishedEvent(event, response, self._decode_final)

    def _same_response(self, event: JSON) -> JSON:
        response = field_object(event, "response")
        ours = self._snapshot.get("id") if self._snapshot is not None else None
        theirs = response.get("id")
        if ours is not None and theirs is not None and ours != theirs:
            raise RemoteProtocolError(
                f"{event['type']} is about response {theirs!r}, but this stream is {ours!r}"
            )
        return response

    def _item_event(self, event: JSON) -> ResponseEvent | None:
        return FOLDS[event["type"]](self, event)

    # -- handlers: output items and their parts ------------------------------------------------

    def _item(self, event: JSON) -> JSON:
        index = field_index(event, "output_index")
        item = self._output.get(index)
        if item is None:
            raise _malformed(event, f"no output item at output_index {index}")
        return item  # type: ignore[no-any-return]

    def _list(self, slot: tuple[int, str], owner: JSON, key: str) -> IndexedList:
        """The indexed list ``owner[key]`` (made a list if it is not), kept under ``slot``."""
        slots = self._lists.get(slot)
        values = owner.get(key)
        if slots is None or slots.values is not values:
            if type(values) is not list:
                values = owner[key] = []
            slots = self._lists[slot] = IndexedList(values)
        return slots

    def _part(self, event: JSON, key: str, index_key: str, new: Callable[[], JSON]) -> JSON:
        item = self._item(event)
        index = field_index(event, index_key)
        slots = self._list((event["output_index"], key), item, key)
        part = slots.get(index)
        if type(part) is not dict:
            part = new()
            slots.put(index, part)
        return part  # type: ignore[no-any-return]

    def _item_added(self, event: JSON) -> ResponseEvent:
        index = field_index(event, "output_index")
        if event.get("item") is None:
            return ResponseEvent(event)  # an empty "added" some providers send; no item
        item = clone_json(field_object(event, "item"))
        self._put_item(index, item)
        return ResponseEvent(event)

    def _item_done(self, event: JSON) -> ResponseEvent:
        index = field_index(event, "output_index")
        item = clone_json(field_object(event, "item"))
        self._put_item(index, item)
        return ResponseEvent(event)

    def _put_item(self, index: int, item: JSON) -> None:
        self._output.put(index, item)

    def _part_added(self, event: JSON) -> ResponseEvent:
        item = self._item(event)
        index = field_index(event, "content_index")
        part = clone_json(field_object(event, "part"))
        self._list((event["output_index"], "content"), item, "content").put(index, part)
        return ResponseEvent(event)

    def _summary_part(self, event: JSON) -> ResponseEvent:
        item = self._item(event)
        index = field_index(event, "summary_index")
        part = clone_json(field_object(event, "part"))
        self._list((event["output_index"], "summary"), item, "summary").put(index, part)
        return ResponseEvent(event)

    def _annotation(self, event: JSON) -> ResponseEvent:
        part = self._part(event, "content", "content_index", _new_output_text)
        index = field_index(event, "annotation_index")
        annotation = clone_json(field_object(event, "annotation"))
        slot = (event["output_index"], f"annotations/{event['content_index']}")
        self._list(slot, part, "annotations").put(index, annotation)
        return ResponseEvent(event)

    def _status(self, event: JSON) -> ResponseEvent:
        index = field_index(event, "output_index")
        item = self._output.get(index)
        if type(item) is dict:
            item["status"] = ITEM_STATUS[event["type"]]
        return ResponseEvent(event)

    # -- handlers: text deltas and their "done" events -----------------------------------------

    def _text_delta(self, event: JSON) -> ResponseEvent:
        delta = field_text(event, "delta")
        part = self._part(event, "content", "content_index", _new_output_text)
        buffer = self._texts.append(part, "text", delta)
        logprobs = event.get("logprobs")
        if type(logprobs) is list and logprobs:
            existing = part.get("logprobs")
            if type(existing) is list:
                existing.extend(logprobs)
            else:
                part["logprobs"] = list(logprobs)
        partial = self._partial(buffer, "text") if self._partial_text else None
        return ResponseDeltaEvent(event, buffer, buffer.length, partial)

    def _text_done(self, event: JSON) -> ResponseEvent:
        text = field_text(event, "text")
        part = self._part(event, "content", "content_index", _new_output_text)
        self._texts.set(part, "text", text)
        logprobs = event.get("logprobs")
        if type(logprobs) is list and logprobs:
            part["logprobs"] = clone_json(logprobs)
        parsed = self._parse_text(text) if self._parse_text is not None else None
        return ResponseTextDoneEvent(event, parsed)

    def _refusal_delta(self, event: JSON) -> ResponseEvent:
        delta = field_text(event, "delta")
        part = self._part(event, "content", "content_index", _new_refusal)
        buffer = self._texts.append(part, "refusal", delta)
        return ResponseDeltaEvent(event, buffer, buffer.length)

    def _refusal_done(self, event: JSON) -> ResponseEvent:
        text = field_text(event, "refusal")
        part = self._part(event, "content", "content_index", _new_refusal)
        self._texts.set(part, "refusal", text)
        return ResponseEvent(event)

    def _reasoning_delta(self, event: JSON) -> ResponseEvent:
        delta = field_text(event, "delta")
        part = self._part(event, "content", "content_index", _new_reasoning_text)
        buffer = self._texts.append(part, "text", delta)
        return ResponseDeltaEvent(event, buffer, buffer.length)

    def _reasoning_done(self, event: JSON) -> ResponseEvent:
        text = field_text(event, "text")
        part = self._part(event, "content", "content_index", _new_reasoning_text)
        self._texts.set(part, "text", text)
        return ResponseEvent(event)

    def _summary_delta(self, event: JSON) -> ResponseEvent:
        delta = field_text(event, "delta")
        part = self._part(event, "summary", "summary_index", _new_summary_text)
        buffer = self._texts.append(part, "text", delta)
        return ResponseDeltaEvent(event, buffer, buffer.length)

    def _summary_done(self, event: JSON) -> ResponseEvent:
        text = field_text(event, "text")
        part = self._part(event, "summary", "summary_index", _new_summary_text)
        self._texts.set(part, "text", text)
        return ResponseEvent(event)

    # -- handlers: function call arguments, parsed for strict tools -----------------------------

    def _arguments_delta(self, event: JSON) -> ResponseEvent:
        delta = field_text(event, "delta")
        item = self._item(event)
        buffer = self._texts.append(item, "arguments", delta)
        partial = None
        if self._arguments_parser(item) is not None:
            partial = self._partial(buffer, "arguments")
        return ResponseDeltaEvent(event, buffer, buffer.length, partial)

    def _arguments_done(self, event: JSON) -> ResponseEvent:
        text = field_text(event, "arguments")
        item = self._item(event)
        self._texts.set(item, "arguments", text)
        parser = self._arguments_parser(item)
        return ResponseArgumentsDoneEvent(event, None if parser is None else parser(text))

    def _arguments_parser(self, item: JSON) -> Callable[[str], Any] | None:
        """The parser of a function call's arguments, when its tool is strict."""
        if not self._parse_arguments or item.get("type") != "function_call":
            return None
        name = item.get("name")
        return self._parse_arguments.get(name) if type(name) is str else None

    def _partial(self, buffer: TextBuffer, kind: str) -> PartialText:
        partial = buffer.partial
        if partial is None:
            partial = buffer.partial = PartialText(buffer, kind)
        return partial


def _new_output_text() -> JSON:
    return {"type": "output_text", "text": "", "annotations": []}


def _new_refusal() -> JSON:
    return {"type": "refusal", "refusal": ""}


def _new_reasoning_text() -> JSON:
    return {"type": "reasoning_text", "text": ""}


def _new_summary_text() -> JSON:
    return {"type": "summary_text", "text": ""}


def _item_text_delta(key: str) -> Fold:
    """The fold of a delta appended to the item's own ``key`` (arguments, input, code)."""

    def fold(self: ResponseAccumulator, event: JSON) -> ResponseEvent:
        delta = field_text(event, "delta")
        item = self._item(event)
        buffer = self._texts.append(item, key, delta)
        return ResponseDeltaEvent(event, buffer, buffer.length)

    return fold


def _item_text_done(key: str, field: str) -> Fold:
    """The fold of a ``done`` event that sets the item's ``key`` from the event's ``field``."""

    def fold(self: ResponseAccumulator, event: JSON) -> ResponseEvent:
        text = field_text(event, field)
        self._texts.set(self._item(event), key, text)
        return ResponseEvent(event)

    return fold


_A = ResponseAccumulator

#: Event type -> how it moves the snapshot (the ITEM input kind).
FOLDS: dict[str, Fold] = {
    "response.output_item.added": _A._item_added,
    "response.output_item.done": _A._item_done,
    "response.content_part.added": _A._part_added,
    "response.content_part.done": _A._part_added,
    "response.output_text.delta": _A._text_delta,
    "response.output_text.done": _A._text_done,
    "response.output_text.annotation.added": _A._annotation,
    "response.refusal.delta": _A._refusal_delta,
    "response.refusal.done": _A._refusal_done,
    "response.reasoning_text.delta": _A._reasoning_delta,
    "response.reasoning_text.done": _A._reasoning_done,
    "response.reasoning_summary_part.added": _A._summary_part,
    "response.reasoning_summary_part.done": _A._summary_part,
    "response.reasoning_summary_text.delta": _A._summary_delta,
    "response.reasoning_summary_text.done": _A._summary_done,
    "response.function_call_arguments.delta": _A._arguments_delta,
    "response.function_call_arguments.done": _A._arguments_done,
    "response.custom_tool_call_input.delta": _item_text_delta("input"),
    "response.custom_tool_call_input.done": _item_text_done("input", "input"),
    "response.mcp_call_arguments.delta": _item_text_delta("arguments"),
    "response.mcp_call_arguments.done": _item_text_done("arguments", "arguments"),
    "response.code_interpreter_call_code.delta": _item_text_delta("code"),
    "response.code_interpreter_call_code.done": _item_text_done("code", "code"),
    **dict.fromkeys(ITEM_STATUS, _A._status),
}

LIFECYCLE: dict[str, ResponseInput] = {
    "response.created": ResponseInput.CREATED,
    "response.queued": ResponseInput.PROGRESS,
    "response.in_progress": ResponseInput.PROGRESS,
    "response.completed": ResponseInput.FINISH,
    "response.failed": ResponseInput.FINISH,
    "response.incomplete": ResponseInput.FINISH,
    "error": ResponseInput.ERROR,
}


def _input_of(kind: str) -> ResponseInput:
    found = LIFECYCLE.get(kind)
    if found is not None:
        return found
    if kind in FOLDS:
        return ResponseInput.ITEM
    if kind in STATELESS:
        return ResponseInput.OTHER
    return ResponseInput.UNKNOWN


#: :func:`_input_of` of every event type it does not call UNKNOWN, looked up once.
_INPUTS: dict[str, ResponseInput] = {
    kind: _input_of(kind) for kind in (*STATELESS, *FOLDS, *LIFECYCLE)
}


_S = ResponseAccumulatorState
_I = ResponseInput

#: ``(state, input) -> (handler, next state)``; a missing pair is a LocalProtocolError.
RESPONSE_TRANSITIONS: dict[tuple[_S, _I], tuple[Handler | None, _S]] = {
    (_S.AWAITING, _I.CREATED): (_A._created, _S.STREAMING),
    (_S.AWAITING, _I.PROGRESS): (_A._created, _S.STREAMING),
    (_S.AWAITING, _I.FINISH): (_A._finish, _S.FINISHED),
    (_S.AWAITING, _I.ITEM): (_A._refuse_early, _S.AWAITING),
    (_S.AWAITING, _I.OTHER): (_A._pass, _S.AWAITING),
    (_S.AWAITING, _I.UNKNOWN): (_A._pass_unknown, _S.AWAITING),
    (_S.AWAITING, _I.ERROR): (_A._error_event, _S.FAILED),
    (_S.AWAITING, _I.MALFORMED): (_A._refuse_malformed, _S.FAILED),
    (_S.AWAITING, _I.END): (None, _S.CLOSED),
    (_S.STREAMING, _I.CREATED): (_A._progress, _S.STREAMING),
    (_S.STREAMING, _I.PROGRESS): (_A._progress, _S.STREAMING),
    (_S.STREAMING, _I.FINISH): (_A._finish, _S.FINISHED),
    (_S.STREAMING, _I.ITEM): (_A._item_event, _S.STREAMING),
    (_S.STREAMING, _I.OTHER): (_A._pass, _S.STREAMING),
    (_S.STREAMING, _I.UNKNOWN): (_A._pass_unknown, _S.STREAMING),
    (_S.STREAMING, _I.ERROR): (_A._error_event, _S.FAILED),
    (_S.STREAMING, _I.MALFORMED): (_A._refuse_malformed, _S.FAILED),
    (_S.STREAMING, _I.END): (None, _S.CLOSED),
    (_S.FINISHED, _I.CREATED): (_A._pass_any, _S.FINISHED),
    (_S.FINISHED, _I.PROGRESS): (_A._pass_any, _S.FINISHED),
    (_S.FINISHED, _I.FINISH): (_A._pass_any, _S.FINISHED),
    (_S.FINISHED, _I.ITEM): (_A._pass_any, _S.FINISHED),
    (_S.FINISHED, _I.OTHER): (_A._pass, _S.FINISHED),
    (_S.FINISHED, _I.UNKNOWN): (_A._pass_unknown, _S.FINISHED),
    (_S.FINISHED, _I.ERROR): (_A._error_event, _S.FAILED),
    (_S.FINISHED, _I.MALFORMED): (_A._refuse_malformed, _S.FAILED),
    (_S.FINISHED, _I.END): (None, _S.CLOSED),
    (_S.CLOSED, _I.END): (None, _S.CLOSED),
    **{(_S.FAILED, kind): (_A._reraise, _S.FAILED) for kind in _I if kind is not _I.END},
    (_S.FAILED, _I.END): (None, _S.FAILED),
}

__all__ = [
    "FOLDS",
    "ITEM_STATUS",
    "RESPONSE_TRANSITIONS",
    "STATELESS",
    "IndexedList",
    "ResponseAccumulator",
    "ResponseAccumulatorState",
    "ResponseArgumentsDoneEvent",
    "ResponseDeltaEvent",
    "ResponseEvent",
    "ResponseFinishedEvent",
    "ResponseInput",
    "ResponseTextDoneEvent",
    "UnknownResponseEvent",
    "append_text",
    "clone_json",
    "field_index",
    "field_text",
    "field_object",
]
