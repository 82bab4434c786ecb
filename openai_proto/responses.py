"""What drivers hand back besides decoded values: raw and streamed responses.

:class:`RawResponse` is a response whose body has been read (``with_raw_response``);
:class:`StreamedResponse` / :class:`AsyncStreamedResponse` wrap a response that is
still open: read it as bytes, lines or events, and it is closed when the iteration
ends, when the ``with`` block exits, or on :meth:`close`.
"""

from __future__ import annotations

import json
import os
import typing
from collections import deque
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, Generic, Protocol, TypeVar

from openai_proto.call import Call
from openai_proto.decode import cast_value, decode, response_text
from openai_proto.errors import LocalProtocolError
from openai_proto.flows import Exchange
from openai_proto.http import HeaderPairs, Request, Response, ResponseHead
from openai_proto.transport import AsyncOpenResponse, OpenResponse, TransportError

T = TypeVar("T")
X = TypeVar("X")
X_co = TypeVar("X_co", covariant=True)


class _ExchangeView:
    """Status, headers and request id of an exchange; shared by every response wrapper."""

    def __init__(self, call: Call[Any], exchange: Exchange) -> None:
        self.call = call
        self.exchange = exchange

    @property
    def http_request(self) -> Request:
        return self.exchange.request

    @property
    def head(self) -> ResponseHead:
        return self.exchange.head

    @property
    def status_code(self) -> int:
        return self.exchange.head.status

    @property
    def headers(self) -> HeaderPairs:
        return self.exchange.head.headers

    def header(self, name: str) -> str | None:
        return self.exchange.head.header(name)

    @property
    def request_id(self) -> str | None:
        return self.exchange.head.request_id

    @property
    def retries_taken(self) -> int:
        return self.exchange.retries_taken


class RawResponse(_ExchangeView, Generic[T]):
    """A read response: inspect status and headers, then :meth:`parse` the body."""

    def __init__(self, call: Call[T], exchange: Exchange) -> None:
        super().__init__(call, exchange)

    @property
    def response(self) -> Response:
        return self.exchange.response

    @property
    def content(self) -> bytes:
        return self.response.body

    @property
    def text(self) -> str:
        return response_text(self.response)

    def json(self) -> Any:
        return json.loads(self.content)

    def parse(self) -> T:
        return typing.cast(T, decode(self.call, self.response, self.http_request))


class _Consumable:
    def __init__(self) -> None:
        self._consumed = False

    def _start(self) -> None:
        if self._consumed:
            raise LocalProtocolError("This response body has already been read")
        self._consumed = True


class Decoder(Protocol[X_co]):
    """Bytes in, items out, with an explicit end (every decoder of the core has this shape)."""

    def feed(self, data: bytes) -> Sequence[X_co]: ...

    def close(self) -> Sequence[X_co]: ...


class _Chunks:
    """The identity decoder: each chunk is an item."""

    def feed(self, data: bytes) -> Sequence[bytes]:
        return (data,) if data else ()

    def close(self) -> Sequence[bytes]:
        return ()


#: Events whose name is part of the value: the Assistants API names every event
#: (``thread.run.created``, ...) and sends the object alone as its data.
NAMED_EVENT_PREFIX = "thread."


def _event_value(payload: Any) -> Any:
    """What a payload decodes from: its data, or ``{"event", "data"}`` for a named event."""
    name = payload.event
    if name is not None and name.startswith(NAMED_EVENT_PREFIX):
        return {"event": name, "data": payload.data}
    return payload.data


class _TypedEvents(Generic[T]):
    """Event payloads decoded as ``cast_to``; ends at ``[DONE]``."""

    def __init__(self, cast_to: Any) -> None:
        from openai_proto.streams.events import EventStreamDecoder

        self._events = EventStreamDecoder()
        self._cast_to = cast_to

    @property
    def done(self) -> bool:
        return self._events.done

    def feed(self, data: bytes) -> Sequence[T]:
        return [cast_value(_event_value(p), self._cast_to) for p in self._events.feed(data)]

    def close(self) -> Sequence[T]:
        return [cast_value(_event_value(p), self._cast_to) for p in self._events.close()]


def _line_decoder() -> Decoder[str]:
    from openai_proto.sse import LineDecoder

    return LineDecoder()


def _event_decoder() -> Decoder[Any]:
    from openai_proto.streams.events import EventStreamDecoder

    return EventStreamDecoder()


#: After ``[DONE]``, what is left of the body (an HTTP/1.1 chunked body's last chunk,
#: usually already on its way) is read and dropped, so the binding sees the body end and
#: keeps the connection for the next request.  At most this many more reads, and about
#: this many bytes: a body that goes on is closed with its connection, as before.
DRAIN_READS = 4
DRAIN_BYTES = 64 * 1024


def _drain(chunks: Iterator[bytes]) -> None:
    """Read on to the end of the body within the limits above; a transport failure here
    only costs the connection (the events are complete), so it is not raised."""
    left = DRAIN_BYTES
    try:
        for _ in range(DRAIN_READS):
            chunk = next(chunks, None)
            if chunk is None:
                return
            left -= len(chunk)
            if left < 0:
                return
    except TransportError:
        return


async def _adrain(chunks: AsyncIterator[bytes]) -> None:
    """:func:`_drain` for an async body."""
    left = DRAIN_BYTES
    try:
        for _ in range(DRAIN_READS):
            chunk = await anext(chunks, None)
            if chunk is None:
                return
            left -= len(chunk)
            if left < 0:
                return
    except TransportError:
        return


class StreamedResponse(_ExchangeView, _Consumable, Generic[T]):
    """A response still open on its connection (sync); iterating it gives ``T`` events.

    Every way of reading it closes the response when the body ends, when the
    decoder says the stream is done (after draining the rest of the body, see
    :data:`DRAIN_READS`), on an error, and on :meth:`close`.
    """

    def __init__(self, call: Call[Any], exchange: Exchange, response: OpenResponse) -> None:
        _ExchangeView.__init__(self, call, exchange)
        _Consumable.__init__(self)
        self._response = response

    def _decoded(self, decoder: Decoder[X]) -> Iterator[X]:
        self._start()
        chunks = self._response.iter_bytes()
        try:
            for chunk in chunks:
                yield from decoder.feed(chunk)
                if getattr(decoder, "done", False):
                    _drain(chunks)
                    return
            yield from decoder.close()
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
            self.close()

    def iter_bytes(self) -> Iterator[bytes]:
        """The body in chunks as they arrive."""
        return self._decoded(_Chunks())

    def iter_lines(self) -> Iterator[str]:
        """The body as lines (CR, LF or CRLF ends a line), without line ends."""
        return self._decoded(_line_decoder())

    def iter_events(self) -> Iterator[Any]:
        """The payloads of an event stream (:class:`~openai_proto.streams.events.Payload`)."""
        return self._decoded(_event_decoder())

    def __iter__(self) -> Iterator[T]:
        """The events, each decoded as the call's event type, up to ``[DONE]``.

        A named Assistants event (``thread.*``) is decoded from ``{"event": name, "data":
        data}``, so the event's model carries its name."""
        return self._decoded(_TypedEvents[T](self.call.cast_to))

    def read(self) -> bytes:
        return b"".join(self.iter_bytes())

    def parse(self) -> Any:
        """Read the whole body and decode it as the call's result."""
        body = self.read()
        return decode(self.call, Response(self.exchange.head, body), self.http_request)

    def write_to_file(self, path: str | os.PathLike[str]) -> None:
        """Stream the body into ``path`` chunk by chunk."""
        with open(path, "wb") as file:
            for chunk in self.iter_bytes():
                file.write(chunk)

    def close(self) -> None:
        self._response.close()

    def __enter__(self) -> StreamedResponse[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _AsyncDecoded(Generic[X]):
    """An async iterator over what a decoder makes of a response's chunks.

    A class, not an async generator: one left unfinished needs no finalizer, so
    leaving a stream early is clean on every event loop.
    """

    def __init__(self, owner: AsyncStreamedResponse[Any], decoder: Decoder[X]) -> None:
        owner._start()
        self._owner = owner
        self._decoder = decoder
        self._chunks = owner._response.aiter_bytes()
        self._pending: deque[X] = deque()
        self._finished = False

    def __aiter__(self) -> _AsyncDecoded[X]:
        return self

    async def __anext__(self) -> X:
        while not self._pending:
            if self._finished:
                raise StopAsyncIteration
            try:
                await self._pull()
            except BaseException:
                await self._finish()
                raise
        return self._pending.popleft()

    async def _pull(self) -> None:
        try:
            chunk = await self._chunks.__anext__()
        except StopAsyncIteration:
            self._pending.extend(self._decoder.close())
            await self._finish()
            return
        self._pending.extend(self._decoder.feed(chunk))
        if getattr(self._decoder, "done", False):
            await _adrain(self._chunks)
            await self._finish()

    async def _finish(self) -> None:
        self._finished = True
        await self._owner.aclose()


class AsyncStreamedResponse(_ExchangeView, _Consumable, Generic[T]):
    """A response still open on its connection (async); iterating it gives ``T`` events."""

    def __init__(self, call: Call[Any], exchange: Exchange, response: AsyncOpenResponse) -> None:
        _ExchangeView.__init__(self, call, exchange)
        _Consumable.__init__(self)
        self._response = response

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        return _AsyncDecoded(self, _Chunks())

    def aiter_lines(self) -> AsyncIterator[str]:
        return _AsyncDecoded(self, _line_decoder())

    def aiter_events(self) -> AsyncIterator[Any]:
        return _AsyncDecoded(self, _event_decoder())

    def __aiter__(self) -> AsyncIterator[T]:
        return _AsyncDecoded(self, _TypedEvents[T](self.call.cast_to))

    async def read(self) -> bytes:
        return b"".join([chunk async for chunk in self.aiter_bytes()])

    async def parse(self) -> Any:
        body = await self.read()
        return decode(self.call, Response(self.exchange.head, body), self.http_request)

    async def write_to_file(self, path: str | os.PathLike[str]) -> None:
        with open(path, "wb") as file:
            async for chunk in self.aiter_bytes():
                file.write(chunk)

    async def aclose(self) -> None:
        await self._response.aclose()

    async def __aenter__(self) -> AsyncStreamedResponse[T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


#: An event stream of ``T`` events (sync): iterate it, or read it raw.
Stream = StreamedResponse
#: An event stream of ``T`` events (async).
AsyncStream = AsyncStreamedResponse
