"""Event-stream payloads: server-sent events in, JSON values out — pure.

:func:`decode_event` turns one :class:`~openai_proto.sse.ServerSentEvent` into a
:data:`StreamItem` by these rules, applied in this order:

1. Data starting with ``[DONE]`` is :class:`Done`: the stream is over.
2. An event named ``error`` raises :class:`~openai_proto.errors.StreamError`, whatever
   its data (JSON or not, even empty).
3. Empty data is :class:`Empty` (``event: ping`` and the like); callers skip it.
4. The data must be JSON; if it is not, :class:`~openai_proto.errors.RemoteProtocolError`
   (showing the start of the data).
5. An error payload raises :class:`~openai_proto.errors.StreamError`: a JSON object with
   ``"type": "error"`` (the Responses API's ``error`` event), or one with no ``type`` and
   a truthy ``"error"`` (``{"error": {"message": ..., "code": ...}}``). A typed event
   that merely carries an ``error`` field (``"type": "response.steer.failed"``) is an
   ordinary payload.
6. Anything else is a :class:`Payload` holding the event name and the JSON value.

The error's ``message`` is the error object's ``message``; its ``code``, ``param`` and
``type`` come from the same object (the value of ``"error"`` when that is an object,
else the payload itself), which is also the error's ``body``.

:class:`EventStreamDecoder` composes :class:`~openai_proto.sse.SSEDecoder` and
:func:`decode_event`: bytes in, :class:`Payload` values out, until ``[DONE]``; bytes fed
after ``[DONE]`` are ignored. Its state moves by one table,
:data:`EVENT_STREAM_TRANSITIONS`.

Speed: the decoder applies rules 1-6 to the common event inline — data that is one JSON
object, not an error report, in an event not named ``error`` — with the C scanner
``json.loads`` itself uses; anything else (``[DONE]``, empty data, errors, trailing
whitespace, bad JSON) goes through :func:`decode_event`. Both give the same result (a
property test compares them).
"""

from __future__ import annotations

import enum
import json
import json.scanner
from collections.abc import Callable
from typing import Any, Union, cast

import attrs

from openai_proto.errors import RemoteProtocolError, StreamError
from openai_proto.lines import (
    DEFAULT_MAX_LINE_BYTES,
    FAILURES,
    Failure,
    Outcome,
    deliver,
    raise_again,
    refused,
)
from openai_proto.sse import RawEvent, ServerSentEvent, SSEDecoder

#: How the end of a stream is marked in its data.
DONE_MARKER = "[DONE]"

#: How much of bad data an error message shows.
PREVIEW_CHARS = 200


@attrs.frozen
class Done:
    """``data: [DONE]``: the stream is over."""


@attrs.frozen
class Payload:
    """An event's JSON value, with the event's name (``thread.run.created``, ...)."""

    event: str | None
    data: Any


@attrs.frozen
class Empty:
    """An event with empty data (a keep-alive such as ``event: ping``)."""

    event: str | None


StreamItem = Union[Done, Payload, Empty]

#: ``scan(text, index) -> (value, end)``: what ``json.loads`` runs underneath (the C
#: scanner of a default :class:`json.JSONDecoder`), without its three Python frames.
#: ``end < len(text)`` (trailing text) or an exception sends the data the long way,
#: through :func:`parse_data`, which accepts or explains it exactly as ``json.loads``.
_scan_json: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(
    cast(Any, json.JSONDecoder())  # typeshed types the argument oddly
)

_NO_TYPE = object()


def _payload(event: str | None, data: Any) -> Payload:
    """``Payload(event, data)``, built without the frozen class's ``__init__`` (hot path)."""
    payload = _new_payload(Payload)
    _set_payload_event(payload, event)
    _set_payload_data(payload, data)
    return payload


_new_payload = object.__new__
_set_payload_event = Payload.__dict__["event"].__set__
_set_payload_data = Payload.__dict__["data"].__set__


def decode_event(sse: ServerSentEvent) -> StreamItem:
    """The stream item one event stands for; error events raise StreamError."""
    if sse.data.startswith(DONE_MARKER):
        return Done()
    if sse.event == "error":
        raise stream_error(_json_or_text(sse.data))
    if not sse.data:
        return Empty(sse.event)
    value = parse_data(sse)
    if is_error_payload(value):
        raise stream_error(value)
    return Payload(sse.event, value)


def parse_data(sse: ServerSentEvent) -> Any:
    """The event's data as JSON; anything else raises RemoteProtocolError."""
    try:
        return json.loads(sse.data)
    except (ValueError, RecursionError) as exc:
        name = f" of event {sse.event!r}" if sse.event else ""
        raise RemoteProtocolError(
            f"the data{name} is not valid JSON ({_reason(exc)}): {_preview(sse.data)!r}"
        ) from None


def is_error_payload(value: object) -> bool:
    """Whether a JSON value is an error report (rule 5 of this module)."""
    if not isinstance(value, dict):
        return False
    if "type" in value:
        return bool(value["type"] == "error")
    return bool(value.get("error"))


def stream_error(value: object) -> StreamError:
    """The StreamError for an error report (a JSON value, or the raw text)."""
    inner = value.get("error") if isinstance(value, dict) else None
    body = inner if isinstance(inner, dict) else value
    return StreamError(_error_message(body, inner), body=body)


def _error_message(body: object, inner: object) -> str:
    message = body.get("message") if isinstance(body, dict) else None
    for candidate in (message, inner):
        if isinstance(candidate, str) and candidate:
            return candidate
    if body is None or body == "":
        return "The stream reported an error without details."
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return "The stream reported an error: " + _preview(text)


def _json_or_text(data: str) -> Any:
    try:
        return json.loads(data) if data else None
    except (ValueError, RecursionError):
        return data


def _preview(text: str) -> str:
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "..."


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at char {exc.pos}"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)


class EventStreamState(enum.Enum):
    """Where an :class:`EventStreamDecoder` is."""

    #: Reading events.
    OPEN = "open"
    #: ``[DONE]`` was seen; bytes fed now are ignored.
    DONE = "done"
    #: ``close()`` was called.
    CLOSED = "closed"
    #: An error event or bad input; every call raises that error again.
    FAILED = "failed"

    __hash__ = object.__hash__  # members are singletons; skips Enum's slower hash


class EventStreamInput(enum.Enum):
    """What the decoder reacts to: calls, and the items :func:`decode_event` makes."""

    BYTES = "bytes"
    PAYLOAD = "payload"
    EMPTY = "empty"
    DONE = "done"
    END = "end"

    __hash__ = object.__hash__


ITEM_INPUTS: dict[type[Any], EventStreamInput] = {
    Payload: EventStreamInput.PAYLOAD,
    Empty: EventStreamInput.EMPTY,
    Done: EventStreamInput.DONE,
}

EventStreamHandler = Callable[["EventStreamDecoder", "StreamItem | None"], "Payload | None"]


class EventStreamDecoder:
    """Bytes in, JSON payloads out: ``feed(bytes) -> list[Payload]``; ``close()``.

    >>> decoder = EventStreamDecoder()
    >>> decoder.feed(b'data: {"n": 1}\\n\\nevent: ping\\n\\ndata: [DONE]\\n\\n')
    [Payload(event=None, data={'n': 1})]
    >>> decoder.done
    True
    """

    def __init__(self, *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> None:
        self._sse = SSEDecoder(max_line_bytes)
        self._state = EventStreamState.OPEN
        self._done = False
        self._error: Failure | None = None

    @property
    def state(self) -> EventStreamState:
        return self._state

    @property
    def done(self) -> bool:
        """Whether ``[DONE]`` was seen (it stays true after ``close()``)."""
        return self._done

    def feed(self, data: bytes) -> list[Payload]:
        """The payloads completed by ``data``; nothing once ``[DONE]`` was seen."""
        return deliver(self._feed(data))

    def close(self) -> list[Payload]:
        """End of input: the payload of an unfinished event, if any."""
        return deliver(self._close())

    def _feed(self, data: bytes) -> Outcome[Payload]:
        self._step(EventStreamInput.BYTES, None)
        if self._state is EventStreamState.DONE:
            return [], None
        return self._take(self._sse._feed(data))

    def _close(self) -> Outcome[Payload]:
        self._check(EventStreamInput.END)
        payloads: list[Payload] = []
        if self._state is EventStreamState.OPEN:
            payloads, error = self._take(self._sse._close())
            if error is not None:
                return payloads, error
        self._step(EventStreamInput.END, None)
        return payloads, None

    def _take(self, outcome: Outcome[RawEvent]) -> Outcome[Payload]:
        """Decode events up to ``[DONE]`` or the first error."""
        events, error = outcome
        payloads: list[Payload] = []
        append = payloads.append
        for raw in events:
            # The common case, decode_event and the OPEN -PAYLOAD-> OPEN step inlined: a
            # JSON object that is not an error report, in an event not named ``error``.
            name, data = raw[0], raw[1]
            if data[:1] == "{" and name != "error":
                try:
                    value, end = _scan_json(data, 0)
                except (StopIteration, ValueError, RecursionError):
                    end = -1  # decode_event below says what is wrong
                if end == len(data):
                    kind = value.get("type", _NO_TYPE)
                    if kind != "error" if kind is not _NO_TYPE else not value.get("error"):
                        append(_payload(name, value))
                        continue
            try:
                item = decode_event(ServerSentEvent(*raw))
            except FAILURES as exc:
                return payloads, self._fail(exc)
            payload = self._step(ITEM_INPUTS[type(item)], item)
            if payload is not None:
                append(payload)
            if self._state is EventStreamState.DONE:
                return payloads, None  # the rest is ignored, errors included
        if error is not None:
            return payloads, self._fail(error)
        return payloads, None

    def _check(self, event: EventStreamInput) -> tuple[EventStreamHandler | None, EventStreamState]:
        if self._state is EventStreamState.FAILED:
            raise_again(self._error)
        try:
            return EVENT_STREAM_TRANSITIONS[(self._state, event)]
        except KeyError:
            raise refused("EventStreamDecoder", self._state, event) from None

    def _step(self, event: EventStreamInput, item: StreamItem | None) -> Payload | None:
        handler, next_state = self._check(event)
        result = handler(self, item) if handler is not None else None
        self._state = next_state
        return result

    def _fail(self, error: Failure) -> Failure:
        self._error = error
        self._state = EventStreamState.FAILED
        return error

    # -- handlers ---------------------------------------------------------------

    def _emit(self, item: StreamItem | None) -> Payload | None:
        return item if isinstance(item, Payload) else None

    def _mark_done(self, _: StreamItem | None) -> None:
        self._done = True


_S = EventStreamState
_I = EventStreamInput
_E = EventStreamDecoder

#: ``(state, input) -> (handler, next state)``; anything missing is a LocalProtocolError.
EVENT_STREAM_TRANSITIONS: dict[
    tuple[EventStreamState, EventStreamInput], tuple[EventStreamHandler | None, EventStreamState]
] = {
    (_S.OPEN, _I.BYTES): (None, _S.OPEN),
    (_S.OPEN, _I.PAYLOAD): (_E._emit, _S.OPEN),
    (_S.OPEN, _I.EMPTY): (None, _S.OPEN),
    (_S.OPEN, _I.DONE): (_E._mark_done, _S.DONE),
    (_S.OPEN, _I.END): (None, _S.CLOSED),
    (_S.DONE, _I.BYTES): (None, _S.DONE),
    (_S.DONE, _I.END): (None, _S.CLOSED),
}

__all__ = [
    "DONE_MARKER",
    "Done",
    "EVENT_STREAM_TRANSITIONS",
    "Empty",
    "EventStreamDecoder",
    "EventStreamInput",
    "EventStreamState",
    "Payload",
    "StreamItem",
    "decode_event",
    "is_error_payload",
    "parse_data",
    "stream_error",
]
