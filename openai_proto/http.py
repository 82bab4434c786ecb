"""The values that cross the boundary between the core and a binding.

core -> binding:  :class:`Request` (method, URL, header pairs, body, :class:`Timeout`)
binding -> core:  :class:`ResponseHead`, then the body as ``bytes`` chunks

A body is either ``bytes`` or a :class:`StreamBody`: a replayable sequence of byte
segments and :class:`FileSource` references.  The core never opens a file; the
driver reads a :class:`FileSource` in chunks when it sends the request
(:mod:`openai_proto.files`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import BinaryIO, Union

import attrs

HeaderPairs = tuple[tuple[str, str], ...]

#: Header names whose values never appear in a ``repr``.
SENSITIVE_HEADERS = frozenset({"authorization", "api-key", "openai-api-key", "x-api-key"})


def find_header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    """The first value of header ``name`` (case-insensitive), or ``None``."""
    wanted = name.lower()
    if not wanted.isascii():
        return next((value for key, value in headers if key.lower() == wanted), None)
    # Only a name of the same length can lower-case to an ASCII name (no character
    # lower-cases to several ASCII ones): comparing lengths first makes no new strings.
    size = len(wanted)
    for key, value in headers:
        if len(key) == size and key.lower() == wanted:
            return value
    return None


def redacted(headers: Iterable[tuple[str, str]]) -> HeaderPairs:
    """The header pairs with every sensitive value replaced by ``<redacted>``."""
    return tuple(
        (key, "<redacted>" if key.lower() in SENSITIVE_HEADERS else value) for key, value in headers
    )


def _repr_headers(headers: HeaderPairs) -> str:
    return repr(redacted(headers))


@attrs.frozen
class Timeout:
    """Per-phase timeouts in seconds; ``None`` means no limit for that phase."""

    connect: float | None = 5.0
    read: float | None = 600.0
    write: float | None = 600.0
    pool: float | None = 600.0

    @classmethod
    def of(cls, value: float | Timeout | None) -> Timeout:
        """A number applies to every phase; ``None`` disables all of them."""
        if isinstance(value, Timeout):
            return value
        if value is None:
            return cls(None, None, None, None)
        seconds = float(value)
        return cls(seconds, seconds, seconds, seconds)


@attrs.frozen
class FileSource:
    """A file that the driver reads in chunks when the request is sent.

    ``file`` is a path or an open binary file object.  A file object is rewound to
    ``start`` before each attempt; one that cannot seek makes the body single-use.
    """

    file: str | os.PathLike[str] | BinaryIO
    start: int = 0

    @property
    def is_path(self) -> bool:
        return isinstance(self.file, (str, os.PathLike))


Segment = Union[bytes, FileSource]


@attrs.frozen
class StreamBody:
    """A body sent as a stream of chunks: byte segments and files, in order."""

    segments: tuple[Segment, ...]

    @property
    def files(self) -> tuple[FileSource, ...]:
        return tuple(s for s in self.segments if isinstance(s, FileSource))


Body = Union[bytes, StreamBody]


@attrs.frozen
class Request:
    """One HTTP request, fully built: what a binding sends."""

    method: str
    url: str
    headers: HeaderPairs = attrs.field(default=(), repr=_repr_headers)
    body: Body = attrs.field(default=b"", repr=False)
    timeout: Timeout = Timeout()

    def header(self, name: str) -> str | None:
        return find_header(self.headers, name)


@attrs.frozen
class ResponseHead:
    """Status and headers of a response, before its body is read."""

    status: int
    headers: HeaderPairs = ()

    def header(self, name: str) -> str | None:
        return find_header(self.headers, name)

    @property
    def request_id(self) -> str | None:
        return self.header("x-request-id")

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300


@attrs.frozen
class Response:
    """A response whose body has been read (content-encoding already removed)."""

    head: ResponseHead
    body: bytes = attrs.field(default=b"", repr=lambda body: f"<{len(body)} bytes>")

    @property
    def status(self) -> int:
        return self.head.status

    @property
    def headers(self) -> HeaderPairs:
        return self.head.headers

    def header(self, name: str) -> str | None:
        return self.head.header(name)

    @property
    def request_id(self) -> str | None:
        return self.head.request_id
