"""Chat completion stream helpers over any source of chunks, sync and async — IO-free.

:class:`ChatCompletionStream` (an iterator) and :class:`AsyncChatCompletionStream` (an async
iterator) turn a source of chunks — what iterating a streamed ``chat.completions.create``
response yields, or any iterable of chunk dicts — into the events of
:class:`~openai_proto.streams.chat.ChatCompletionStreamState`, with the methods users of
``client.chat.completions.stream()`` know: ``until_done()``, ``get_final_completion()``,
``current_completion_snapshot``, ``close()``, and use as a context manager.
:class:`ChatCompletionStreamManager` / :class:`AsyncChatCompletionStreamManager` open the
source on ``with`` / ``async with`` and close it on exit, as the official ``.stream()``
helper does; this module opens nothing itself: the driver passes a function that starts
the request.

A chunk may be a dict, or a model object (turned into a dict with
:func:`openai_proto.models.unstructure`, or its ``to_dict()``). Closing the stream closes
the source (its ``close()``, or ``aclose()`` for async sources, or the ``close`` given);
so does reaching its end, and leaving the ``with`` block early.

What the streams give is typed, as users of the official helper know it: they fold the
chunks with a ``typed`` :class:`~openai_proto.streams.chat.ChatCompletionStreamState`, so
``event.chunk`` is a ``ChatCompletionChunk`` and ``event.snapshot`` a ``ChatCompletion``
(decoded only when read), :attr:`~ChatCompletionStream.current_completion_snapshot` a
``ChatCompletion`` and :meth:`~ChatCompletionStream.get_final_completion` a
``ParsedChatCompletion[T]`` — ``T`` being the ``response_format`` class, when the client's
``stream(response_format=T)`` made the stream. The snapshot dict stays available as
``stream.state.current_completion_snapshot``.
"""

from __future__ import annotations

import typing
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Generator,
    Iterable,
    Iterator,
    Mapping,
)
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from openai_proto.errors import InvalidRequestError
from openai_proto.streams import sources
from openai_proto.streams.chat import (
    ChatCompletionStreamState,
    Parse,
    ParseArguments,
    TypedChatEvent,
)

if TYPE_CHECKING:
    from openai_proto.generated.models.chat import ChatCompletion
    from openai_proto.structured.parsed_chat import ParsedChatCompletion

if TYPE_CHECKING:  # a default (``Any``) for type checkers; typing_extensions is not required
    from typing_extensions import TypeVar as DefaultTypeVar

    #: The ``response_format`` class of the stream (what ``message.parsed`` holds).
    T = DefaultTypeVar("T", default=Any)
else:
    T = TypeVar("T")


def chunk_dict(chunk: Any) -> Any:
    """A chunk as a dict: dicts as they are, models through ``unstructure``/``to_dict``."""
    if type(chunk) is dict:
        return chunk
    from openai_proto.models import Model, unstructure

    if isinstance(chunk, Model):
        return unstructure(chunk)
    to_dict = getattr(chunk, "to_dict", None)
    return to_dict() if callable(to_dict) else chunk


def _new_state(
    state: ChatCompletionStreamState | None,
    response_format: Any,
    input_tools: Iterable[Mapping[str, Any]] | None,
    parse: Parse | None,
    parse_arguments: ParseArguments | None,
) -> ChatCompletionStreamState:
    if state is not None:
        if not state.typed:
            raise InvalidRequestError(
                "the chat stream helpers need a ChatCompletionStreamState(typed=True)"
            )
        return state
    return ChatCompletionStreamState(
        response_format=response_format,
        input_tools=input_tools,
        parse=parse,
        parse_arguments=parse_arguments,
        typed=True,
    )


def _typed_handler(state: ChatCompletionStreamState) -> Callable[[Any], list[TypedChatEvent]]:
    """``state.handle_chunk``, typed as what a typed state gives."""
    return typing.cast("Callable[[Any], list[TypedChatEvent]]", state.handle_chunk)


class ChatCompletionStream(Generic[T]):
    """Chunks in, events out, as an iterator.

    >>> chunk = {"object": "chat.completion.chunk", "id": "c1", "choices": [
    ...     {"index": 0, "delta": {"content": "Hi"}, "finish_reason": "stop"}]}
    >>> with ChatCompletionStream([chunk]) as stream:
    ...     [event.type for event in stream]
    ['chunk', 'content.delta', 'content.done']
    >>> stream.get_final_completion().choices[0].message.content
    'Hi'
    """

    def __init__(
        self,
        chunks: Iterable[Any],
        *,
        state: ChatCompletionStreamState | None = None,
        response_format: Any = None,
        input_tools: Iterable[Mapping[str, Any]] | None = None,
        parse: Parse | None = None,
        parse_arguments: ParseArguments | None = None,
        close: Callable[[], object] | None = None,
    ) -> None:
        #: The source of chunks (the streamed response).
        self.response = chunks
        self.state = _new_state(state, response_format, input_tools, parse, parse_arguments)
        self._close_source = (
            close if close is not None else sources.source_closer(chunks, sources.SYNC_CLOSE)
        )
        self._closed = False
        self._iterator = self._events()

    def _events(self) -> Generator[TypedChatEvent, None, None]:
        handle = _typed_handler(self.state)
        try:
            for chunk in self.response:
                yield from handle(chunk if type(chunk) is dict else chunk_dict(chunk))
            self.state.close()
        finally:
            self._release()

    def __iter__(self) -> Iterator[TypedChatEvent]:
        return self

    def __next__(self) -> TypedChatEvent:
        return next(self._iterator)

    def __enter__(self) -> ChatCompletionStream[T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop: close the source; iterating afterwards gives no more events."""
        if not getattr(self._iterator, "gi_running", False):
            self._iterator.close()
        self._release()

    def _release(self) -> None:
        if not self._closed:
            self._closed = True
            if self._close_source is not None:
                self._close_source()

    def until_done(self) -> ChatCompletionStream[T]:
        """Consume the rest of the stream."""
        for _ in self:
            pass
        return self

    def get_final_completion(self) -> ParsedChatCompletion[T]:
        """Consume the rest of the stream; the completion, with ``parsed`` on each message
        and ``parsed_arguments`` on each function call (see
        :meth:`ChatCompletionStreamState.get_final_completion`)."""
        self.until_done()
        final: ParsedChatCompletion[T] = self.state.get_final_completion()
        return final

    @property
    def current_completion_snapshot(self) -> ChatCompletion:
        """The completion so far, as a ``ChatCompletion``."""
        return self.state.typed_snapshot()


class AsyncChatCompletionStream(Generic[T]):
    """Chunks in, events out, as an async iterator (any event loop)."""

    def __init__(
        self,
        chunks: AsyncIterable[Any],
        *,
        state: ChatCompletionStreamState | None = None,
        response_format: Any = None,
        input_tools: Iterable[Mapping[str, Any]] | None = None,
        parse: Parse | None = None,
        parse_arguments: ParseArguments | None = None,
        close: Callable[[], object] | None = None,
    ) -> None:
        #: The source of chunks (the streamed response).
        self.response = chunks
        self.state = _new_state(state, response_format, input_tools, parse, parse_arguments)
        self._close_source = (
            close if close is not None else sources.source_closer(chunks, sources.ASYNC_CLOSE)
        )
        self._closed = False
        self._iterator = self._events()

    async def _events(self) -> AsyncGenerator[TypedChatEvent, None]:
        handle = _typed_handler(self.state)
        try:
            async for chunk in self.response:
                for event in handle(chunk if type(chunk) is dict else chunk_dict(chunk)):
                    yield event
            self.state.close()
        finally:
            await self._release()

    def __aiter__(self) -> AsyncIterator[TypedChatEvent]:
        return self

    async def __anext__(self) -> TypedChatEvent:
        return await self._iterator.__anext__()

    async def __aenter__(self) -> AsyncChatCompletionStream[T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop: close the source; iterating afterwards gives no more events."""
        if not getattr(self._iterator, "ag_running", False):
            await self._iterator.aclose()
        await self._release()

    async def _release(self) -> None:
        if not self._closed:
            self._closed = True
            await sources.call_closer(self._close_source)

    async def until_done(self) -> AsyncChatCompletionStream[T]:
        """Consume the rest of the stream."""
        async for _ in self:
            pass
        return self

    async def get_final_completion(self) -> ParsedChatCompletion[T]:
        """Consume the rest of the stream; the completion (as the sync stream's)."""
        await self.until_done()
        final: ParsedChatCompletion[T] = self.state.get_final_completion()
        return final

    @property
    def current_completion_snapshot(self) -> ChatCompletion:
        """The completion so far, as a ``ChatCompletion``."""
        return self.state.typed_snapshot()


class ChatCompletionStreamManager(Generic[T]):
    """``with manager as stream:`` starts the request (``open_stream()``) on entry and
    closes it on exit, even when the block leaves early.

    >>> chunk = {"object": "chat.completion.chunk", "choices": [
    ...     {"index": 0, "delta": {"content": "Hi"}, "finish_reason": "stop"}]}
    >>> with ChatCompletionStreamManager(lambda: iter([chunk])) as stream:
    ...     stream.get_final_completion().choices[0].finish_reason
    'stop'
    """

    def __init__(self, open_stream: Callable[[], Iterable[Any]], **options: Any) -> None:
        self._open = open_stream
        self._options = options
        self._stream: ChatCompletionStream[T] | None = None

    def __enter__(self) -> ChatCompletionStream[T]:
        self._stream = ChatCompletionStream(self._open(), **self._options)
        return self._stream

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            self._stream.close()


class AsyncChatCompletionStreamManager(Generic[T]):
    """``async with manager as stream:``; ``open_stream`` is an awaitable giving the source
    (as the official SDK takes), or a function returning the source or an awaitable of it."""

    def __init__(self, open_stream: sources.AsyncSource, **options: Any) -> None:
        self._open = open_stream
        self._options = options
        self._stream: AsyncChatCompletionStream[T] | None = None

    async def __aenter__(self) -> AsyncChatCompletionStream[T]:
        source = await sources.open_async_source(self._open)
        self._stream = AsyncChatCompletionStream(source, **self._options)
        return self._stream

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            await self._stream.close()


__all__ = [
    "AsyncChatCompletionStream",
    "AsyncChatCompletionStreamManager",
    "ChatCompletionStream",
    "ChatCompletionStreamManager",
    "chunk_dict",
]
