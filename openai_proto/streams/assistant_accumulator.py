"""The Assistants stream accumulator: ``thread.*`` events in, run / step / message
snapshots and the handler callbacks they fire out — pure.

:class:`AssistantAccumulator` folds ``(event name, data)`` pairs — the SSE event name
(``thread.message.delta``, ...) and its JSON data, as the stream layer's
:class:`~openai_proto.streams.events.Payload` holds them — into snapshots (plain dicts),
and says which handler callbacks each event fires, as :class:`HandlerCall` values with
the JSON arguments::

    core = AssistantAccumulator()
    for name, data in events:
        for call in core.feed(name, data):
            print(call.name, call.args)    # "on_text_delta", (delta, snapshot)
    core.close()
    core.run, core.run_steps, core.messages

The handlers users subclass (:mod:`openai_proto.streams.assistants`) drive it and turn
the arguments into models. States and transitions are in one table,
:data:`ASSISTANT_TRANSITIONS`; what differs from the official SDK is listed in
:mod:`openai_proto.streams.assistants`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import attrs

from openai_proto.errors import APITimeoutError, RemoteProtocolError
from openai_proto.lines import Failure, raise_again, refused
from openai_proto.streams.events import stream_error
from openai_proto.streams.responses import (
    JSON,
    IndexedList,
    append_text,
    clone_json,
    field_index,
    field_object,
)
from openai_proto.transport import TransportTimeout

#: Fields whose string deltas are appended to the snapshot (others are replaced).
STREAMED_FIELDS = frozenset({"value", "arguments", "input", "logs", "refusal"})
#: Lists whose entries carry an ``index`` and are merged by it.
INDEXED_LISTS = frozenset({"content", "tool_calls", "outputs", "annotations"})
#: What counts as a timeout for ``on_timeout``.
TIMEOUT_ERRORS: tuple[type[BaseException], ...] = (APITimeoutError, TransportTimeout, TimeoutError)


@attrs.frozen(slots=True)
class HandlerCall:
    """A callback an event fires: the handler method's name and its arguments."""

    name: str
    args: tuple[Any, ...]


class AssistantState(enum.Enum):
    """Where an :class:`AssistantAccumulator` is."""

    #: No event yet.
    AWAITING = "awaiting"
    #: Folding events.
    STREAMING = "streaming"
    #: ``close()`` was called.
    CLOSED = "closed"
    #: A malformed event or an ``error`` event; feeding raises that error again.
    FAILED = "failed"

    __hash__ = object.__hash__


class AssistantInput(enum.Enum):
    """What the accumulator reacts to: the kinds of ``thread.*`` event, and ``close()``."""

    THREAD = "thread.created"
    RUN = "thread.run.created / queued / in_progress / cancelling"
    RUN_END = "thread.run.completed / failed / cancelled / expired / incomplete / requires_action"
    STEP_CREATED = "thread.run.step.created"
    STEP_PROGRESS = "thread.run.step.in_progress"
    STEP_DELTA = "thread.run.step.delta"
    STEP_END = "thread.run.step.completed / failed / cancelled / expired"
    MESSAGE_CREATED = "thread.message.created"
    MESSAGE_PROGRESS = "thread.message.in_progress"
    MESSAGE_DELTA = "thread.message.delta"
    MESSAGE_END = "thread.message.completed / incomplete"
    ERROR = "error"
    UNKNOWN = "an event name we do not know"
    MALFORMED = "a name that is not a string, or data that is not an object"
    END = "close()"

    __hash__ = object.__hash__


_I = AssistantInput

EVENT_INPUTS: dict[str, AssistantInput] = {
    "thread.created": _I.THREAD,
    "thread.run.created": _I.RUN,
    "thread.run.queued": _I.RUN,
    "thread.run.in_progress": _I.RUN,
    "thread.run.cancelling": _I.RUN,
    "thread.run.completed": _I.RUN_END,
    "thread.run.failed": _I.RUN_END,
    "thread.run.cancelled": _I.RUN_END,
    "thread.run.expired": _I.RUN_END,
    "thread.run.incomplete": _I.RUN_END,
    "thread.run.requires_action": _I.RUN_END,
    "thread.run.step.created": _I.STEP_CREATED,
    "thread.run.step.in_progress": _I.STEP_PROGRESS,
    "thread.run.step.delta": _I.STEP_DELTA,
    "thread.run.step.completed": _I.STEP_END,
    "thread.run.step.failed": _I.STEP_END,
    "thread.run.step.cancelled": _I.STEP_END,
    "thread.run.step.expired": _I.STEP_END,
    "thread.message.created": _I.MESSAGE_CREATED,
    "thread.message.in_progress": _I.MESSAGE_PROGRESS,
    "thread.message.delta": _I.MESSAGE_DELTA,
    "thread.message.completed": _I.MESSAGE_END,
    "thread.message.incomplete": _I.MESSAGE_END,
    "error": _I.ERROR,
}

Calls = list[HandlerCall]
Handler = Callable[["AssistantAccumulator", str, Any], Calls]


def _id_of(name: str, data: JSON) -> str:
    value = data.get("id")
    if type(value) is not str:
        raise RemoteProtocolError(f"malformed {name}: id must be a string")
    return value


def _entries(name: str, value: Any, key: str) -> list[JSON]:
    if value is None:
        return []
    if type(value) is not list or any(type(entry) is not dict for entry in value):
        raise RemoteProtocolError(f"malformed {name}: {key} must be a list of objects")
    for entry in value:
        if "index" not in entry:
            raise RemoteProtocolError(f"malformed {name}: every entry of {key} needs an index")
        field_index(entry, "index")
    return value


class AssistantAccumulator:
    """Folds ``thread.*`` events into snapshots: ``feed(name, data) -> [HandlerCall]``."""

    def __init__(self) -> None:
        self._state = AssistantState.AWAITING
        self._error: Failure | None = None
        self.run: JSON | None = None
        self._steps: dict[str, JSON] = {}
        self._messages: dict[str, JSON] = {}
        self._lists: dict[int, IndexedList] = {}
        self.current_message: JSON | None = None
        self._step_id: str | None = None
        # the content block being streamed, in the current message
        self._content_index: int | None = None
        self._content: JSON | None = None
        # the tool call being streamed: its step, index and snapshot; and those done
        self._tool_step: str | None = None
        self._tool_index: int | None = None
        self._tool_call: JSON | None = None
        self._tools_done: set[tuple[str, int]] = set()

    # -- what callers read -------------------------------------------------------------------

    @property
    def state(self) -> AssistantState:
        return self._state

    @property
    def current_run_step(self) -> JSON | None:
        return self._steps.get(self._step_id) if self._step_id is not None else None

    @property
    def run_steps(self) -> list[JSON]:
        """Every run step seen, in the order they started (final payloads once done)."""
        return list(self._steps.values())

    @property
    def messages(self) -> list[JSON]:
        """Every message seen, in the order they started (final payloads once done)."""
        return list(self._messages.values())

    # -- input -----------------------------------------------------------------------------

    def feed(self, name: str, data: Any) -> Calls:
        """Fold one event; the handler callbacks it fires, in order (``on_event`` excluded)."""
        if type(name) is not str or (
            type(data) is not dict and name in EVENT_INPUTS and name != "error"
        ):
            kind = _I.MALFORMED
        else:
            kind = EVENT_INPUTS.get(name, _I.UNKNOWN)
        return self._step(kind, name, data)

    def close(self) -> None:
        """End of the stream (idempotent)."""
        self._step(_I.END, "", None)

    def _step(self, kind: AssistantInput, name: str, data: Any) -> Calls:
        try:
            handler, next_state = ASSISTANT_TRANSITIONS[(self._state, kind)]
        except KeyError:
            raise refused("AssistantAccumulator", self._state, kind) from None
        if handler is None:
            self._state = next_state
            return []
        try:
            calls = handler(self, name, data)
        except RemoteProtocolError as exc:
            self._error = exc
            self._state = AssistantState.FAILED
            raise exc.with_traceback(None) from None
        self._state = next_state
        return calls

    # -- handlers ------------------------------------------------------------------------------

    def _reraise(self, name: str, data: Any) -> Calls:
        raise_again(self._error)

    def _refuse_malformed(self, name: str, data: Any) -> Calls:
        if type(name) is not str:
            raise RemoteProtocolError(f"an event name must be a string, not {type(name).__name__}")
        raise RemoteProtocolError(f"malformed {name}: data must be an object")

    def _error_event(self, name: str, data: Any) -> Calls:
        error = stream_error(data)
        self._error = error
        self._state = AssistantState.FAILED
        raise error

    def _nothing(self, name: str, data: Any) -> Calls:
        return []

    def _run(self, name: str, data: JSON) -> Calls:
        self.run = data
        return []

    def _run_end(self, name: str, data: JSON) -> Calls:
        self.run = data
        return self._finish_tool_call(None)

    def _step_created(self, name: str, data: JSON) -> Calls:
        step_id = _id_of(name, data)
        calls = self._finish_tool_call(None)
        step = clone_json(data)
        self._steps[step_id] = step
        self._step_id = step_id
        calls.append(HandlerCall("on_run_step_created", (step,)))
        return calls

    def _step_progress(self, name: str, data: JSON) -> Calls:
        step_id = _id_of(name, data)
        if step_id not in self._steps:
            self._steps[step_id] = clone_json(data)
        self._step_id = step_id
        return []

    def _step_delta(self, name: str, data: JSON) -> Calls:
        step_id = _id_of(name, data)
        step = self._steps.get(step_id)
        if step is None:
            raise RemoteProtocolError(f"{name} for step {step_id!r} before its creation")
        delta = field_object(data, "delta")
        details = delta.get("step_details")
        calls: Calls = []
        tool_deltas: list[JSON] = []
        if type(details) is dict:
            tool_deltas = _entries(name, details.get("tool_calls"), "tool_calls")
        self._merge(name, step, delta)
        if tool_deltas:
            tool_calls = step["step_details"]["tool_calls"]
            slots = self._slots(tool_calls)
            for tool_delta in tool_deltas:
                self._tool_call_event(step_id, tool_delta, slots.get(tool_delta["index"]), calls)
        calls.append(HandlerCall("on_run_step_delta", (delta, step)))
        return calls

    def _tool_call_event(self, step_id: str, delta: JSON, snapshot: JSON, calls: Calls) -> None:
        index = delta["index"]
        if step_id == self._tool_step and index == self._tool_index:
            calls.append(HandlerCall("on_tool_call_delta", (delta, snapshot)))
            return
        if (step_id, index) in self._tools_done:
            calls.append(HandlerCall("on_tool_call_delta", (delta, snapshot)))
            return
        calls.extend(self._finish_tool_call(None))
        self._tool_step, self._tool_index, self._tool_call = step_id, index, snapshot
        calls.append(HandlerCall("on_tool_call_created", (snapshot,)))

    def _finish_tool_call(self, final_step: JSON | None) -> Calls:
        """``on_tool_call_done`` for the current tool call, if any; then there is none."""
        if self._tool_call is None or self._tool_step is None or self._tool_index is None:
            return []
        tool_call = self._tool_call
        if final_step is not None:
            tool_call = _final_tool_call(final_step, self._tool_index) or tool_call
        self._tools_done.add((self._tool_step, self._tool_index))
        self._tool_step = self._tool_index = self._tool_call = None
        return [HandlerCall("on_tool_call_done", (tool_call,))]

    def _step_end(self, name: str, data: JSON) -> Calls:
        step_id = _id_of(name, data)
        final = clone_json(data)
        self._steps[step_id] = final
        calls = self._finish_tool_call(final) if self._tool_step == step_id else []
        calls.append(HandlerCall("on_run_step_done", (final,)))
        if self._step_id == step_id:
            self._step_id = None
        return calls

    def _message_created(self, name: str, data: JSON) -> Calls:
        message_id = _id_of(name, data)
        calls = self._finish_content(None)
        message = clone_json(data)
        self._messages[message_id] = message
        self.current_message = message
        calls.append(HandlerCall("on_message_created", (message,)))
        return calls

    def _message_progress(self, name: str, data: JSON) -> Calls:
        message_id = _id_of(name, data)
        message = self._messages.get(message_id)
        if message is None:
            return self._message_created(name, data)[:-1]
        for key, value in data.items():
            if key != "content":
                message[key] = value
        return []

    def _message_delta(self, name: str, data: JSON) -> Calls:
        message_id = data.get("id")
        message = self._messages.get(message_id) if type(message_id) is str else None
        if message is None and message_id is None:
            message = self.current_message
        if message is None:
            raise RemoteProtocolError(f"{name} for message {message_id!r} before its creation")
        delta = field_object(data, "delta")
        content_deltas = _entries(name, delta.get("content"), "content")
        calls: Calls = []
        if message is not self.current_message:
            calls.extend(self._finish_content(None))
            self.current_message = message
        content = message.get("content")
        if type(content) is not list:
            content = message["content"] = []
        slots = self._slots(content)
        for content_delta in content_deltas:
            index = content_delta["index"]
            block = slots.get(index)
            is_new = type(block) is not dict
            if is_new:
                block = _new_block(content_delta.get("type"))
                slots.put(index, block)
            self._merge(name, block, content_delta)
            if index != self._content_index:
                calls.extend(self._finish_content(None))
                self._content_index, self._content = index, block
            text = block.get("text")
            if is_new and block.get("type") == "text" and type(text) is dict:
                calls.append(HandlerCall("on_text_created", (text,)))
            text_delta = content_delta.get("text")
            if content_delta.get("type") == "text" and type(text_delta) is dict:
                calls.append(HandlerCall("on_text_delta", (text_delta, block.get("text"))))
        for key, value in delta.items():
            if key != "content":
                message[key] = value
        calls.append(HandlerCall("on_message_delta", (delta, message)))
        return calls

    def _message_end(self, name: str, data: JSON) -> Calls:
        message_id = _id_of(name, data)
        final = clone_json(data)
        if self.current_message is not None and self.current_message.get("id") != message_id:
            calls = self._finish_content(None)
        else:
            calls = self._finish_content(final)
        self._messages[message_id] = final
        self.current_message = final
        calls.append(HandlerCall("on_message_done", (final,)))
        return calls

    def _finish_content(self, final_message: JSON | None) -> Calls:
        """``on_text_done`` / ``on_image_file_done`` for the current content block, if any."""
        block, index = self._content, self._content_index
        self._content = self._content_index = None
        if block is None or index is None:
            return []
        if final_message is not None:
            content = final_message.get("content")
            if type(content) is list and index < len(content) and type(content[index]) is dict:
                block = content[index]
        kind = block.get("type")
        if kind == "text" and type(block.get("text")) is dict:
            return [HandlerCall("on_text_done", (block["text"],))]
        if kind == "image_file" and type(block.get("image_file")) is dict:
            return [HandlerCall("on_image_file_done", (block["image_file"],))]
        return []

    # -- merging deltas --------------------------------------------------------------------------

    def _slots(self, values: list[Any]) -> IndexedList:
        slots = self._lists.get(id(values))
        if slots is None or slots.values is not values:
            slots = self._lists[id(values)] = IndexedList(values)
        return slots

    def _merge(self, name: str, target: JSON, delta: JSON) -> None:
        """Merge ``delta`` into ``target``: streamed strings appended, indexed lists by index."""
        for key, value in delta.items():
            if key == "index":
                continue
            current = target.get(key)
            if key in STREAMED_FIELDS and type(value) is str:
                append_text(target, key, value)
            elif key in INDEXED_LISTS and type(value) is list:
                if type(current) is not list:
                    current = target[key] = []
                self._merge_list(name, key, current, value)
            elif type(value) is dict:
                if type(current) is not dict:
                    current = target[key] = {}
                self._merge(name, current, value)
            else:
                target[key] = clone_json(value)

    def _merge_list(self, name: str, key: str, target: list[Any], entries: list[Any]) -> None:
        slots = self._slots(target)
        for entry in _entries(name, entries, key):
            index = entry["index"]
            existing = slots.get(index)
            if type(existing) is not dict:
                existing = {}
                slots.put(index, existing)
            self._merge(name, existing, entry)


def _new_block(kind: Any) -> JSON:
    if kind == "text":
        return {"type": "text", "text": {"value": "", "annotations": []}}
    return {"type": kind}


def _final_tool_call(step: JSON, index: int) -> JSON | None:
    details = step.get("step_details")
    tool_calls = details.get("tool_calls") if type(details) is dict else None
    if type(tool_calls) is list and index < len(tool_calls) and type(tool_calls[index]) is dict:
        return tool_calls[index]  # type: ignore[no-any-return]
    return None


_S = AssistantState
_A = AssistantAccumulator

_FOLDING: dict[AssistantInput, Handler] = {
    _I.THREAD: _A._nothing,
    _I.RUN: _A._run,
    _I.RUN_END: _A._run_end,
    _I.STEP_CREATED: _A._step_created,
    _I.STEP_PROGRESS: _A._step_progress,
    _I.STEP_DELTA: _A._step_delta,
    _I.STEP_END: _A._step_end,
    _I.MESSAGE_CREATED: _A._message_created,
    _I.MESSAGE_PROGRESS: _A._message_progress,
    _I.MESSAGE_DELTA: _A._message_delta,
    _I.MESSAGE_END: _A._message_end,
    _I.ERROR: _A._error_event,
    _I.UNKNOWN: _A._nothing,
    _I.MALFORMED: _A._refuse_malformed,
}

#: ``(state, input) -> (handler, next state)``; a missing pair is a LocalProtocolError.
ASSISTANT_TRANSITIONS: dict[tuple[_S, _I], tuple[Handler | None, _S]] = {
    **{(_S.AWAITING, kind): (fold, _S.STREAMING) for kind, fold in _FOLDING.items()},
    (_S.AWAITING, _I.END): (None, _S.CLOSED),
    **{(_S.STREAMING, kind): (fold, _S.STREAMING) for kind, fold in _FOLDING.items()},
    (_S.STREAMING, _I.END): (None, _S.CLOSED),
    (_S.CLOSED, _I.END): (None, _S.CLOSED),
    **{(_S.FAILED, kind): (_A._reraise, _S.FAILED) for kind in _FOLDING},
    (_S.FAILED, _I.END): (None, _S.FAILED),
}


__all__ = [
    "ASSISTANT_TRANSITIONS",
    "EVENT_INPUTS",
    "INDEXED_LISTS",
    "STREAMED_FIELDS",
    "TIMEOUT_ERRORS",
    "AssistantAccumulator",
    "AssistantInput",
    "AssistantState",
    "HandlerCall",
]
