"""Server-sent events: bytes in, :class:`ServerSentEvent` values out — pure.

The decoder follows the WHATWG "event stream interpretation"
(https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
with three deliberate differences, marked *(differs)*:

1. Lines end at CR, LF or CRLF and are strict UTF-8 (:mod:`openai_proto.lines`). A
   UTF-8 byte order mark at the very start of the stream is dropped.
2. A line starting with ``:`` is a comment. Otherwise ``name: value`` (one space after
   the colon is dropped; a line with no colon is a field with an empty value).
   ``data`` appends a line to the event's data (lines are joined with ``\\n``),
   ``event`` sets its name (empty means no name: ``None``), ``id`` sets the last event
   id (ignored if it contains NUL; empty resets it to ``None``; it stays set for the
   following events), ``retry`` sets the reconnection time in milliseconds (only if the
   value is all ASCII digits, at most 18 of them). Other field names are ignored.
3. *(differs)* A blank line dispatches an event if a ``data`` **or** ``event`` line was
   seen since the last dispatch. WHATWG needs a ``data`` line; we also count ``event``,
   so ``event: ping`` followed by a blank line is an event with empty data. Lines of
   only ``id``, ``retry``, comments or unknown fields make no event, so extra blank
   lines never produce empty events.
4. *(differs)* :meth:`SSEDecoder.close` dispatches an unfinished event by the same rule
   (WHATWG discards it), including a last line that has no line end. A server that
   leaves out the final blank line keeps its last event, and a stream cut in the middle
   of an event reaches the layer above (where its JSON fails loudly) instead of
   vanishing.
5. *(differs)* ``retry`` on a :class:`ServerSentEvent` is the value given within that
   event's lines; :attr:`SSEDecoder.retry` is the latest one given anywhere.

Errors: a line over ``max_line_bytes`` or invalid UTF-8 raises
:class:`~openai_proto.errors.RemoteProtocolError`; the events before it are returned
first and the error is raised by the next call (see :mod:`openai_proto.lines`, rule 5).
Feeding after ``close()`` raises :class:`~openai_proto.errors.LocalProtocolError`.

The state (:class:`SSEState`) moves by one table, :data:`SSE_TRANSITIONS`; the line
splitter below it has its own (:data:`openai_proto.lines.LINE_TRANSITIONS`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Union

import attrs

from openai_proto.lines import (
    DEFAULT_MAX_LINE_BYTES,
    Failure,
    LineDecoder,
    LineState,
    Outcome,
    deliver,
    raise_again,
    refused,
)

#: ``retry`` values with more digits than this are ignored.
MAX_RETRY_DIGITS = 18


@attrs.frozen
class ServerSentEvent:
    """One dispatched event."""

    #: The ``event`` field (``None`` when absent or empty).
    event: str | None = None
    #: The ``data`` lines joined with ``\n`` (``""`` when there were none).
    data: str = ""
    #: The last event id at dispatch time (it carries over from earlier events).
    id: str | None = None
    #: A ``retry`` given within this event's lines, in milliseconds.
    retry: int | None = None


class SSEState(enum.Enum):
    """Where an :class:`SSEDecoder` is between events."""

    #: No ``data`` or ``event`` line since the last dispatch.
    IDLE = "idle"
    #: A ``data`` or ``event`` line was seen; a blank line dispatches the event.
    IN_EVENT = "in event"
    #: ``close()`` was called.
    CLOSED = "closed"
    #: The input broke a rule; every call raises that error again.
    FAILED = "failed"

    __hash__ = object.__hash__  # members are singletons; skips Enum's slower hash


class SSEInput(enum.Enum):
    """What the decoder reacts to: a call to ``feed()``, a kind of line, or ``close()``."""

    BYTES = "bytes"
    BLANK = "blank line"
    COMMENT = "comment"
    DATA = "data"
    EVENT = "event"
    ID = "id"
    RETRY = "retry"
    UNKNOWN = "unknown field"
    END = "end"

    __hash__ = object.__hash__


FIELDS = {
    "data": SSEInput.DATA,
    "event": SSEInput.EVENT,
    "id": SSEInput.ID,
    "retry": SSEInput.RETRY,
}

#: What the decoder works with inside: ``(event, data, id, retry)``, the fields of a
#: :class:`ServerSentEvent` (a plain tuple is much cheaper to build; ``feed()`` wraps it).
RawEvent = tuple[Union[str, None], str, Union[str, None], Union[int, None]]

SSEHandler = Callable[["SSEDecoder", str], "RawEvent | None"]

LF = b"\n"
BLANK_LINE = b"\n\n"


class SSEDecoder:
    """Bytes in, events out: ``feed(bytes) -> list[ServerSentEvent]``; ``close()``.

    >>> decoder = SSEDecoder()
    >>> decoder.feed(b"event: ping\\n\\ndata: hel")
    [ServerSentEvent(event='ping', data='', id=None, retry=None)]
    >>> decoder.feed(b"lo\\n\\n")
    [ServerSentEvent(event=None, data='hello', id=None, retry=None)]
    >>> decoder.close()
    []

    How a chunk is read (every path gives what the line-by-line rules give):

    1. CRLF and CR become LF (a CR at the end of a chunk remembers that a LF starting
       the next chunk belongs to it), so blank lines are ``\\n\\n``.
    2. If the previous chunk stopped inside an event, the bytes up to the first blank
       line go through the general path: :class:`~openai_proto.lines.LineDecoder`, then
       one :data:`SSE_TRANSITIONS` step per line.
    3. The whole events after that (up to the last blank line of the chunk) are a
       *region*: decoded as UTF-8 at once and split on blank lines. An event of the
       shape ``data: ...`` or ``event: ...`` + ``data: ...`` (one line each, as the
       OpenAI API sends them) is dispatched directly — it is exactly the steps
       ``IDLE -DATA-> IN_EVENT -BLANK-> IDLE`` (with ``EVENT`` first) of the table;
       any other event steps through the table line by line. A region with invalid
       UTF-8, or longer than ``max_line_bytes`` (so that a line in it might be too
       long), goes through the general path instead, which reports the exact line.
    4. The bytes after the last blank line go through the general path.
    """

    def __init__(self, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> None:
        self._lines = LineDecoder(max_line_bytes=max_line_bytes, strip_bom=True)
        self._after_cr = False
        self._state = SSEState.IDLE
        self._event: str | None = None
        self._data: list[str] = []
        self._event_retry: int | None = None
        self._last_event_id: str | None = None
        self._retry: int | None = None
        self._error: Failure | None = None

    @property
    def state(self) -> SSEState:
        return self._state

    @property
    def line_state(self) -> LineState:
        """The state of the line splitter underneath."""
        state = self._lines.state
        if state is LineState.LINE_START and self._after_cr:
            return LineState.AFTER_CR
        return state

    @property
    def last_event_id(self) -> str | None:
        """The last ``id`` seen (what a reconnect would send as ``Last-Event-ID``)."""
        return self._last_event_id

    @property
    def retry(self) -> int | None:
        """The latest ``retry`` seen, in milliseconds."""
        return self._retry

    def feed(self, data: bytes) -> list[ServerSentEvent]:
        """The events completed by ``data``."""
        return [ServerSentEvent(*raw) for raw in deliver(self._feed(data))]

    def close(self) -> list[ServerSentEvent]:
        """End of input: the unfinished event, if it had a ``data`` or ``event`` line."""
        return [ServerSentEvent(*raw) for raw in deliver(self._close())]

    def _feed(self, data: bytes) -> Outcome[RawEvent]:
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"feed() takes bytes, not {type(data).__name__}")
        self._step(SSEInput.BYTES, "")
        events: list[RawEvent] = []
        error = self._read(self._lf_only(data), events)
        return events, error

    def _close(self) -> Outcome[RawEvent]:
        self._check(SSEInput.END)
        lines, error = self._lines._close()
        if error is not None:
            return [], self._fail(error)
        for line in lines:
            self._step(*classify(line))  # a last line without line end is never blank
        event = self._step(SSEInput.END, "")
        return ([] if event is None else [event]), None

    def _check(self, event: SSEInput) -> tuple[SSEHandler | None, SSEState]:
        if self._state is SSEState.FAILED:
            raise_again(self._error)
        try:
            return SSE_TRANSITIONS[(self._state, event)]
        except KeyError:
            raise refused("SSEDecoder", self._state, event) from None

    def _step(self, event: SSEInput, value: str) -> RawEvent | None:
        handler, next_state = self._check(event)
        result = handler(self, value) if handler is not None else None
        self._state = next_state
        return result

    def _fail(self, error: Failure) -> Failure:
        self._error = error
        self._state = SSEState.FAILED
        return error

    # -- reading a chunk ----------------------------------------------------------

    def _lf_only(self, data: bytes) -> bytes:
        """``data`` with CRLF and CR turned into LF (rule 1 of the class docstring)."""
        if not data:
            return data
        if self._after_cr:
            self._after_cr = False
            if data[0] == 10:  # the LF of a CRLF split across chunks
                data = data[1:]
        if b"\r" in data:
            self._after_cr = data[-1] == 13
            data = data.replace(b"\r\n", LF).replace(b"\r", LF)
        return data

    def _at_event_start(self) -> bool:
        """Whether the last line read was blank: no field of an event is pending."""
        return (
            self._state is SSEState.IDLE and self._event_retry is None and self._lines.at_line_start
        )

    def _read(self, data: bytes, out: list[RawEvent]) -> Failure | None:
        """Read LF-only ``data`` into ``out``; the error that stopped it, if any."""
        start = 0
        if not self._at_event_start():
            if data[:1] == LF and self._lines.state is LineState.LINE_START:
                start = 1  # a blank line right away
            else:
                start = data.find(BLANK_LINE) + 2
                if start == 1:  # no blank line: the event goes on after this chunk
                    return self._general(data, out)
            error = self._general(data[:start], out)
            if error is not None:
                return error
        last_blank = data.rfind(BLANK_LINE, start)
        if last_blank >= 0:
            end = last_blank + 2
            error = self._region(data[start:end] if start or end < len(data) else data, out)
            if error is not None:
                return error
            start = end
        if start < len(data):
            return self._general(data[start:], out)
        return None

    def _general(self, data: bytes, out: list[RawEvent]) -> Failure | None:
        """Read ``data`` line by line: the splitter, then one table step per line."""
        lines, error = self._lines._feed(data)
        self._take_lines(lines, out.append)
        if error is not None:
            self._fail(error)
        return error

    def _region(self, region: bytes, out: list[RawEvent]) -> Failure | None:
        """Read whole events: ``region`` starts an event and ends with a blank line."""
        if len(region) > self._lines.max_line_bytes:
            return self._general(region, out)  # it checks each line's length
        try:
            text = region.decode("utf-8")
        except UnicodeDecodeError:
            return self._general(region, out)  # it finds the bad line
        self._lines.skip_lines(region.count(LF))
        append = out.append
        for block in text[:-2].split("\n\n"):
            if block.startswith("data: "):
                if "\n" not in block:
                    append((None, block[6:], self._last_event_id, None))
                    continue
            elif block.startswith("event: "):
                name_end = block.find("\n")
                data_start = name_end + 7
                if (
                    name_end > 0
                    and block.startswith("data: ", name_end + 1)
                    and block.find("\n", data_start) < 0
                ):
                    name = block[7:name_end] or None
                    append((name, block[data_start:], self._last_event_id, None))
                    continue
            self._take_lines((*block.split("\n"), ""), append)  # with its blank line
        return None

    def _take_lines(self, lines: Iterable[str], append: Callable[[RawEvent], None]) -> None:
        """One table step per line."""
        for line in lines:
            # _step, inlined for speed: a live state has a row for every kind of line.
            kind, value = classify(line)
            handler, next_state = SSE_TRANSITIONS[(self._state, kind)]
            event = handler(self, value) if handler is not None else None
            self._state = next_state
            if event is not None:
                append(event)

    # -- handlers ---------------------------------------------------------------

    def _add_data(self, value: str) -> None:
        self._data.append(value)

    def _set_event(self, value: str) -> None:
        self._event = value or None

    def _set_id(self, value: str) -> None:
        if "\0" not in value:
            self._last_event_id = value or None

    def _set_retry(self, value: str) -> None:
        if value.isascii() and value.isdigit() and len(value) <= MAX_RETRY_DIGITS:
            self._retry = self._event_retry = int(value)

    def _end_block(self, _: str) -> None:
        self._event_retry = None

    def _dispatch(self, _: str) -> RawEvent:
        event = (self._event, "\n".join(self._data), self._last_event_id, self._event_retry)
        self._event = None
        self._data = []
        self._event_retry = None
        return event


def classify(line: str) -> tuple[SSEInput, str]:
    """The kind of one line and its field value."""
    if not line:
        return SSEInput.BLANK, ""
    if line[0] == ":":
        return SSEInput.COMMENT, ""
    name, _, value = line.partition(":")
    if value[:1] == " ":
        value = value[1:]
    return FIELDS.get(name, SSEInput.UNKNOWN), value


_S = SSEState
_I = SSEInput
_D = SSEDecoder


def _field_rows(
    state: SSEState,
) -> dict[tuple[SSEState, SSEInput], tuple[SSEHandler | None, SSEState]]:
    """The rows shared by IDLE and IN_EVENT: fields, comments and feed calls."""
    return {
        (state, _I.BYTES): (None, state),
        (state, _I.COMMENT): (None, state),
        (state, _I.UNKNOWN): (None, state),
        (state, _I.ID): (_D._set_id, state),
        (state, _I.RETRY): (_D._set_retry, state),
        (state, _I.DATA): (_D._add_data, _S.IN_EVENT),
        (state, _I.EVENT): (_D._set_event, _S.IN_EVENT),
    }


#: ``(state, input) -> (handler, next state)``; anything missing is a LocalProtocolError.
SSE_TRANSITIONS: dict[tuple[SSEState, SSEInput], tuple[SSEHandler | None, SSEState]] = {
    **_field_rows(_S.IDLE),
    (_S.IDLE, _I.BLANK): (_D._end_block, _S.IDLE),
    (_S.IDLE, _I.END): (None, _S.CLOSED),
    **_field_rows(_S.IN_EVENT),
    (_S.IN_EVENT, _I.BLANK): (_D._dispatch, _S.IDLE),
    (_S.IN_EVENT, _I.END): (_D._dispatch, _S.CLOSED),
}

__all__ = [
    "DEFAULT_MAX_LINE_BYTES",
    "LineDecoder",
    "LineState",
    "RawEvent",
    "SSEDecoder",
    "SSEInput",
    "SSEState",
    "SSE_TRANSITIONS",
    "ServerSentEvent",
    "classify",
]
