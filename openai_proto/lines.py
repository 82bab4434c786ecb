"""Split a byte stream into text lines, incrementally and in linear time — pure.

Rules (each written once, here):

1. A line ends at CR, LF or CRLF. A CRLF split across two feeds is one line end:
   after a CR the splitter waits in :attr:`LineState.AFTER_CR`, and a lone LF that
   comes next belongs to that CR.
2. Each complete line is decoded as strict UTF-8. A character split across feeds is
   fine (nothing is decoded before its line is complete); invalid UTF-8 raises
   :class:`~openai_proto.errors.RemoteProtocolError`.
3. A line longer than ``max_line_bytes`` (line end excluded) raises
   :class:`~openai_proto.errors.RemoteProtocolError` as soon as the limit is passed,
   so the buffer never holds more than the limit.
4. :meth:`LineDecoder.close` is the explicit end of input: a last line without a line
   end is returned then. Feeding after ``close()`` raises
   :class:`~openai_proto.errors.LocalProtocolError`.
5. An error never swallows what came before it: ``feed()`` returns the lines that
   precede the bad one, and the decoder (now ``FAILED``) raises the error on its next
   call. Every call on a failed decoder raises that error again. So the lines and the
   error do not depend on how the input was chunked.
6. With ``strip_bom=True`` a UTF-8 byte order mark at the very start of the stream is
   dropped (also when split across feeds). Off by default: raw lines are raw. The SSE
   decoder turns it on.

Work is linear in the input, whatever the chunking: each byte is scanned once (by
``bytes.splitlines``) and copied a fixed number of times. A caller that reads whole lines
faster itself (the SSE decoder does) takes over at :attr:`LineDecoder.at_line_start` and
reports the lines it read with :meth:`LineDecoder.skip_lines`, so line numbers in errors
stay exact. The transitions live in one table,
:data:`LINE_TRANSITIONS`. The helpers at the end (:func:`refused`, :func:`deliver`,
:data:`FAILURES`, :func:`state_diagram`) are shared by every stream decoder in the
package.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import NoReturn, TypeVar, Union

from openai_proto.errors import LocalProtocolError, RemoteProtocolError, StreamError

#: The default limit on one line: 8 MiB.
DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024

BOM = b"\xef\xbb\xbf"

#: An error that fails a decoder: the input broke the protocol, or reported an error.
Failure = Union[RemoteProtocolError, StreamError]
FAILURES = (RemoteProtocolError, StreamError)

T = TypeVar("T")
S = TypeVar("S", bound=enum.Enum)
I = TypeVar("I", bound=enum.Enum)  # noqa: E741

#: What a decoder's internal ``_feed``/``_close`` return: the items produced before
#: the first error, and that error (the decoder is ``FAILED`` when there is one).
Outcome = tuple[list[T], Union[Failure, None]]


class LineState(enum.Enum):
    """Where a :class:`LineDecoder` is in its input."""

    #: No byte of the current line has arrived yet.
    LINE_START = "line start"
    #: Part of a line is buffered.
    IN_LINE = "in line"
    #: A line just ended with CR; a lone LF next is the rest of a CRLF.
    AFTER_CR = "after CR"
    #: ``close()`` was called.
    CLOSED = "closed"
    #: The input broke a rule; every call raises that error again.
    FAILED = "failed"

    __hash__ = object.__hash__  # members are singletons; skips Enum's slower hash


class LineInput(enum.Enum):
    """What the splitter reacts to: calls, and the pieces ``bytes.splitlines`` makes."""

    #: A call to ``feed()``, checked before any byte.
    BYTES = "bytes"
    #: Bytes with no line end (the last piece of a chunk).
    TEXT = "text"
    #: A piece that is exactly LF.
    LF = "lone LF"
    #: Bytes (maybe none) ending in LF or CRLF.
    LINE = "line"
    #: Bytes (maybe none) ending in CR.
    CR_LINE = "line ending in CR"
    #: A call to ``close()``.
    END = "end"

    __hash__ = object.__hash__


LineHandler = Callable[["LineDecoder", bytes], "str | None"]


class LineDecoder:
    """Bytes in, lines out: ``feed(bytes) -> list[str]`` and ``close() -> list[str]``.

    >>> decoder = LineDecoder()
    >>> decoder.feed(b"one\\r\\ntwo\\r")
    ['one', 'two']
    >>> decoder.feed(b"\\nthree")
    []
    >>> decoder.close()
    ['three']
    """

    def __init__(
        self, *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES, strip_bom: bool = False
    ) -> None:
        if max_line_bytes < 1:
            raise ValueError("max_line_bytes must be at least 1")
        self.max_line_bytes = max_line_bytes
        self._state = LineState.LINE_START
        self._buffer = bytearray()
        self._lines_done = 0
        self._bom_pending = strip_bom
        self._error: Failure | None = None

    @property
    def state(self) -> LineState:
        return self._state

    @property
    def at_line_start(self) -> bool:
        """Whether the next byte starts a line, with nothing buffered and the BOM rule done.

        A caller that splits and decodes whole lines itself may take over from here (see
        :meth:`skip_lines`); the SSE decoder's fast path does.
        """
        return self._state is LineState.LINE_START and not self._bom_pending

    def skip_lines(self, count: int) -> None:
        """Count ``count`` complete lines that the caller split, checked and decoded itself.

        Only the line number in later error messages depends on it; the state stays
        ``LINE_START``.
        """
        self._lines_done += count

    def feed(self, data: bytes) -> list[str]:
        """The lines completed by ``data``, without their line ends."""
        return deliver(self._feed(data))

    def close(self) -> list[str]:
        """End of input: the last line, if it had no line end."""
        return deliver(self._close())

    def _feed(self, data: bytes) -> Outcome[str]:
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"feed() takes bytes, not {type(data).__name__}")
        self._step(LineInput.BYTES, b"")
        lines: list[str] = []
        try:
            for piece in data.splitlines(keepends=True):
                # _step, inlined for speed: a live state has a row for every piece.
                event, text = _classify(piece)
                handler, next_state = LINE_TRANSITIONS[(self._state, event)]
                line = handler(self, text) if handler is not None else None
                self._state = next_state
                if line is not None:
                    lines.append(line)
        except FAILURES as exc:
            return lines, self._fail(exc)
        return lines, None

    def _close(self) -> Outcome[str]:
        try:
            line = self._step(LineInput.END, b"")
        except FAILURES as exc:
            return [], self._fail(exc)
        return ([] if line is None else [line]), None

    def _step(self, event: LineInput, text: bytes) -> str | None:
        if self._state is LineState.FAILED:
            raise_again(self._error)
        try:
            handler, next_state = LINE_TRANSITIONS[(self._state, event)]
        except KeyError:
            raise refused("LineDecoder", self._state, event) from None
        line = handler(self, text) if handler is not None else None
        self._state = next_state
        return line

    def _fail(self, error: Failure) -> Failure:
        self._error = error
        self._state = LineState.FAILED
        return error

    # -- handlers ---------------------------------------------------------------

    def _too_long(self) -> RemoteProtocolError:
        return RemoteProtocolError(
            f"line {self._lines_done + 1} is longer than max_line_bytes "
            f"({self.max_line_bytes} bytes)"
        )

    def _append(self, text: bytes) -> None:
        if len(self._buffer) + len(text) > self.max_line_bytes:
            raise self._too_long()
        self._buffer += text

    def _line(self, text: bytes) -> str:
        """Complete the line (the buffered bytes, then ``text``) and decode it."""
        if self._buffer:
            self._append(text)
            raw = bytes(self._buffer)
            self._buffer.clear()
        elif len(text) > self.max_line_bytes:
            raise self._too_long()
        else:
            raw = text
        if self._bom_pending:
            self._bom_pending = False
            raw = raw.removeprefix(BOM)
        self._lines_done += 1
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            window = raw[max(exc.start - 16, 0) : exc.end + 16]
            raise RemoteProtocolError(
                f"line {self._lines_done} is not valid UTF-8 ({exc.reason} at byte "
                f"{exc.start}): {window!r}"
            ) from None


def _classify(piece: bytes) -> tuple[LineInput, bytes]:
    """The input one ``splitlines(keepends=True)`` piece makes, and its text."""
    last = piece[-1]
    if last == 10:  # LF
        if len(piece) == 1:
            return LineInput.LF, b""
        return LineInput.LINE, piece[:-2] if piece[-2] == 13 else piece[:-1]
    if last == 13:  # CR
        return LineInput.CR_LINE, piece[:-1]
    return LineInput.TEXT, piece


_S = LineState
_I = LineInput
_L = LineDecoder


def _line_rows(
    state: LineState,
) -> dict[tuple[LineState, LineInput], tuple[LineHandler | None, LineState]]:
    """The rows shared by every live state: a line end completes the line."""
    return {
        (state, _I.BYTES): (None, state),
        (state, _I.TEXT): (_L._append, _S.IN_LINE),
        (state, _I.LF): (_L._line, _S.LINE_START),
        (state, _I.LINE): (_L._line, _S.LINE_START),
        (state, _I.CR_LINE): (_L._line, _S.AFTER_CR),
    }


#: ``(state, input) -> (handler, next state)``; anything missing is a LocalProtocolError.
LINE_TRANSITIONS: dict[tuple[LineState, LineInput], tuple[LineHandler | None, LineState]] = {
    **_line_rows(_S.LINE_START),
    (_S.LINE_START, _I.END): (None, _S.CLOSED),
    **_line_rows(_S.IN_LINE),
    (_S.IN_LINE, _I.END): (_L._line, _S.CLOSED),  # the last line had no line end
    **_line_rows(_S.AFTER_CR),
    (_S.AFTER_CR, _I.LF): (None, _S.LINE_START),  # the LF of a CRLF split across feeds
    (_S.AFTER_CR, _I.END): (None, _S.CLOSED),
}


# -- shared by the stream decoders ---------------------------------------------------


def refused(machine: str, state: enum.Enum, event: enum.Enum) -> LocalProtocolError:
    """The error for an input the machine's table has no row for."""
    return LocalProtocolError(f"{machine} cannot take {event.name} in state {state.name}")


def deliver(outcome: Outcome[T]) -> list[T]:
    """The items of an outcome; its error is raised now only if there are no items.

    Otherwise the decoder, already ``FAILED``, raises the error on its next call:
    raising it now would lose the items that came before it.
    """
    items, error = outcome
    if error is not None and not items:
        raise error
    return items


def raise_again(error: Failure | None) -> NoReturn:
    """Raise the error that failed a decoder (with a fresh traceback)."""
    if error is None:  # pragma: no cover - a FAILED decoder always holds its error
        raise AssertionError("a failed decoder lost its error")
    raise error.with_traceback(None)


def state_diagram(table: Mapping[tuple[S, I], tuple[object, S]], initial: S) -> str:
    """A Mermaid ``stateDiagram-v2`` drawn from a transition table (the docs show these)."""
    edges: dict[tuple[str, str], list[str]] = {}
    for (state, event), (_, next_state) in table.items():
        edges.setdefault((state.name, next_state.name), []).append(event.name)
    lines = ["stateDiagram-v2", f"    [*] --> {initial.name}"]
    lines += [f"    {a} --> {b}: {', '.join(names)}" for (a, b), names in edges.items()]
    return "\n".join(lines)
