"""Responses stream managers: the accumulator driven over an iterable of events — no IO.

:class:`ResponseStream` (sync) and :class:`AsyncResponseStream` (async) take what a
streamed response yields — event dicts, or :class:`~openai_proto.streams.events.Payload`
values — and fold it with a :class:`~openai_proto.streams.responses.ResponseAccumulator`::

    with ResponseStream(events) as stream:
        for event in stream:             # ResponseEvent objects, as they arrive
            ...
        final = stream.get_final_response()

Leaving the ``with`` block (or calling ``close()``) closes the source: its ``close()`` /
``aclose()`` method if it has one, or the ``close`` callable given. The client's
``responses.stream(...)`` wraps its streamed response in these, through
:class:`ResponseStreamManager` / :class:`AsyncResponseStreamManager`, which start the
request on entering the ``with`` block and close it on leaving.

What ``get_final_response()`` gives is the stream's type parameter ``R``: the final
response as a dict by default, or what the ``final`` function given makes of that dict —
the client's streams give a ``ParsedResponse[T]`` (``T`` the ``text_format``). The same
object is ``response`` on the ``response.completed`` event.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar, overload

from openai_proto.streams import sources
from openai_proto.streams.events import Payload
from openai_proto.streams.response_events import Decoded
from openai_proto.streams.responses import JSON, ResponseAccumulator, ResponseEvent

R = TypeVar("R")
X = TypeVar("X")


def event_data(item: Any) -> Any:
    """The event dict of what a stream yields (a dict, or a Payload holding one)."""
    return item.data if isinstance(item, Payload) else item


def _identity(data: JSON) -> JSON:
    return data


class _Base(Generic[R]):
    def __init__(
        self,
        source: Any,
        accumulator: ResponseAccumulator | None,
        starting_after: int | None,
        close: Callable[[], Any] | None,
        final: Callable[[JSON], Any] | None,
    ) -> None:
        if accumulator is not None and starting_after is not None:
            raise ValueError("give either an accumulator or starting_after, not both")
        self._source = source
        self._final: Callable[[JSON], Any] = _identity if final is None else Decoded(final)
        if accumulator is None:
            decode = None if final is None else self._final
            accumulator = ResponseAccumulator(starting_after=starting_after, decode_final=decode)
        self.accumulator = accumulator
        self._pending: deque[ResponseEvent] = deque()
        self._exhausted = False
        self._closed = False
        self._close = close

    @property
    def current_snapshot(self) -> JSON | None:
        """The response so far (the accumulator's live dict; ``None`` before it starts)."""
        return self.accumulator.current_snapshot

    def _ended(self) -> None:
        self._exhausted = True
        self.accumulator.close()

    def _final_response(self, cast_to: Any) -> Any:
        if cast_to is not None:
            return self.accumulator.get_final_response(cast_to)
        return self._final(self.accumulator.get_final_response())

    def _shut(self, names: tuple[str, ...]) -> Callable[[], Any] | None:
        """End the stream; what closes the source the first time (``None`` after)."""
        if self._closed:
            return None
        self._closed = True
        self._exhausted = True
        self.accumulator.close()
        return self._close or sources.source_closer(self._source, names)


class ResponseStream(_Base[R]):
    """A Responses stream over an iterable of events (sync).

    ``final``: what ``get_final_response()`` makes of the final response's dict (kept:
    called once); without it, the dict itself. When an ``accumulator`` is given, give it
    the same function as ``decode_final`` for the finished event's ``response`` to agree.
    """

    @overload
    def __init__(
        self: ResponseStream[JSON],
        events: Iterable[Any],
        *,
        accumulator: ResponseAccumulator | None = None,
        starting_after: int | None = None,
        close: Callable[[], Any] | None = None,
        final: None = None,
    ) -> None: ...
    @overload
    def __init__(
        self,
        events: Iterable[Any],
        *,
        accumulator: ResponseAccumulator | None = None,
        starting_after: int | None = None,
        close: Callable[[], Any] | None = None,
        final: Callable[[JSON], R],
    ) -> None: ...
    def __init__(
        self,
        events: Iterable[Any],
        *,
        accumulator: ResponseAccumulator | None = None,
        starting_after: int | None = None,
        close: Callable[[], Any] | None = None,
        final: Callable[[JSON], Any] | None = None,
    ) -> None:
        super().__init__(events, accumulator, starting_after, close, final)
        self._iterator: Iterator[Any] = iter(events)

    def __iter__(self) -> Iterator[ResponseEvent]:
        return self

    def __next__(self) -> ResponseEvent:
        while not self._pending:
            if self._exhausted:
                raise StopIteration
            try:
                item = next(self._iterator)
            except StopIteration:
                self._ended()
                raise
            self._pending.extend(self.accumulator.feed(event_data(item)))
        return self._pending.popleft()

    def until_done(self) -> ResponseStream[R]:
        """Read the rest of the stream."""
        for _ in self:
            pass
        return self

    @overload
    def get_final_response(self) -> R: ...
    @overload
    def get_final_response(self, cast_to: type[X]) -> X: ...
    def get_final_response(self, cast_to: Any = None) -> Any:
        """Read the rest of the stream; the final response (completed, failed or incomplete):
        the stream's own kind (see ``final``), or decoded as ``cast_to``."""
        self.until_done()
        return self._final_response(cast_to)

    def close(self) -> None:
        """Close the source (idempotent); the accumulator sees the end of the stream."""
        closer = self._shut(sources.SYNC_CLOSE)
        if closer is not None:
            closer()

    def __enter__(self) -> ResponseStream[R]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncResponseStream(_Base[R]):
    """A Responses stream over an async iterable of events (``final`` as for
    :class:`ResponseStream`)."""

    @overload
    def __init__(
        self: AsyncResponseStream[JSON],
        events: AsyncIterable[Any],
        *,
        accumulator: ResponseAccumulator | None = None,
        starting_after: int | None = None,
        close: Callable[[], Any] | None = None,
        final: None = None,
    ) -> None: ...
    @overload
    def __init__(
        self,
        events: AsyncIterable[Any],
        *,
        accumulator: ResponseAccumulator | None = None,
        starting_after: int | None = None,
        close: Callable[[], Any] | None = None,
        final: Callable[[JSON], R],
    ) -> None: ...
    def __init__(
        self,
        events: AsyncIterable[Any],
        *,
        accumulator: ResponseAccumulator | None = None,
        starting_after: int | None = None,
        close: Callable[[], Any] | None = None,
        final: Callable[[JSON], Any] | None = None,
    ) -> None:
        super().__init__(events, accumulator, starting_after, close, final)
        self._iterator: AsyncIterator[Any] = events.__aiter__()

    def __aiter__(self) -> AsyncResponseStream[R]:
        return self

    async def __anext__(self) -> ResponseEvent:
        while not self._pending:
            if self._exhausted:
                raise StopAsyncIteration
            try:
                item = await self._iterator.__anext__()
            except StopAsyncIteration:
                self._ended()
                raise
            self._pending.extend(self.accumulator.feed(event_data(item)))
        return self._pending.popleft()

    async def until_done(self) -> AsyncResponseStream[R]:
        """Read the rest of the stream."""
        async for _ in self:
            pass
        return self

    @overload
    async def get_final_response(self) -> R: ...
    @overload
    async def get_final_response(self, cast_to: type[X]) -> X: ...
    async def get_final_response(self, cast_to: Any = None) -> Any:
        """Read the rest of the stream; the final response (see :class:`ResponseStream`)."""
        await self.until_done()
        return self._final_response(cast_to)

    async def close(self) -> None:
        """Close the source (idempotent); the accumulator sees the end of the stream."""
        await sources.call_closer(self._shut(sources.ASYNC_CLOSE))

    async def __aenter__(self) -> AsyncResponseStream[R]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class ResponseStreamManager(Generic[R]):
    """``with manager as stream:`` calls ``open_stream()`` (which starts the request) on
    entry, wraps the source in a :class:`ResponseStream` made with ``options``, and closes
    it on exit, also when the block is left early."""

    @overload
    def __init__(
        self: ResponseStreamManager[JSON],
        open_stream: Callable[[], Iterable[Any]],
        *,
        accumulator: ResponseAccumulator | None = None,
        starting_after: int | None = None,
        final: None = None,
    ) -> None: ...
    @overload
    def __init__(
        self,
        open_stream: Callable[[], Iterable[Any]],
        *,
        accumulator: ResponseAccumulator | None = None,
        starting_after: int | None = None,
        final: Callable[[JSON], R],
    ) -> None: ...
    def __init__(self, open_stream: Callable[[], Iterable[Any]], **options: Any) -> None:
        self._open = open_stream
        self._options = options
        self._stream: ResponseStream[R] | None = None

    def __enter__(self) -> ResponseStream[R]:
        self._stream = ResponseStream(self._open(), **self._options)
        return self._stream

    def __exit__(self, *exc_info: object) -> None:
        if self._stream is not None:
            self._stream.close()


class AsyncResponseStreamManager(Generic[R]):
    """``async with manager as stream:``; ``open_stream`` is an awaitable giving the
    source, or a function returning the source or an awaitable of it."""

    @overload
    def __init__(
        self: AsyncResponseStreamManager[JSON],
        open_stream: sources.AsyncSource,
        *,
        accumulator: ResponseAccumulator | None = None,
        starting_after: int | None = None,
        final: None = None,
    ) -> None: ...
    @overload
    def __init__(
        self,
        open_stream: sources.AsyncSource,
        *,
        accumulator: ResponseAccumulator | None = None,
        starting_after: int | None = None,
        final: Callable[[JSON], R],
    ) -> None: ...
    def __init__(self, open_stream: sources.AsyncSource, **options: Any) -> None:
        self._open = open_stream
        self._options = options
        self._stream: AsyncResponseStream[R] | None = None

    async def __aenter__(self) -> AsyncResponseStream[R]:
        source = await sources.open_async_source(self._open)
        self._stream = AsyncResponseStream(source, **self._options)
        return self._stream

    async def __aexit__(self, *exc_info: object) -> None:
        if self._stream is not None:
            await self._stream.close()


__all__ = [
    "AsyncResponseStream",
    "AsyncResponseStreamManager",
    "ResponseStream",
    "ResponseStreamManager",
    "event_data",
]
