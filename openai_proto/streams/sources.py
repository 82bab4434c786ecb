"""What the stream helpers share about their sources: opening an async one, closing any.

A stream closes its source with the ``close`` function it was given, or else the
source's own ``close()`` (``aclose()`` first, for an async source); an async manager
opens its source from an awaitable, or from a function giving the source or an
awaitable of it.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterable, Awaitable, Callable
from typing import Any, Union

#: What an async stream manager opens: an awaitable giving the source, or a function
#: returning the source or an awaitable of it.
AsyncSource = Union[
    Awaitable[AsyncIterable[Any]],
    Callable[[], Awaitable[AsyncIterable[Any]]],
    Callable[[], AsyncIterable[Any]],
]

#: The methods that close a sync source, and an async one (in the order tried).
SYNC_CLOSE = ("close",)
ASYNC_CLOSE = ("aclose", "close")


async def open_async_source(open_stream: AsyncSource) -> Any:
    """The source ``open_stream`` gives (called if a function, awaited if awaitable)."""
    source: Any = open_stream() if callable(open_stream) else open_stream
    if inspect.isawaitable(source):
        source = await source
    return source


def source_closer(source: Any, names: tuple[str, ...]) -> Callable[[], Any] | None:
    """The first of the ``names`` methods ``source`` has (``None`` if it has none)."""
    for name in names:
        closer = getattr(source, name, None)
        if closer is not None:
            return closer  # type: ignore[no-any-return]
    return None


async def call_closer(closer: Callable[[], Any] | None) -> None:
    """Call ``closer`` (if any), and await what it returns when that is awaitable."""
    if closer is not None:
        result = closer()
        if inspect.isawaitable(result):
            await result


__all__ = [
    "ASYNC_CLOSE",
    "SYNC_CLOSE",
    "AsyncSource",
    "call_closer",
    "open_async_source",
    "source_closer",
]
