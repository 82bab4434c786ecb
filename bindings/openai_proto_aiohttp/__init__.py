"""The aiohttp binding: an async transport over ``aiohttp.ClientSession``, and ``AsyncOpenAI``.

Pass your own session (connector limits, proxies, TLS, tracing) as ``http_client``;
the binding then leaves closing it to you.  Otherwise it owns a session with
:data:`DEFAULT_LIMIT` connections in total and :data:`DEFAULT_LIMIT_PER_HOST` per host.
Redirects are followed by the binding with the core's rules
(:mod:`openai_proto.redirects`), not by aiohttp, so every credential header is
dropped when a redirect leaves the origin; aiohttp removes gzip/deflate
content-encoding itself.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import aiohttp.abc
import aiohttp.payload

from openai_proto import AsyncClient, Config
from openai_proto.files import body_length, is_replayable, iter_body
from openai_proto.http import Body, Request, ResponseHead, StreamBody, Timeout
from openai_proto.redirects import MAX_REDIRECTS, NOT_REPLAYABLE, follow
from openai_proto.transport import TransportError, TransportTimeout

DEFAULT_LIMIT = 1000
DEFAULT_LIMIT_PER_HOST = 100
#: How much of a redirect's body is read so its connection can be reused.
DRAIN_LIMIT = 64 * 1024
#: Raised by aiohttp (or the socket underneath) when an exchange fails.
_FAILURES = (aiohttp.ClientError, OSError, asyncio.TimeoutError)


@functools.lru_cache(maxsize=64)
def client_timeout(timeout: Timeout) -> aiohttp.ClientTimeout:
    """Our per-phase timeout as aiohttp's.

    aiohttp's ``connect`` covers waiting for a pooled connection plus opening one, so
    it is ``pool + connect``; it has no write timeout (``write`` is not enforced).
    """
    acquire = None
    if timeout.pool is not None and timeout.connect is not None:
        acquire = timeout.pool + timeout.connect
    return aiohttp.ClientTimeout(
        total=None, connect=acquire, sock_connect=timeout.connect, sock_read=timeout.read
    )


def map_error(exc: BaseException) -> TransportError:
    """The transport exception for an aiohttp failure, with ``exc`` as its cause."""
    kind = TransportTimeout if isinstance(exc, asyncio.TimeoutError) else TransportError
    error = kind(f"{type(exc).__name__}: {exc}")
    error.__cause__ = exc
    return error


class StreamBodyPayload(aiohttp.payload.Payload):
    """A :class:`StreamBody` as an aiohttp payload that reads its files afresh on each
    write, so aiohttp can send it again when it retries a keep-alive connection the
    server dropped.  A body with a file that cannot seek is marked consumed after one
    write: aiohttp then does not resend it.

    It holds no open resource between writes (each write opens and closes its files).
    """

    _autoclose = True

    def __init__(self, body: StreamBody) -> None:
        super().__init__(body, content_type=None)
        self._size = body_length(body)
        self._replayable = is_replayable(body)

    @property
    def consumed(self) -> bool:
        """Whether the body was sent and cannot be sent again."""
        return self._consumed

    @property
    def body(self) -> StreamBody:
        return self._value  # type: ignore[no-any-return]

    async def write(self, writer: aiohttp.abc.AbstractStreamWriter) -> None:
        if self._consumed:
            raise TransportError(NOT_REPLAYABLE)
        self._consumed = not self._replayable
        chunks = iter_body(self.body)
        try:
            for chunk in chunks:
                await writer.write(chunk)
        finally:
            chunks.close()

    async def write_with_length(
        self, writer: aiohttp.abc.AbstractStreamWriter, content_length: int | None
    ) -> None:
        await self.write(writer)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("a streamed request body is not kept in memory")


def _data(body: Body) -> bytes | StreamBodyPayload | None:
    if isinstance(body, bytes):
        return body or None  # no body: aiohttp adds Content-Length only where it belongs
    return StreamBodyPayload(body)


def _headers(request: Request) -> list[tuple[str, str]]:
    headers = list(request.headers)
    if not isinstance(request.body, bytes) and request.header("content-length") is None:
        length = body_length(request.body)
        if length is not None:
            headers.append(("Content-Length", str(length)))
    return headers


class AiohttpResponse:
    """An open response; its own async iterator, so leaving early needs no finalizer.

    :meth:`aclose` puts the connection back in the pool when the body was read to the
    end, and closes it otherwise (an unread body cannot be skipped cheaply).
    """

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.head = ResponseHead(response.status, tuple(response.headers.items()))
        self._response = response
        self._complete = False

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        return self

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        try:
            chunk = await self._response.content.readany()
        except _FAILURES as exc:
            raise map_error(exc) from exc
        if not chunk:
            self._complete = True
            raise StopAsyncIteration
        return chunk

    async def aclose(self) -> None:
        if self._complete:
            self._response.release()
        else:
            self._response.close()

    async def drain(self) -> None:
        """Read a small rest of the body (a redirect's) so the connection can be
        reused, then release it; failures only mean the connection is not reused."""
        left = DRAIN_LIMIT
        try:
            async for chunk in self:
                left -= len(chunk)
                if left < 0:
                    break
        except TransportError:
            pass
        finally:
            await self.aclose()


class AiohttpTransport:
    """An async transport over ``aiohttp.ClientSession`` (asyncio)."""

    binding_name = "aiohttp"

    def __init__(self, session: aiohttp.ClientSession | None = None) -> None:
        self._owned = session is None
        self._session = session

    @property
    def session(self) -> aiohttp.ClientSession:
        """The session; an owned one is made on first use, inside the running loop."""
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=DEFAULT_LIMIT, limit_per_host=DEFAULT_LIMIT_PER_HOST
            )
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    async def open(self, request: Request) -> AiohttpResponse:
        """Send ``request`` and follow redirects with the core's rules
        (:mod:`openai_proto.redirects`), so no credential leaves its origin."""
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._send(request)
            try:
                following = follow(request, response.head)
            except BaseException:
                await response.aclose()
                raise
            if following is None:
                return response
            await response.drain()
            request = following
        raise TransportError(f"more than {MAX_REDIRECTS} redirects")

    async def _send(self, request: Request) -> AiohttpResponse:
        try:
            response = await self.session.request(
                request.method,
                request.url,
                headers=_headers(request),
                data=_data(request.body),
                timeout=client_timeout(request.timeout),
                skip_auto_headers=("Content-Type",),
                allow_redirects=False,
            )
        except _FAILURES as exc:
            raise map_error(exc) from exc
        return AiohttpResponse(response)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def aclose(self) -> None:
        if self._owned and self._session is not None:
            await self._session.close()


class AsyncOpenAI(AsyncClient):
    """An async client over aiohttp, configured like the official ``openai.AsyncOpenAI``."""

    def __init__(self, *, http_client: aiohttp.ClientSession | None = None, **config: Any) -> None:
        super().__init__(AiohttpTransport(http_client), Config.from_env(**config))


__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_LIMIT_PER_HOST",
    "AiohttpResponse",
    "AiohttpTransport",
    "AsyncOpenAI",
    "StreamBodyPayload",
    "client_timeout",
    "map_error",
]
