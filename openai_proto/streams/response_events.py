"""The events a :class:`~openai_proto.streams.responses.ResponseAccumulator` hands out.

Every event keeps the JSON it was made from in ``data``; its attributes read that JSON
the way the official SDK's event models do: ``event.type``, ``event.delta``,
``event.output_index`` are the JSON values, and a field holding an object or a list
(``event.item``, ``event.part``, ``event.response``, ``event.logprobs``) is the generated
model's (``event.item.name``, ``event.response.output_text``). The model of the whole
event (``event.model``, a member of the generated ``ResponseStreamEvent`` union) is built
on the first such read and kept, so events nobody looks into cost nothing more.

The accumulator adds what the raw events lack:

- delta events (:class:`ResponseDeltaEvent`): ``snapshot``, the text so far; with
  structured output, ``parsed`` (output text) / ``parsed_arguments`` (strict function
  calls), the partial JSON value so far;
- ``response.output_text.done`` (:class:`ResponseTextDoneEvent`): ``parsed``;
- ``response.function_call_arguments.done`` (:class:`ResponseArgumentsDoneEvent`):
  ``parsed_arguments``;
- ``response.completed`` / ``failed`` / ``incomplete`` (:class:`ResponseFinishedEvent`):
  ``response``, the final response as a model.

Partial values are computed when read, not when the event arrives: each text has one
incremental :class:`~openai_proto.streams.partial_json.PartialJSON`, fed up to the event
being read, so reading ``parsed`` on every event costs time linear in the text (reading an
event again after later ones were read parses its text afresh).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from openai_proto.errors import RemoteProtocolError
from openai_proto.sentinels import UNSET
from openai_proto.streams.partial_json import PartialJSON, parse_partial

if TYPE_CHECKING:
    from openai_proto.streams.responses import TextBuffer

JSON = dict[str, Any]

#: JSON value types whose attribute reads go through the event's model.
_NESTED = (dict, list)


def event_model(data: JSON) -> Any:
    """``data`` as a member of the generated ``ResponseStreamEvent`` union."""
    from openai_proto.generated.models.responses import ResponseStreamEvent
    from openai_proto.models import structure

    return structure(data, ResponseStreamEvent)


def response_model(data: JSON) -> Any:
    """A final response as the generated ``Response`` model."""
    from openai_proto.generated.models.responses import Response
    from openai_proto.models import structure

    return structure(data, Response)


class Decoded:
    """A decoder that remembers its last result: ``decoded(data)`` decodes ``data`` once,
    and gives the same object again for the same ``data`` (compared by identity)."""

    __slots__ = ("_decode", "_source", "_value")

    def __init__(self, decode: Callable[[JSON], Any]) -> None:
        self._decode = decode
        self._source: JSON | None = None
        self._value: Any = None

    def __call__(self, data: JSON) -> Any:
        if data is not self._source:
            self._value = self._decode(data)
            self._source = data
        return self._value


class PartialText:
    """The partial JSON value of one streamed text (an output text, or a function call's
    arguments), parsed as far as it has been read."""

    __slots__ = ("_error", "_fed", "_parser", "buffer", "kind")

    def __init__(self, buffer: TextBuffer, kind: str) -> None:
        self.buffer = buffer
        #: ``"text"`` (output text: ``parsed``) or ``"arguments"`` (``parsed_arguments``).
        self.kind = kind
        self._parser: PartialJSON | None = None
        self._fed = 0
        self._error: RemoteProtocolError | None = None

    def value_at(self, length: int) -> Any:
        """The partial value of the text's first ``length`` characters (``None`` before
        any value has started). Bad JSON raises RemoteProtocolError, again on each read."""
        if self._error is not None:
            raise self._error
        buffer = self.buffer
        buffer.flush()
        text = buffer.owner.get(buffer.key)
        if type(text) is not str:
            text = ""
        try:
            if length < self._fed:  # an earlier event, read after later ones
                value = parse_partial(text[:length])
            else:
                parser = self._parser
                if parser is None:
                    parser = self._parser = PartialJSON()
                if length > self._fed:
                    parser.feed(text[self._fed : length])
                    self._fed = length
                value = parser.value
        except RemoteProtocolError as exc:
            self._error = exc
            raise
        return None if value is UNSET else value


# -- the events ------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class ResponseEvent:
    """One event of the stream: the raw dict, with its fields also readable as attributes
    (objects and lists as the generated models; see the module docstring).

    A field the event does not have raises AttributeError.
    """

    data: JSON
    _model: Any = attrs.field(default=None, init=False, eq=False, repr=False)

    @property
    def type(self) -> str:
        return str(self.data.get("type"))

    @property
    def sequence_number(self) -> int | None:
        number = self.data.get("sequence_number")
        return number if type(number) is int else None

    @property
    def model(self) -> Any:
        """The whole event as its generated model (built on first use)."""
        model = self._model
        if model is None:
            model = event_model(self.data)
            object.__setattr__(self, "_model", model)
        return model

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("data", "_model"):
            raise AttributeError(name)
        try:
            value = self.data[name]
        except KeyError:
            raise AttributeError(f"{self.type} has no field {name!r}") from None
        if isinstance(value, _NESTED):
            return getattr(self.model, name, value)
        return value


@attrs.frozen(slots=True)
class ResponseDeltaEvent(ResponseEvent):
    """A text delta that was accumulated; ``snapshot`` is the text so far (at this event).

    For ``response.output_text.delta``, ``response.refusal.delta``,
    ``response.function_call_arguments.delta``, ``response.custom_tool_call_input.delta``,
    ``response.reasoning_text.delta``, ``response.reasoning_summary_text.delta``,
    ``response.mcp_call_arguments.delta`` and ``response.code_interpreter_call_code.delta``.

    With structured output, ``parsed`` (output text) and ``parsed_arguments`` (arguments
    of a strict function tool) are the partial JSON value so far; ``None`` otherwise.
    """

    buffer: TextBuffer = attrs.field(repr=False, eq=False)
    length: int = attrs.field(repr=False, eq=False)
    partial: PartialText | None = attrs.field(default=None, repr=False, eq=False)

    @property
    def snapshot(self) -> str:
        return self.buffer.text_at(self.length)

    @property
    def parsed(self) -> Any:
        """The output text so far as a partial JSON value (structured output only)."""
        partial = self.partial
        if partial is None or partial.kind != "text":
            return None
        return partial.value_at(self.length)

    @property
    def parsed_arguments(self) -> Any:
        """The arguments so far as a partial JSON value (strict function tools only)."""
        partial = self.partial
        if partial is None or partial.kind != "arguments":
            return None
        return partial.value_at(self.length)


@attrs.frozen(slots=True)
class ResponseTextDoneEvent(ResponseEvent):
    """``response.output_text.done``, with ``parsed``: the text read by the accumulator's
    ``parse_text`` (``None`` when there is none)."""

    parsed: Any = None


@attrs.frozen(slots=True)
class ResponseArgumentsDoneEvent(ResponseEvent):
    """``response.function_call_arguments.done``, with ``parsed_arguments``: the arguments
    read by the parser of the call's strict function tool (``None`` for other calls)."""

    parsed_arguments: Any = None


@attrs.frozen(slots=True)
class ResponseFinishedEvent(ResponseEvent):
    """``response.completed`` / ``response.failed`` / ``response.incomplete``.

    ``raw_response`` is the final response as JSON (the payload, with our output if it
    had none); ``response`` the same decoded — a ``Response`` model, or what the stream
    was configured to give (a ``ParsedResponse`` from ``client.responses.stream``).
    """

    raw_response: JSON = attrs.field(factory=dict, repr=False)
    decode: Callable[[JSON], Any] = attrs.field(default=response_model, repr=False, eq=False)

    @property
    def response(self) -> Any:
        return self.decode(self.raw_response)


@attrs.frozen(slots=True)
class UnknownResponseEvent(ResponseEvent):
    """An event type this accumulator does not know; passed through untouched (its
    attributes are the raw JSON values)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("data", "_model"):
            raise AttributeError(name)
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(f"{self.type} has no field {name!r}") from None


__all__ = [
    "Decoded",
    "PartialText",
    "ResponseArgumentsDoneEvent",
    "ResponseDeltaEvent",
    "ResponseEvent",
    "ResponseFinishedEvent",
    "ResponseTextDoneEvent",
    "UnknownResponseEvent",
    "event_model",
    "response_model",
]
