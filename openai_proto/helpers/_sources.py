"""Open streamed responses as the sources the stream helpers read.

The helpers' streams take an iterable of events and close it when they are done; these
wrap a :class:`~openai_proto.responses.StreamedResponse` (or the async one) so that the
items are what the stream expects — each event's JSON data (chat chunks), or the
:class:`~openai_proto.streams.events.Payload` with its event name (Responses,
Assistants) — and so that closing the source closes the response, also when nothing
was read yet.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openai_proto.call import Call
    from openai_proto.responses import AsyncStreamedResponse, StreamedResponse


class EventSource:
    """The events of an open response (sync): data only, or Payloads."""

    def __init__(self, response: StreamedResponse[Any], *, data_only: bool) -> None:
        self.response = response
        self._data_only = data_only

    def __iter__(self) -> Iterator[Any]:
        events = self.response.iter_events()
        if not self._data_only:
            return events
        return (payload.data for payload in events)

    def close(self) -> None:
        self.response.close()


class _AsyncData:
    """The ``data`` of each Payload of an async iterator (a class: no finalizer needed)."""

    def __init__(self, events: AsyncIterator[Any]) -> None:
        self._events = events

    def __aiter__(self) -> _AsyncData:
        return self

    async def __anext__(self) -> Any:
        payload = await self._events.__anext__()
        return payload.data


class AsyncEventSource:
    """The events of an open response (async): data only, or Payloads."""

    def __init__(self, response: AsyncStreamedResponse[Any], *, data_only: bool) -> None:
        self.response = response
        self._data_only = data_only

    def __aiter__(self) -> AsyncIterator[Any]:
        events = self.response.aiter_events()
        return _AsyncData(events) if self._data_only else events

    async def aclose(self) -> None:
        await self.response.aclose()


def sync_opener(runner: Any, call: Call[Any], *, data_only: bool) -> Any:
    """A function that performs ``call`` with a sync client and gives its event source."""

    def open_source() -> EventSource:
        return EventSource(runner.stream(call), data_only=data_only)

    return open_source


def async_opener(runner: Any, call: Call[Any], *, data_only: bool) -> Any:
    """A function whose awaitable performs ``call`` with an async client."""

    async def open_source() -> AsyncEventSource:
        return AsyncEventSource(await runner.stream(call), data_only=data_only)

    return open_source


__all__ = ["AsyncEventSource", "EventSource", "async_opener", "sync_opener"]
