"""The trio transport: a keep-alive pool of h11 connections, redirects, error mapping.

Every request takes a slot of its origin (a ``trio.Semaphore`` of
``limits.max_connections``), reuses the most recent idle connection the peer has not
closed or opens one, and gives the slot back when its response is read to the end
(the connection goes idle) or closed early (the connection is closed).  The
bookkeeping happens before any checkpoint, so a cancellation anywhere leaves the
pool consistent.  A request that fails on a reused connection before any byte of
the answer arrived is sent once more on a fresh connection.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import AsyncIterator, Callable

import h11
import trio

from openai_proto.files import is_replayable
from openai_proto.http import Request, ResponseHead, Timeout
from openai_proto.redirects import MAX_REDIRECTS, follow
from openai_proto.transport import TransportError, TransportTimeout
from openai_proto_trio.connection import Connection, close_all, connect, deadline
from openai_proto_trio.decoding import ContentDecoder, DecodingError, decoder_for
from openai_proto_trio.pool import Limits, Origin, Pool
from openai_proto_trio.urls import BadURL, Target, target_of

#: Failures of one exchange: the socket, TLS, HTTP framing, content decoding.
_FAILURES = (
    OSError,
    trio.BrokenResourceError,
    trio.ClosedResourceError,
    h11.ProtocolError,
    DecodingError,
    BadURL,
)
#: How much of a redirect's body is read so its connection can be reused.
_DRAIN_LIMIT = 64 * 1024


def map_error(exc: BaseException, what: str) -> TransportError:
    """The transport exception for ``exc`` (raised while ``what``), ``exc`` as its cause."""
    kind = TransportTimeout if isinstance(exc, trio.TooSlowError) else TransportError
    error = kind(f"{what}: {type(exc).__name__}: {exc}".rstrip(": "))
    error.__cause__ = exc
    return error


class Lease:
    """A connection lent out for one exchange; :meth:`end` gives it back exactly once."""

    def __init__(self, transport: TrioTransport, origin: Origin, connection: Connection) -> None:
        self.transport = transport
        self.origin = origin
        self.connection = connection
        self.ended = False

    async def end(self, *, reuse: bool) -> None:
        if self.ended:
            return
        self.ended = True
        to_close = self.transport._give_back(self, reuse and self.connection.finish())
        if to_close:
            await close_all(to_close)


class TrioResponse:
    """An open response; its own async iterator, so leaving early needs no finalizer."""

    def __init__(self, lease: Lease, head: ResponseHead, timeout: Timeout) -> None:
        self.head = head
        self._lease = lease
        self._read_timeout = timeout.read
        self._decoder: ContentDecoder = decoder_for(
            v for k, v in head.headers if k.lower() == "content-encoding"
        )

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        return self

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        lease = self._lease
        while not lease.ended:
            try:
                data = await lease.connection.receive_data(self._read_timeout)
                # the end of the body often comes with its last piece: the connection
                # then goes back with that piece, not on a call of its own
                done = data is None or lease.connection.body_complete()
                chunk = self._decoder.feed(data) if data is not None else b""
                if done and (tail := self._decoder.flush()):
                    chunk += tail
            except BaseException as exc:
                await lease.end(reuse=False)
                if isinstance(exc, (trio.TooSlowError, *_FAILURES)):
                    raise map_error(exc, "reading the response body") from exc
                raise
            if done:
                await lease.end(reuse=True)
            if chunk:
                return chunk
        raise StopAsyncIteration

    async def drain(self) -> None:
        """Read a small rest of the body so the connection can be reused, else close."""
        left = _DRAIN_LIMIT
        async for chunk in self:
            left -= len(chunk)
            if left < 0:
                break
        await self.aclose()

    async def aclose(self) -> None:
        if not self._lease.ended:
            await self._lease.end(reuse=self._lease.connection.end_of_buffered_body())


class TrioTransport:
    """An async transport for trio: HTTP/1.1 over h11, with TLS and a keep-alive pool.

    ``ssl_context`` defaults to ``ssl.create_default_context()`` (the system trust
    store); ``limits`` bounds the pool per origin.  ``clock`` (seconds, monotonic)
    times idle connections.
    """

    binding_name = "trio"

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.limits = limits or Limits()
        self._pool: Pool[Connection] = Pool(self.limits)
        self._slots: dict[Origin, trio.Semaphore] = {}
        self._clock = clock
        self._closed = False

    # -- the contract -----------------------------------------------------------------

    async def open(self, request: Request) -> TrioResponse:
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._exchange(request)
            try:
                following = follow(request, response.head)
            except TransportError:
                await response.aclose()
                raise
            if following is None:
                return response
            await response.drain()
            request = following
        raise TransportError(f"more than {MAX_REDIRECTS} redirects")

    async def sleep(self, seconds: float) -> None:
        await trio.sleep(seconds)

    async def aclose(self) -> None:
        """Close every idle connection; responses still open close their own."""
        self._closed = True
        await close_all(self._pool.drain())

    # -- one exchange -----------------------------------------------------------------

    async def _exchange(self, request: Request) -> TrioResponse:
        if self._closed:
            raise TransportError("the transport is closed")
        try:
            target = target_of(request.url)
        except BadURL as exc:
            raise map_error(exc, "preparing the request") from exc
        slot = self._slot(target.origin)
        try:
            slot.acquire_nowait()
        except trio.WouldBlock:
            await self._acquire(slot, request.timeout.pool)
        lease: Lease | None = None
        try:
            lease = await self._lease(target, request.timeout)
            head = await self._send(lease, request, target)
            if head is None:  # the reused connection was dead: once more on a fresh one
                dead, lease = lease, None
                dead.ended = True
                self._pool.discard(target.origin)
                await close_all([dead.connection])
                lease = await self._lease(target, request.timeout, fresh=True)
                head = await self._send(lease, request, target)
            assert head is not None
            return TrioResponse(lease, head, request.timeout)
        except BaseException as exc:
            if lease is not None:
                await lease.end(reuse=False)
            else:
                slot.release()
            if isinstance(exc, (trio.TooSlowError, *_FAILURES)):
                raise map_error(exc, f"{request.method} {target.host_header}") from exc
            raise

    @staticmethod
    async def _acquire(slot: trio.Semaphore, timeout: float | None) -> None:
        """Wait for a slot up to the pool timeout (none was free at once)."""
        try:
            with deadline(timeout):
                await slot.acquire()
        except trio.TooSlowError as exc:
            raise map_error(exc, "waiting for a pooled connection") from exc

    async def _lease(self, target: Target, timeout: Timeout, *, fresh: bool = False) -> Lease:
        """A connection for ``target`` (the slot is already held)."""
        origin = target.origin
        while not fresh:
            connection, expired = self._pool.take(origin, self._clock())
            if connection is not None and connection.peer_closed():
                self._pool.discard(origin)
                expired.append(connection)
                connection = None
            if expired:
                await close_all(expired)
            if connection is not None:
                return Lease(self, origin, connection)
            if not self._pool.idle(origin):
                break
        self._pool.lend(origin)
        try:
            connection = await connect(target, self.ssl_context, timeout.connect)
        except BaseException:
            self._pool.discard(origin)
            raise
        return Lease(self, origin, connection)

    async def _send(self, lease: Lease, request: Request, target: Target) -> ResponseHead | None:
        """Send and read the head; ``None`` when a reused connection failed before
        answering anything and the request can be sent again."""
        connection = lease.connection
        try:
            status, headers = await connection.exchange(request, target, request.timeout)
        except _FAILURES:
            if connection.reused and not connection.received_any and is_replayable(request.body):
                return None
            raise
        return ResponseHead(status, headers)

    def _slot(self, origin: Origin) -> trio.Semaphore:
        slot = self._slots.get(origin)
        if slot is None:
            slot = self._slots[origin] = trio.Semaphore(self.limits.max_connections)
        return slot

    def _give_back(self, lease: Lease, reusable: bool) -> list[Connection]:
        """Bookkeeping when a lease ends (no checkpoint): the connections to close."""
        self._slots[lease.origin].release()
        if reusable and not self._closed:
            return self._pool.give_back(lease.origin, lease.connection, self._clock())
        self._pool.discard(lease.origin)
        return [lease.connection]
