"""The binding contract: open a request, sleep, and two exceptions.

A binding implements :class:`Transport` (sync) or :class:`AsyncTransport` (async).
``open`` sends a :class:`~openai_proto.http.Request` and returns once the response
head has arrived; the body is then read in chunks and the response closed.  Every
failure of the underlying library is raised as :class:`TransportTimeout` or
:class:`TransportError`, with the library's own exception as ``__cause__``.
Retries, error mapping, decoding and stream parsing all live in the core.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Protocol

from openai_proto.http import Request, ResponseHead


class TransportError(Exception):
    """The connection failed: refused, reset, closed early, or a protocol violation."""


class TransportTimeout(TransportError):
    """A connect, read, write or pool timeout expired."""


class OpenResponse(Protocol):
    """A response whose head has arrived and whose body is still on the wire."""

    @property
    def head(self) -> ResponseHead: ...

    def iter_bytes(self) -> Iterator[bytes]:
        """The body in chunks, content-encoding removed; raises the transport exceptions."""
        ...

    def close(self) -> None:
        """Release the connection; safe to call more than once."""
        ...


class AsyncOpenResponse(Protocol):
    @property
    def head(self) -> ResponseHead: ...

    def aiter_bytes(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


class Transport(Protocol):
    """What a sync binding provides."""

    binding_name: str

    def open(self, request: Request) -> OpenResponse: ...

    def sleep(self, seconds: float) -> None: ...

    def close(self) -> None: ...


class AsyncTransport(Protocol):
    """What an async binding provides."""

    binding_name: str

    async def open(self, request: Request) -> AsyncOpenResponse: ...

    async def sleep(self, seconds: float) -> None: ...

    async def aclose(self) -> None: ...
