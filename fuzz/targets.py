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
