"""An incremental HTTP/1.1 request parser for the loopback test server (pure, no IO).

:meth:`RequestParser.feed` takes the bytes a client sent, in any cuts, and returns
the requests they complete.  It handles keep-alive (many requests on one
connection, pipelined or not), ``Content-Length`` and ``Transfer-Encoding:
chunked`` bodies, a limit on the size of a request head, and ``Connection:
close``.  Bytes that break HTTP/1.1 raise :class:`MalformedRequest`, which carries
the status a server should answer with (400, 431, 501 or 505) before closing.

The parser is a state machine: one step function per :class:`ParserState`, in the
``_STEPS`` table.  A step consumes what it can and returns the next state, or
``None`` when it needs more bytes.  Each byte is examined a bounded number of
times, so parsing is linear however the input is cut.  Lines end with CRLF.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable
from typing import Final, Union
from urllib.parse import urlsplit

import attrs

from openai_proto.errors import LocalProtocolError, RemoteProtocolError
from openai_proto.http import HeaderPairs, find_header, redacted

#: Largest request head (request line and headers), and largest trailer section.
MAX_HEAD_BYTES: Final = 64 * 1024
#: Largest chunk-size line of a chunked body.
MAX_CHUNK_LINE_BYTES: Final = 1024

_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TARGET = re.compile(rb"[\x21-\x7e]+")
_VERSION = re.compile(rb"HTTP/([0-9])\.([0-9])")
_BAD_VALUE_BYTE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,15}")
_LENGTH = re.compile(r"[0-9]{1,18}")


class MalformedRequest(RemoteProtocolError):
    """The client sent bytes that are not a valid HTTP/1.1 request.

    ``status`` is the answer a server should send before closing the connection;
    ``parsed`` holds the requests completed by the same :meth:`~RequestParser.feed`
    call before the bad bytes, to be answered first.
    """

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status
        self.parsed: list[ParsedRequest] = []


def _body_repr(body: bytes) -> str:
    return f"<{len(body)} bytes>"


@attrs.frozen
class ParsedRequest:
    """One complete request as the server received it; header names keep their case."""

    method: str
    target: str
    headers: HeaderPairs = attrs.field(default=(), repr=lambda h: repr(redacted(h)))
    body: bytes = attrs.field(default=b"", repr=_body_repr)
    http_version: str = "1.1"

    @property
    def path(self) -> str:
        """The target without its query (``/v1/models`` for ``/v1/models?limit=2``)."""
        return urlsplit(self.target).path or "/"

    @property
    def query(self) -> str:
        return urlsplit(self.target).query

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or ``None``."""
        return find_header(self.headers, name)

    def header_values(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive), in order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    @property
    def keep_alive(self) -> bool:
        """Whether the client lets the connection carry another request."""
        tokens = _tokens(self.header_values("connection"))
        if self.http_version == "1.0":
            return "keep-alive" in tokens
        return "close" not in tokens

    def json(self) -> object:
        """The body decoded as JSON; :class:`RemoteProtocolError` if it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError as error:  # UnicodeDecodeError is a ValueError
            raise RemoteProtocolError(f"request body is not JSON: {error}") from None


def _tokens(values: list[str]) -> list[str]:
    return [token.strip().lower() for value in values for token in value.split(",")]


class ParserState(enum.Enum):
    HEAD = "head"  # request line and headers
    BODY = "body"  # a Content-Length body
    CHUNK_SIZE = "chunk size"  # the size line of a chunk
    CHUNK_DATA = "chunk data"
    CHUNK_END = "chunk end"  # the CRLF after a chunk's data
    TRAILERS = "trailers"  # after the last chunk
    CLOSED = "closed"  # the last request asked to close: later bytes are ignored
    ERROR = "error"  # MalformedRequest was raised: feeding again is a LocalProtocolError


@attrs.frozen
class _Head:
    method: str
    target: str
    version: str
    headers: HeaderPairs


class RequestParser:
    """Turns the bytes of one connection into :class:`ParsedRequest` values."""

    def __init__(self, max_head_bytes: int = MAX_HEAD_BYTES) -> None:
        self.max_head_bytes = max_head_bytes
        self.state = ParserState.HEAD
        self._buffer = bytearray()
        self._pos = 0  # start of the unconsumed bytes
        self._scan = 0  # where the search for a line end resumes
        self._head: _Head | None = None
        self._body = bytearray()
        self._remaining = 0  # bytes still due in the body or the current chunk

    def feed(self, data: bytes) -> list[ParsedRequest]:
        """Add received bytes; returns the requests they complete, in order."""
        if self.state is ParserState.ERROR:
            raise LocalProtocolError("the parser already rejected this connection's bytes")
        if self.state is ParserState.CLOSED:
            return []
        self._buffer += data
        done: list[ParsedRequest] = []
        try:
            while self.state is not ParserState.CLOSED:
                next_state = _STEPS[self.state](self, done)
                if next_state is None:
                    break
                self.state = next_state
        except MalformedRequest as error:
            self.state = ParserState.ERROR
            error.parsed = done
            raise
        finally:
            self._compact()
        return done

    @property
    def pending(self) -> bool:
        """Whether part of a request has been received but not completed."""
        started = self.state is not ParserState.HEAD or self._pos < len(self._buffer)
        return started and self.state is not ParserState.CLOSED

    # -- steps (see _STEPS) -----------------------------------------------------------------

    def _read_head(self, done: list[ParsedRequest]) -> ParserState | None:
        while self._buffer.startswith(b"\r\n", self._pos):  # empty lines before a request
            self._pos += 2
        raw = self._take_until(b"\r\n\r\n", self.max_head_bytes, 431, "request head")
        if raw is None:
            return None
        self._head = _parse_head(raw)
        return self._start_body(done)

    def _start_body(self, done: list[ParsedRequest]) -> ParserState:
        assert self._head is not None
        headers = self._head.headers
        encodings = [v for k, v in headers if k.lower() == "transfer-encoding"]
        lengths = [v for k, v in headers if k.lower() == "content-length"]
        if encodings:
            if lengths:
                raise MalformedRequest("both Transfer-Encoding and Content-Length")
            if _tokens(encodings) != ["chunked"]:
                raise MalformedRequest("unsupported Transfer-Encoding", 501)
            return ParserState.CHUNK_SIZE
        self._remaining = _content_length(lengths)
        return ParserState.BODY if self._remaining else self._finish(done)

    def _read_body(self, done: list[ParsedRequest]) -> ParserState | None:
        if not self._move_body_bytes():
            return None
        return self._finish(done)

    def _read_chunk_size(self, _done: list[ParsedRequest]) -> ParserState | None:
        line = self._take_until(b"\r\n", MAX_CHUNK_LINE_BYTES, 400, "chunk size line")
        if line is None:
            return None
        size = line.split(b";", 1)[0].strip(b" \t")
        if not _CHUNK_SIZE.fullmatch(size):
            raise MalformedRequest("invalid chunk size line")
        self._remaining = int(size, 16)
        return ParserState.CHUNK_DATA if self._remaining else ParserState.TRAILERS

    def _read_chunk_data(self, _done: list[ParsedRequest]) -> ParserState | None:
        return ParserState.CHUNK_END if self._move_body_bytes() else None

    def _read_chunk_end(self, _done: list[ParsedRequest]) -> ParserState | None:
        if len(self._buffer) - self._pos < 2:
            return None
        if not self._buffer.startswith(b"\r\n", self._pos):
            raise MalformedRequest("chunk data is not followed by CRLF")
        self._skip(2)
        return ParserState.CHUNK_SIZE

    def _read_trailers(self, done: list[ParsedRequest]) -> ParserState | None:
        if len(self._buffer) - self._pos < 2:
            return None
        if self._buffer.startswith(b"\r\n", self._pos):
            self._skip(2)
            return self._finish(done)
        raw = self._take_until(b"\r\n\r\n", self.max_head_bytes, 431, "trailer section")
        if raw is None:
            return None
        for line in raw.split(b"\r\n"):
            _parse_header_line(line)  # validated, then dropped
        return self._finish(done)

    # -- helpers -------------------------------------------------------------------------------

    def _finish(self, done: list[ParsedRequest]) -> ParserState:
        head = self._head
        assert head is not None
        request = ParsedRequest(
            head.method, head.target, head.headers, bytes(self._body), head.version
        )
        done.append(request)
        self._head = None
        self._body = bytearray()
        return ParserState.HEAD if request.keep_alive else ParserState.CLOSED

    def _move_body_bytes(self) -> bool:
        """Move up to ``_remaining`` buffered bytes into the body; True once none remain."""
        take = min(self._remaining, len(self._buffer) - self._pos)
        self._body += self._buffer[self._pos : self._pos + take]
        self._skip(take)
        self._remaining -= take
        return self._remaining == 0

    def _take_until(self, separator: bytes, limit: int, status: int, what: str) -> bytes | None:
        """The bytes before ``separator`` (both consumed), or None until it arrives."""
        end = self._buffer.find(separator, max(self._scan, self._pos))
        if end < 0:
            # A separator still to come would start at ``_scan`` or later.
            self._scan = max(self._pos, len(self._buffer) - len(separator) + 1)
            if self._scan - self._pos > limit:
                raise MalformedRequest(f"{what} is longer than {limit} bytes", status)
            return None
        if end - self._pos > limit:
            raise MalformedRequest(f"{what} is longer than {limit} bytes", status)
        raw = bytes(self._buffer[self._pos : end])
        self._skip(end + len(separator) - self._pos)
        return raw

    def _skip(self, count: int) -> None:
        self._pos += count
        self._scan = self._pos

    def _compact(self) -> None:
        del self._buffer[: self._pos]
        self._scan = max(0, self._scan - self._pos)
        self._pos = 0


Step = Callable[[RequestParser, list[ParsedRequest]], Union[ParserState, None]]

#: The transition table: what to do with the buffered bytes in each live state.
_STEPS: Final[dict[ParserState, Step]] = {
    ParserState.HEAD: RequestParser._read_head,
    ParserState.BODY: RequestParser._read_body,
    ParserState.CHUNK_SIZE: RequestParser._read_chunk_size,
    ParserState.CHUNK_DATA: RequestParser._read_chunk_data,
    ParserState.CHUNK_END: RequestParser._read_chunk_end,
    ParserState.TRAILERS: RequestParser._read_trailers,
}


def _parse_head(raw: bytes) -> _Head:
    request_line, *header_lines = raw.split(b"\r\n")
    parts = request_line.split(b" ")
    if len(parts) != 3:
        raise MalformedRequest("malformed request line")
    method, target, version = parts
    if not _TOKEN.fullmatch(method):
        raise MalformedRequest("invalid method")
    if not _TARGET.fullmatch(target):
        raise MalformedRequest("invalid request target")
    match = _VERSION.fullmatch(version)
    if match is None:
        raise MalformedRequest("invalid HTTP version")
    if match[1] != b"1":
        raise MalformedRequest("unsupported HTTP version", 505)
    headers = tuple(_parse_header_line(line) for line in header_lines)
    return _Head(method.decode("ascii"), target.decode("ascii"), version[5:].decode(), headers)


def _parse_header_line(line: bytes) -> tuple[str, str]:
    if line[:1] in (b" ", b"\t"):
        raise MalformedRequest("obsolete header line folding")
    name, colon, value = line.partition(b":")
    if not colon or not _TOKEN.fullmatch(name):
        raise MalformedRequest("invalid header line")
    value = value.strip(b" \t")
    if _BAD_VALUE_BYTE.search(value):
        raise MalformedRequest("control character in a header value")
    return name.decode("ascii"), value.decode("latin-1")


def _content_length(values: list[str]) -> int:
    found = {part.strip() for value in values for part in value.split(",")}
    if not found:
        return 0
    if len(found) > 1:
        raise MalformedRequest("conflicting Content-Length values")
    value = found.pop()
    if not _LENGTH.fullmatch(value):
        raise MalformedRequest("invalid Content-Length")
    return int(value)
