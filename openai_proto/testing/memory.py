"""In-memory transports for tests: no sockets, no sleeping, every request recorded.

A handler maps each :class:`~openai_proto.http.Request` to a :class:`Reply` (or a
transport exception to raise instead of answering).  :class:`MemoryTransport` and
:class:`AsyncMemoryTransport` run the same handler, so a test can check that the
sync and async clients make the same requests and the same sleeps.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Union

import attrs

from openai_proto.http import HeaderPairs, Request, ResponseHead
from openai_proto.transport import TransportError


@attrs.frozen
class Reply:
    """A scripted response: head, body chunks, and an optional failure mid-body."""

    status: int = 200
    headers: HeaderPairs = ()
    chunks: tuple[bytes, ...] = ()
    #: Raise this error after ``fail_after`` chunks have been delivered.
    fail_with: TransportError | None = None
    fail_after: int = 0

    @property
    def head(self) -> ResponseHead:
        return ResponseHead(self.status, self.headers)


def json_reply(value: object, status: int = 200, headers: Iterable[tuple[str, str]] = ()) -> Reply:
    body = json.dumps(value).encode()
    return Reply(status, (("content-type", "application/json"), *headers), (body,))


Outcome = Union[Reply, TransportError]
Handler = Callable[[Request], Outcome]


def replay(*outcomes: Outcome) -> Handler:
    """A handler answering with ``outcomes`` in order (the last one repeats)."""
    queue = list(outcomes)

    def handle(_request: Request) -> Outcome:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handle


class _Recorder:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self.sleeps: list[float] = []
        self.open_responses = 0
        self.closed = False

    def _answer(self, request: Request) -> Reply:
        self.requests.append(request)
        outcome = self.handler(request)
        if isinstance(outcome, TransportError):
            raise outcome
        self.open_responses += 1
        return outcome

    def _chunks(self, reply: Reply) -> Iterator[bytes]:
        for index, chunk in enumerate(reply.chunks):
            if reply.fail_with is not None and index == reply.fail_after:
                raise reply.fail_with
            yield chunk
        if reply.fail_with is not None and reply.fail_after >= len(reply.chunks):
            raise reply.fail_with


class _AsyncChunks:
    """A sync iterator of chunks as an async one: a class, not an async generator, so one
    left unfinished (a stream closed early, or ended at ``[DONE]``) needs no finalizer."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def __aiter__(self) -> _AsyncChunks:
        return self

    async def __anext__(self) -> bytes:
        try:
            return next(self._chunks)
        except StopIteration:
            raise StopAsyncIteration from None


class MemoryResponse:
    def __init__(self, owner: _Recorder, reply: Reply) -> None:
        self.head = reply.head
        self._owner = owner
        self._reply = reply
        self._open = True

    def iter_bytes(self) -> Iterator[bytes]:
        return self._owner._chunks(self._reply)

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        return _AsyncChunks(self._owner._chunks(self._reply))

    def close(self) -> None:
        if self._open:
            self._open = False
            self._owner.open_responses -= 1

    async def aclose(self) -> None:
        self.close()


class MemoryTransport(_Recorder):
    """A sync transport answering from a handler."""

    binding_name = "memory"

    def open(self, request: Request) -> MemoryResponse:
        return MemoryResponse(self, self._answer(request))

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def close(self) -> None:
        self.closed = True


class AsyncMemoryTransport(_Recorder):
    """An async transport answering from a handler; it never awaits anything real."""

    binding_name = "memory"

    async def open(self, request: Request) -> MemoryResponse:
        return MemoryResponse(self, self._answer(request))

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    async def aclose(self) -> None:
        self.closed = True
