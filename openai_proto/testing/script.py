"""What the loopback test server answers, and how it misbehaves (pure, no IO).

A :class:`Reply` describes one response and its faults: how the body is cut into
sends, pauses, a reset or a clean close after some body bytes, a lying
``Content-Length``, raw header lines, gzip.  :func:`plan` turns a reply into the
:class:`Action` values the server performs, in order: :class:`Send`,
:class:`Pause`, :class:`Reset`, :class:`Close`.

A :class:`Script` picks the reply for each request: a FIFO queue of replies per
``(method, path)``, then that route's handler once the queue is empty, else a 404
in the API's error shape.  Every reply carries a deterministic ``x-request-id``
(``req_1``, ``req_2``, ...).  :func:`demo_script` answers chat completions, plain
or streamed, the way the API does.
"""

from __future__ import annotations

import gzip as gzip_module
import itertools
import json
from collections import deque
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any, Union

import attrs

from openai_proto.errors import InvalidRequestError, RemoteProtocolError
from openai_proto.http import HeaderPairs, find_header
from openai_proto.testing import fixtures
from openai_proto.testing.http11 import ParsedRequest

#: How to cut a body into sends: ``None`` (one send), a chunk size (``1`` sends one
#: byte at a time), or the offsets at which to cut.
Chunking = Union[int, tuple[int, ...], None]


def _header_pairs(pairs: Iterable[tuple[str, str]]) -> HeaderPairs:
    result = tuple((str(name), str(value)) for name, value in pairs)
    for name, value in result:
        if any(c in name + value for c in "\r\n\0") or not (name + value).isascii():
            raise InvalidRequestError(f"header {name!r} cannot be sent as given; use raw_headers")
    return result


def _chunking(value: int | Iterable[int] | None) -> Chunking:
    if value is None:
        return None
    if isinstance(value, int):
        if value < 1:
            raise InvalidRequestError("a chunk size must be at least 1")
        return value
    offsets = tuple(value)
    if any(offset < 0 for offset in offsets):
        raise InvalidRequestError("chunk offsets cannot be negative")
    return offsets


def _raw_lines(lines: Iterable[bytes]) -> tuple[bytes, ...]:
    return tuple(lines)


def _non_negative(_instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and value < 0:
        raise InvalidRequestError(f"{attribute.name} cannot be negative")


@attrs.frozen
class Reply:
    """One scripted response and its faults.

    ``chunks`` cuts the body (after gzip) into separate sends.
    ``delay_before_head`` pauses before anything is sent; ``delay_between_chunks``
    pauses before each body piece (so also between the head and the first piece).
    ``reset_after=N`` aborts the connection with a TCP RST after N body bytes, and
    ``close_after=N`` closes it cleanly after N body bytes; ``0`` means before the
    head.  ``content_length`` replaces the true length in the head (a lie).
    ``raw_headers`` are sent verbatim after ``headers``; ``chunked`` frames the body
    with ``Transfer-Encoding: chunked``, one HTTP chunk per piece.  The connection is
    closed after the reply when it lies about its length or says ``Connection: close``.
    """

    status: int = 200
    headers: HeaderPairs = attrs.field(default=(), converter=_header_pairs)
    body: bytes = attrs.field(default=b"", repr=lambda body: f"<{len(body)} bytes>")
    chunks: Chunking = attrs.field(default=None, converter=_chunking)
    delay_before_head: float = attrs.field(default=0.0, validator=_non_negative)
    delay_between_chunks: float = attrs.field(default=0.0, validator=_non_negative)
    reset_after: int | None = attrs.field(default=None, validator=_non_negative)
    close_after: int | None = attrs.field(default=None, validator=_non_negative)
    content_length: int | None = attrs.field(default=None, validator=_non_negative)
    raw_headers: tuple[bytes, ...] = attrs.field(default=(), converter=_raw_lines)
    gzip: bool = False
    chunked: bool = False

    def __attrs_post_init__(self) -> None:
        if not 100 <= self.status <= 999:
            raise InvalidRequestError(f"status {self.status} is not a three-digit code")
        if self.reset_after is not None and self.close_after is not None:
            raise InvalidRequestError("a reply can reset or close early, not both")

    def header(self, name: str) -> str | None:
        return find_header(self.headers, name)

    def with_header(self, name: str, value: str) -> Reply:
        return attrs.evolve(self, headers=(*self.headers, (name, value)))

    def replace(self, **changes: Any) -> Reply:
        """A copy with some fields changed: ``json_reply({}).replace(reset_after=5)``."""
        return attrs.evolve(self, **changes)


# -- the plan ---------------------------------------------------------------------------------


@attrs.frozen
class Send:
    data: bytes


@attrs.frozen
class Pause:
    seconds: float


@attrs.frozen
class Reset:
    """Abort the connection: the peer sees ECONNRESET."""


@attrs.frozen
class Close:
    """Close the connection cleanly: the peer sees end of file."""


Action = Union[Send, Pause, Reset, Close]
_BODYLESS = frozenset({204, 304})


def plan(reply: Reply) -> list[Action]:
    """The actions that send ``reply`` with its faults, in order."""
    body = gzip_module.compress(reply.body, mtime=0) if reply.gzip else reply.body
    actions: list[Action] = []
    if reply.delay_before_head:
        actions.append(Pause(reply.delay_before_head))
    limit, fault = _fault(reply)
    if limit == 0 and fault is not None:
        return [*actions, fault]
    actions.append(Send(render_head(reply, body)))
    for piece in _truncate(cut(body, reply.chunks), limit):
        if reply.delay_between_chunks:
            actions.append(Pause(reply.delay_between_chunks))
        actions.append(Send(_frame(piece) if reply.chunked else piece))
    complete = limit is None or limit >= len(body)
    if reply.chunked and complete:
        actions.append(Send(b"0\r\n\r\n"))
    if fault is not None:
        actions.append(fault)
    elif _lies_about_length(reply, body) or "close" in _tokens(reply, "connection"):
        actions.append(Close())
    return actions


def render_head(reply: Reply, body: bytes) -> bytes:
    """The status line and headers for ``reply`` whose body on the wire is ``body``."""
    lines = [f"HTTP/1.1 {reply.status} {_reason(reply.status)}"]
    lines += [f"{name}: {value}" for name, value in reply.headers]
    if reply.gzip:
        lines.append("content-encoding: gzip")
    if reply.chunked:
        lines.append("transfer-encoding: chunked")
    length = reply.content_length
    if length is None and not reply.chunked and reply.status not in _BODYLESS:
        length = len(body)
    if length is not None:
        lines.append(f"content-length: {length}")
    head = b"".join(line.encode("ascii") + b"\r\n" for line in lines)
    return head + b"".join(raw + b"\r\n" for raw in reply.raw_headers) + b"\r\n"


def cut(body: bytes, chunks: Chunking) -> list[bytes]:
    """``body`` cut into non-empty pieces as ``chunks`` says."""
    if chunks is None:
        return [body] if body else []
    if isinstance(chunks, int):
        return [body[i : i + chunks] for i in range(0, len(body), chunks)]
    edges = [0, *sorted({o for o in chunks if 0 < o < len(body)}), len(body)]
    return [body[a:b] for a, b in itertools.pairwise(edges) if b > a]


def _fault(reply: Reply) -> tuple[int | None, Action | None]:
    if reply.reset_after is not None:
        return reply.reset_after, Reset()
    if reply.close_after is not None:
        return reply.close_after, Close()
    return None, None


def _truncate(pieces: list[bytes], limit: int | None) -> list[bytes]:
    if limit is None:
        return pieces
    kept: list[bytes] = []
    for piece in pieces:
        if limit <= 0:
            break
        kept.append(piece[:limit])
        limit -= len(piece)
    return kept


def _frame(piece: bytes) -> bytes:
    return f"{len(piece):x}\r\n".encode() + piece + b"\r\n"


def _lies_about_length(reply: Reply, body: bytes) -> bool:
    return reply.content_length is not None and (reply.chunked or reply.content_length != len(body))


def _tokens(reply: Reply, name: str) -> list[str]:
    values = [v for k, v in reply.headers if k.lower() == name]
    return [token.strip().lower() for value in values for token in value.split(",")]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


# -- convenience constructors -----------------------------------------------------------------


@attrs.frozen
class SSEEvent:
    """One server-sent event with optional ``event`` and ``id`` fields."""

    data: str
    event: str | None = None
    id: str | None = None


def render_event(item: object) -> bytes:
    """One event as it travels: an :class:`SSEEvent`, a ``str`` (raw data) or JSON data."""
    if not isinstance(item, SSEEvent):
        data = item if isinstance(item, str) else json.dumps(item, separators=(",", ":"))
        item = SSEEvent(data)
    lines = [] if item.event is None else [f"event: {item.event}"]
    if item.id is not None:
        lines.append(f"id: {item.id}")
    lines += [f"data: {line}" for line in item.data.split("\n")]
    return "".join(line + "\n" for line in lines).encode("utf-8") + b"\n"


def _rendered(events: Iterable[object], done: bool) -> list[bytes]:
    return [render_event(e) for e in events] + ([render_event("[DONE]")] if done else [])


def sse_events(events: Iterable[object], *, done: bool = True) -> bytes:
    """An SSE body: each event, then ``data: [DONE]`` unless ``done=False``."""
    return b"".join(_rendered(events, done))


def sse_reply(
    events: Iterable[object],
    *,
    done: bool = True,
    status: int = 200,
    headers: Iterable[tuple[str, str]] = (),
    chunked: bool = True,
    delay_between_chunks: float = 0.0,
) -> Reply:
    """A streamed reply, framed with ``Transfer-Encoding: chunked`` like the API's.

    Each event is sent as its own piece (``Reply.chunks`` holds the event offsets).
    """
    rendered = _rendered(events, done)
    offsets, total = [], 0
    for event in rendered:
        total += len(event)
        offsets.append(total)
    return Reply(
        status,
        (("content-type", "text/event-stream; charset=utf-8"), *headers),
        b"".join(rendered),
        chunks=tuple(offsets),
        chunked=chunked,
        delay_between_chunks=delay_between_chunks,
    )


def json_reply(obj: object, status: int = 200, headers: Iterable[tuple[str, str]] = ()) -> Reply:
    """A JSON reply, indented like the API's."""
    body = json.dumps(obj, indent=2, ensure_ascii=False).encode("utf-8")
    return Reply(status, (("content-type", "application/json"), *headers), body)


_ERROR_TYPES = {401: "invalid_request_error", 429: "requests"}


def error_reply(
    status: int,
    message: str,
    code: str | None = None,
    type: str | None = None,
    *,
    param: str | None = None,
    headers: Iterable[tuple[str, str]] = (),
) -> Reply:
    """An error in the API's shape: ``{"error": {"message", "type", "param", "code"}}``.

    ``type`` defaults to ``server_error`` for 5xx and ``invalid_request_error``
    otherwise.  The :class:`Script` adds the ``x-request-id`` header.
    """
    if type is None:
        type = (
            "server_error" if status >= 500 else _ERROR_TYPES.get(status, "invalid_request_error")
        )
    error = {"message": message, "type": type, "param": param, "code": code}
    return json_reply({"error": error}, status, headers)


def retry_after_reply(seconds: float | str, status: int = 429) -> Reply:
    """A rate-limit error carrying ``retry-after``; a ``str`` is sent verbatim."""
    value = seconds if isinstance(seconds, str) else f"{seconds:g}"
    return error_reply(
        status,
        "Rate limit reached. Please try again later.",
        code="rate_limit_exceeded",
        headers=(("retry-after", value),),
    )


# -- the script -------------------------------------------------------------------------------

Handler = Callable[[ParsedRequest], Reply]
Route = tuple[str, str]


class Script:
    """Routes ``(method, path)`` to queued replies, then to a default handler.

    The server calls :meth:`respond` under its own lock, one request at a time.
    """

    def __init__(self) -> None:
        self._queues: dict[Route, deque[Reply]] = {}
        self._handlers: dict[Route, Handler] = {}
        self.request_count = 0

    def enqueue(self, method: str, path: str, *replies: Reply) -> Script:
        """Answer the next requests to this route with ``replies``, in order."""
        self._queues.setdefault((method.upper(), path), deque()).extend(replies)
        return self

    def route(self, method: str, path: str, handler: Handler) -> Script:
        """Answer this route with ``handler`` whenever its queue is empty."""
        self._handlers[method.upper(), path] = handler
        return self

    def pending(self) -> int:
        """How many queued replies have not been used yet."""
        return sum(len(queue) for queue in self._queues.values())

    def respond(self, request: ParsedRequest) -> Reply:
        """The reply for ``request``, with its ``x-request-id``."""
        self.request_count += 1
        reply = self._pick(request)
        if reply.header("x-request-id") is None:
            reply = reply.with_header("x-request-id", f"req_{self.request_count}")
        return reply

    def _pick(self, request: ParsedRequest) -> Reply:
        key = (request.method.upper(), request.path)
        queue = self._queues.get(key)
        if queue:
            return queue.popleft()
        handler = self._handlers.get(key)
        if handler is None:
            return error_reply(404, f"Invalid URL ({request.method} {request.path})")
        try:
            reply = handler(request)
        except Exception as error:  # a broken handler answers 500 instead of killing the server
            return error_reply(500, f"script handler raised {error!r}")
        if not isinstance(reply, Reply):
            return error_reply(500, f"script handler returned {reply!r}, not a Reply")
        return reply


# -- the demo ---------------------------------------------------------------------------------

_DEMO_HEADERS = (("openai-version", "2020-10-01"), ("openai-processing-ms", "112"))


def chat_completions(request: ParsedRequest) -> Reply:
    """``POST /v1/chat/completions``: the demo answer, streamed when ``"stream": true``."""
    try:
        payload = request.json()
    except RemoteProtocolError:
        return error_reply(400, "We could not parse the JSON body of your request.")
    if not isinstance(payload, dict):
        return error_reply(400, "The request body must be a JSON object.")
    model = payload.get("model")
    if not isinstance(model, str) or not model:
        return error_reply(400, "you must provide a model parameter", param="model")
    if "messages" not in payload:
        return error_reply(
            400,
            "Missing required parameter: 'messages'.",
            "missing_required_parameter",
            param="messages",
        )
    if payload.get("stream") is True:
        options = payload.get("stream_options")
        include_usage = isinstance(options, dict) and options.get("include_usage") is True
        chunks = fixtures.chat_completion_chunks(model, include_usage=include_usage)
        return sse_reply(chunks, headers=_DEMO_HEADERS)
    return json_reply(fixtures.chat_completion(model), headers=_DEMO_HEADERS)


def demo_script() -> Script:
    """The script the README demo and ``python -m openai_proto.testing.server`` use."""
    return Script().route("POST", "/v1/chat/completions", chat_completions)
