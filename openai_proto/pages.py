"""Pages of list endpoints, and the pagers that walk them.

:class:`Page` is what a paged call decodes to — a pure value holding the items and
the page's JSON.  :func:`next_page_call` says how to ask for the page after it (the
four cursor schemes of the API).  :class:`SyncPage` and :class:`AsyncPager` add the
fetching: iterate them to walk every item of every page, lazily.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Generator, Iterator
from typing import Any, Generic, TypeVar

import attrs

from openai_proto.call import Call, Pagination
from openai_proto.errors import LocalProtocolError

T = TypeVar("T")


@attrs.define
class Page(Generic[T]):
    """One page: ``data`` (the items, decoded) and ``raw`` (the page's JSON)."""

    data: list[T]
    raw: Any
    pagination: Pagination = "cursor"

    @property
    def has_more(self) -> bool | None:
        value = self.raw.get("has_more") if isinstance(self.raw, dict) else None
        return value if isinstance(value, bool) else None

    def next_cursor(self) -> str | None:
        """The ``after`` value of the next page, or ``None`` when this is the last one."""
        if self.pagination == "page" or self.has_more is False or not self.data:
            return None
        if self.pagination == "cursor":
            return _text(_field(self.data[-1], "id"))
        key = "last_id" if self.pagination == "conversation_cursor" else "next"
        return _text(self.raw.get(key)) if isinstance(self.raw, dict) else None

    def to_dict(self) -> Any:
        return self.raw

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def _field(item: object, name: str) -> object:
    if isinstance(item, dict):
        return item.get(name)
    return getattr(item, name, None)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def decode_page(data: Any, call: Call[Any]) -> Page[Any]:
    """A page from its JSON; items are decoded as ``call.cast_to``."""
    from openai_proto.decode import cast_value

    items = data.get("data") if isinstance(data, dict) else None
    decoded = [cast_value(item, call.cast_to) for item in items] if isinstance(items, list) else []
    return Page(decoded, data, call.pagination or "page")


def next_page_call(call: Call[Any], page: Page[Any]) -> Call[Any] | None:
    """The call for the page after ``page`` (other filters kept), or ``None``."""
    cursor = page.next_cursor()
    if cursor is None:
        return None
    return attrs.evolve(call, query={**call.query, "after": cursor})


class SyncPage(Generic[T]):
    """A fetched page bound to a client: ``for item in page`` walks all pages lazily."""

    def __init__(self, client: Any, call: Call[Any], page: Page[T]) -> None:
        self._client = client
        self.call = call
        self.page = page

    @property
    def data(self) -> list[T]:
        return self.page.data

    @property
    def has_more(self) -> bool | None:
        return self.page.has_more

    def has_next_page(self) -> bool:
        return next_page_call(self.call, self.page) is not None

    def get_next_page(self) -> SyncPage[T]:
        call = next_page_call(self.call, self.page)
        if call is None:
            raise LocalProtocolError("No next page; check has_next_page() first")
        return SyncPage(self._client, call, self._client.fetch_page(call))

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        current = self
        while True:
            yield current
            if not current.has_next_page():
                return
            current = current.get_next_page()

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.data


class AsyncPager(Generic[T]):
    """An async list call: ``await`` it for the first page, ``async for`` for every item."""

    def __init__(self, client: Any, call: Call[Any]) -> None:
        self._client = client
        self.call = call

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        return self._first().__await__()

    async def _first(self) -> AsyncPage[T]:
        return AsyncPage(self._client, self.call, await self._client.fetch_page(self.call))

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in (await self).iter_pages():
            for item in page.data:
                yield item


class AsyncPage(Generic[T]):
    """A fetched page bound to an async client."""

    def __init__(self, client: Any, call: Call[Any], page: Page[T]) -> None:
        self._client = client
        self.call = call
        self.page = page

    @property
    def data(self) -> list[T]:
        return self.page.data

    @property
    def has_more(self) -> bool | None:
        return self.page.has_more

    def has_next_page(self) -> bool:
        return next_page_call(self.call, self.page) is not None

    def get_next_page(self) -> Awaitable[AsyncPage[T]]:
        call = next_page_call(self.call, self.page)
        if call is None:
            raise LocalProtocolError("No next page; check has_next_page() first")
        return AsyncPager[T](self._client, call)._first()

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        current = self
        while True:
            yield current
            if not current.has_next_page():
                return
            current = await current.get_next_page()

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item
