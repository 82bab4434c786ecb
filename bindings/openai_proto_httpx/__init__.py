"""The httpx binding: sync and async transports, and the familiar ``OpenAI`` / ``AsyncOpenAI``.

Pass your own ``httpx.Client`` / ``httpx.AsyncClient`` (proxies, mounts, limits)
as ``http_client``; the binding then leaves closing it to you.  Redirects are
followed when the client's ``follow_redirects`` is on (the owned client's is), by the
binding with the core's rules (:mod:`openai_proto.redirects`) rather than by httpx,
so every binding strips the same credentials when a redirect leaves the origin.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Generator, Iterator
from typing import Any

import anyio
import httpx

from openai_proto import AsyncClient, Client, Config
from openai_proto.files import body_length, iter_body
from openai_proto.http import Body, Request, ResponseHead, Timeout
from openai_proto.redirects import MAX_REDIRECTS, follow
from openai_proto.transport import TransportError, TransportTimeout

DEFAULT_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
#: How much of a redirect's body is read so its connection can be reused.
DRAIN_LIMIT = 64 * 1024


def _timeout(timeout: Timeout) -> httpx.Timeout:
    return httpx.Timeout(
        connect=timeout.connect, read=timeout.read, write=timeout.write, pool=timeout.pool
    )


def _headers(request: Request) -> list[tuple[str, str]]:
    headers = list(request.headers)
    if not isinstance(request.body, bytes) and request.header("content-length") is None:
        length = body_length(request.body)
        if length is not None:
            headers.append(("Content-Length", str(length)))
    return headers


def _map_error(exc: Exception) -> TransportError:
    kind = TransportTimeout if isinstance(exc, httpx.TimeoutException) else TransportError
    error = kind(f"{type(exc).__name__}: {exc}")
    error.__cause__ = exc
    return error


def _head(response: httpx.Response) -> ResponseHead:
    return ResponseHead(response.status_code, tuple(response.headers.multi_items()))


class _AsyncChunks:
    """A body's chunks for ``httpx.AsyncClient``: a plain async iterator over the sync
    generator that reads the files, so nothing is left for a loop's async-generator
    finalizer when a send stops early."""

    def __init__(self, chunks: Generator[bytes, None, None]) -> None:
        self._chunks = chunks

    def __aiter__(self) -> _AsyncChunks:
        return self

    async def __anext__(self) -> bytes:
        try:
            return next(self._chunks)
        except StopIteration:
            raise StopAsyncIteration from None


def _sync_content(body: Body) -> bytes | Iterator[bytes]:
    return body if isinstance(body, bytes) else iter_body(body)


def _async_content(body: Body) -> bytes | _AsyncChunks:
    return body if isinstance(body, bytes) else _AsyncChunks(iter_body(body))


def _next_request(request: Request, head: ResponseHead, follows: bool) -> Request | None:
    """Where a redirect leads (the core's :func:`~openai_proto.redirects.follow`), or
    ``None`` when ``head`` is not one or the client does not follow redirects."""
    return follow(request, head) if follows else None


class HttpxResponse:
    def __init__(self, response: httpx.Response) -> None:
        self.head = _head(response)
        self._response = response

    def iter_bytes(self) -> Iterator[bytes]:
        try:
            yield from self._response.iter_bytes()
        except httpx.HTTPError as exc:
            raise _map_error(exc) from exc

    def close(self) -> None:
        self._response.close()

    def drain(self) -> None:
        """Read a small rest of the body (a redirect's) so the connection can be
        reused, then close; failures only mean the connection is not reused."""
        try:
            left = DRAIN_LIMIT
            for chunk in self._response.iter_raw():
                left -= len(chunk)
                if left < 0:
                    break
        except httpx.HTTPError:
            pass
        finally:
            self._response.close()


class HttpxTransport:
    """A sync transport over ``httpx.Client``."""

    binding_name = "httpx"

    def __init__(self, client: httpx.Client | None = None) -> None:
        self._owned = client is None
        self.client = client or httpx.Client(limits=DEFAULT_LIMITS, follow_redirects=True)

    def open(self, request: Request) -> HttpxResponse:
        """Send ``request``, following redirects when the client does (the owned one
        does): the core decides each next request, so no credential leaves its origin."""
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(request)
            try:
                following = _next_request(request, response.head, self.client.follow_redirects)
            except BaseException:
                response.close()
                raise
            if following is None:
                return response
            response.drain()
            request = following
        raise TransportError(f"more than {MAX_REDIRECTS} redirects")

    def _send(self, request: Request) -> HttpxResponse:
        built = self.client.build_request(
            request.method,
            request.url,
            headers=_headers(request),
            content=_sync_content(request.body),
            timeout=_timeout(request.timeout),
        )
        try:
            return HttpxResponse(self.client.send(built, stream=True, follow_redirects=False))
        except httpx.HTTPError as exc:
            raise _map_error(exc) from exc

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def close(self) -> None:
        if self._owned:
            self.client.close()


class AsyncHttpxResponse:
    """The body is read through one iterator that :meth:`aclose` finalizes explicitly,
    so an unfinished stream leaves no async generator for the event loop to collect."""

    def __init__(self, response: httpx.Response) -> None:
        self.head = _head(response)
        self._response = response
        self._chunks = response.aiter_bytes()

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        return self

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        try:
            return await self._chunks.__anext__()
        except httpx.HTTPError as exc:
            raise _map_error(exc) from exc

    async def aclose(self) -> None:
        try:
            await self._chunks.aclose()  # type: ignore[attr-defined]
        finally:
            await self._response.aclose()

    async def drain(self) -> None:
        """:meth:`HttpxResponse.drain`, async."""
        try:
            left = DRAIN_LIMIT
            async for chunk in self:
                left -= len(chunk)
                if left < 0:
                    break
        except TransportError:
            pass
        finally:
            await self.aclose()


class AsyncHttpxTransport:
    """An async transport over ``httpx.AsyncClient`` (asyncio or trio)."""

    binding_name = "httpx-async"

    def __init__(self, client: httpx.AsyncClient | None = None) -> None:
        self._owned = client is None
        self.client = client or httpx.AsyncClient(limits=DEFAULT_LIMITS, follow_redirects=True)

    async def open(self, request: Request) -> AsyncHttpxResponse:
        """Send ``request``, following redirects as :meth:`HttpxTransport.open` does."""
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._send(request)
            try:
                following = _next_request(request, response.head, self.client.follow_redirects)
            except BaseException:
                await response.aclose()
                raise
            if following is None:
                return response
            await response.drain()
            request = following
        raise TransportError(f"more than {MAX_REDIRECTS} redirects")

    async def _send(self, request: Request) -> AsyncHttpxResponse:
        built = self.client.build_request(
            request.method,
            request.url,
            headers=_headers(request),
            content=_async_content(request.body),
            timeout=_timeout(request.timeout),
        )
        try:
            response = await self.client.send(built, stream=True, follow_redirects=False)
        except httpx.HTTPError as exc:
            raise _map_error(exc) from exc
        return AsyncHttpxResponse(response)

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)

    async def aclose(self) -> None:
        if self._owned:
            await self.client.aclose()


class OpenAI(Client):
    """A sync client over httpx, configured like the official ``openai.OpenAI``."""

    def __init__(self, *, http_client: httpx.Client | None = None, **config: Any) -> None:
        super().__init__(HttpxTransport(http_client), Config.from_env(**config))


class AsyncOpenAI(AsyncClient):
    """An async client over httpx, configured like the official ``openai.AsyncOpenAI``."""

    def __init__(self, *, http_client: httpx.AsyncClient | None = None, **config: Any) -> None:
        super().__init__(AsyncHttpxTransport(http_client), Config.from_env(**config))


__all__ = [
    "AsyncHttpxTransport",
    "AsyncOpenAI",
    "HttpxTransport",
    "OpenAI",
]
