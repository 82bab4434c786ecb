"""The httpx binding: sync and async transports, and the familiar ``OpenAI`` / ``AsyncOpenAI``.

Pass your own ``httpx.Client`` / ``httpx.AsyncClient`` (proxies, mounts, limits)
as ``http_client``; the binding then leaves closing it to you.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Generator, Iterator
from typing import Any

import anyio
import httpx

from openai_proto import AsyncClient, Client, Config
from openai_proto.files import body_length, is_replayable, iter_body
from openai_proto.http import Body, Request, ResponseHead, StreamBody, Timeout
from openai_proto.transport import TransportError, TransportTimeout

DEFAULT_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)


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


#: Why a redirect that must send the body again fails when the body is single-use.
NOT_REPLAYABLE = "cannot follow a redirect: the request body cannot be sent again"


def _fresh_chunks(body: StreamBody, sent: list[bool]) -> Generator[bytes, None, None]:
    """The chunks of ``body`` for one more sending; a single-use body refuses a second."""
    if sent and not is_replayable(body):
        raise TransportError(NOT_REPLAYABLE)
    sent.append(True)
    return iter_body(body)


class ReplayableContent:
    """A streamed body httpx can iterate once per sending: a 307/308 redirect re-reads
    the files from their start instead of raising ``httpx.StreamConsumed``.

    Not a generator, so httpx does not mark it single-use; the files are read by a
    sync generator that closes them when it ends or is collected.
    """

    def __init__(self, body: StreamBody) -> None:
        self._body = body
        self._sent: list[bool] = []

    def __iter__(self) -> Iterator[bytes]:
        return _fresh_chunks(self._body, self._sent)


class AsyncReplayableContent:
    """:class:`ReplayableContent` for ``httpx.AsyncClient``; each iteration is a plain
    async iterator over a sync generator, so nothing is left for a loop's
    async-generator finalizer."""

    def __init__(self, body: StreamBody) -> None:
        self._body = body
        self._sent: list[bool] = []

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _AsyncChunks(_fresh_chunks(self._body, self._sent))


class _AsyncChunks:
    def __init__(self, chunks: Generator[bytes, None, None]) -> None:
        self._chunks = chunks

    def __aiter__(self) -> _AsyncChunks:
        return self

    async def __anext__(self) -> bytes:
        try:
            return next(self._chunks)
        except StopIteration:
            raise StopAsyncIteration from None


def _sync_content(body: Body) -> bytes | ReplayableContent:
    return body if isinstance(body, bytes) else ReplayableContent(body)


def _async_content(body: Body) -> bytes | AsyncReplayableContent:
    return body if isinstance(body, bytes) else AsyncReplayableContent(body)


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


class HttpxTransport:
    """A sync transport over ``httpx.Client``."""

    binding_name = "httpx"

    def __init__(self, client: httpx.Client | None = None) -> None:
        self._owned = client is None
        self.client = client or httpx.Client(limits=DEFAULT_LIMITS, follow_redirects=True)

    def open(self, request: Request) -> HttpxResponse:
        built = self.client.build_request(
            request.method,
            request.url,
            headers=_headers(request),
            content=_sync_content(request.body),
            timeout=_timeout(request.timeout),
        )
        try:
            return HttpxResponse(self.client.send(built, stream=True))
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


class AsyncHttpxTransport:
    """An async transport over ``httpx.AsyncClient`` (asyncio or trio)."""

    binding_name = "httpx-async"

    def __init__(self, client: httpx.AsyncClient | None = None) -> None:
        self._owned = client is None
        self.client = client or httpx.AsyncClient(limits=DEFAULT_LIMITS, follow_redirects=True)

    async def open(self, request: Request) -> AsyncHttpxResponse:
        built = self.client.build_request(
            request.method,
            request.url,
            headers=_headers(request),
            content=_async_content(request.body),
            timeout=_timeout(request.timeout),
        )
        try:
            return AsyncHttpxResponse(await self.client.send(built, stream=True))
        except httpx.HTTPError as exc:
            raise _map_error(exc) from exc

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
    "NOT_REPLAYABLE",
    "AsyncHttpxTransport",
    "AsyncOpenAI",
    "AsyncReplayableContent",
    "HttpxTransport",
    "OpenAI",
    "ReplayableContent",
]
