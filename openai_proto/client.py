"""The drivers: :class:`Client` and :class:`AsyncClient` run flows over a transport.

This is the only module where sync and async differ.  Each driver performs the
steps a flow yields (:mod:`openai_proto.flows`) with its transport and sends the
results back; everything else — building, retrying, decoding — is shared.
"""

from __future__ import annotations

import contextlib
import inspect
import typing
from collections.abc import Mapping
from typing import Any, Generic, Literal, TypeVar

from openai_proto.call import NO_OPTIONS, Call, Options, make_options, raw_call
from openai_proto.config import Config, HeaderValue
from openai_proto.decode import decode
from openai_proto.errors import MissingCredentialsError
from openai_proto.flows import Close, Exchange, Flow, GetKey, Open, Read, Sleep, Step, send
from openai_proto.generated.resources import Resources
from openai_proto.pages import AsyncPager, Page, SyncPage
from openai_proto.resource import Async, AsyncRaw, Sync, SyncRaw
from openai_proto.responses import AsyncStreamedResponse, RawResponse, StreamedResponse
from openai_proto.transport import (
    AsyncOpenResponse,
    AsyncTransport,
    OpenResponse,
    Transport,
    TransportError,
)

T = TypeVar("T")
R = TypeVar("R")
Mode = Literal["parse", "raw"]


def _options_from(options: Mapping[str, Any] | None) -> Options:
    """The familiar ``options={...}`` dict of the raw request API, as :class:`Options`."""
    if not options:
        return NO_OPTIONS
    return make_options(
        extra_headers=options.get("headers"),
        extra_query=options.get("params"),
        extra_body=options.get("extra_json"),
        **{key: options[key] for key in ("timeout", "max_retries") if key in options},
    )


class _Base(Generic[R]):
    """What both drivers share: configuration, mode, and the raw request API."""

    _mode: Mode = "parse"

    def __init__(self, config: Config) -> None:
        self.config = config

    def _copy(self, cls: type[Any] | None = None, **changes: Any) -> Any:
        clone = object.__new__(cls or type(self))
        clone.__dict__.update(self.__dict__)
        clone.__dict__.update(changes)
        return clone

    @property
    def _runner(self) -> Any:
        """The runner of the resource tree (``client.files...``) is the client itself."""
        return self

    def with_options(self, **changes: Any) -> Any:
        """A client sharing this one's transport, with configuration overrides."""
        return self._copy(config=self.config.with_options(**changes))

    @property
    def with_raw_response(self) -> Any:
        """The same client, returning :class:`RawResponse` objects instead of parsed values."""
        return self._copy(_mode="raw")

    def execute(self, call: Call[Any]) -> R:
        raise NotImplementedError

    def _call(
        self,
        method: str,
        path: str,
        *,
        cast_to: Any = object,
        body: object = None,
        files: Mapping[str, object] | None = None,
        content: bytes | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, HeaderValue] | None = None,
        options: Mapping[str, Any] | None = None,
        stream: bool = False,
    ) -> R:
        call = raw_call(
            method,
            path,
            cast_to=cast_to,
            body=body,
            files=files,
            content=content,
            query=query,
            headers=headers,
            stream=stream,
            options=_options_from(options),
        )
        return self.execute(call)

    def get(self, path: str, **kwargs: Any) -> R:
        """``GET path`` relative to the base URL (or an absolute URL)."""
        return self._call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> R:
        return self._call("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> R:
        return self._call("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> R:
        return self._call("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> R:
        return self._call("DELETE", path, **kwargs)


def _check_sync_key(value: object) -> str:
    if inspect.isawaitable(value):
        close = getattr(value, "close", None)
        if callable(close):
            close()
        raise MissingCredentialsError("An async api_key provider needs an async client")
    if not isinstance(value, str):
        raise MissingCredentialsError("The api_key provider must return a string")
    return value


_S = TypeVar("_S", bound="_SyncClient")
_A = TypeVar("_A", bound="_AsyncClient")


class _SyncClient(_Base[Any]):
    """Runs calls over a sync :class:`~openai_proto.transport.Transport`."""

    def __init__(self, transport: Transport, config: Config | None = None, **given: Any) -> None:
        super().__init__(config if config is not None else Config.from_env(**given))
        self.transport = transport

    def execute(self, call: Call[Any]) -> Any:
        """Perform ``call``: a value, a :class:`RawResponse`, a page, or an open stream."""
        if call.streams:
            return self.stream(call)
        exchange = self.run(send(self.config, call, binding=self.transport.binding_name))
        if self._mode == "raw":
            return RawResponse(call, exchange)
        result = decode(call, exchange.response, exchange.request)
        return SyncPage(self, call, result) if call.pagination else result

    def fetch_page(self, call: Call[Any]) -> Page[Any]:
        """One page of a paged call."""
        exchange = self.run(send(self.config, call, binding=self.transport.binding_name))
        return typing.cast(Page[Any], decode(call, exchange.response, exchange.request))

    def stream(self, call: Call[Any]) -> StreamedResponse[Any]:
        """Perform ``call`` and hand back its response still open."""
        flow = send(self.config, call, binding=self.transport.binding_name, stream=True)
        holder: list[OpenResponse] = []
        exchange = self.run(flow, holder)
        return StreamedResponse(call, exchange, holder[0])

    def run(self, flow: Flow[T], keep_open: list[OpenResponse] | None = None) -> T:
        """Drive ``flow`` to its end.  With ``keep_open``, the last response stays open
        and is appended to that list; otherwise every response is closed."""
        current: OpenResponse | None = None
        value: Any = None
        error: TransportError | None = None
        try:
            while True:
                try:
                    step = flow.send(value) if error is None else flow.throw(error)
                except StopIteration as stop:
                    if keep_open is not None and current is not None:
                        keep_open.append(current)
                        current = None
                    return stop.value  # type: ignore[no-any-return]
                error = None
                try:
                    # Opening and reading, the steps of every call, are performed here
                    # directly; the others in _perform.
                    if isinstance(step, Open):
                        if current is not None:
                            _close_quietly(current)
                            current = None
                        current = self.transport.open(step.request)
                        value = current.head
                    elif isinstance(step, Read):
                        assert current is not None
                        value, current = _read_all(current), None
                    else:
                        value, current = self._perform(step, current)
                except TransportError as exc:
                    value, error = None, exc
                    _close_quietly(current)
                    current = None
        finally:
            flow.close()
            if current is not None:
                _close_quietly(current)

    def _perform(self, step: Step, current: OpenResponse | None) -> tuple[Any, OpenResponse | None]:
        """A step other than Open and Read (which :meth:`run` performs itself)."""
        if isinstance(step, Close):
            _close_quietly(current)
            return None, None
        if isinstance(step, Sleep):
            self.transport.sleep(step.seconds)
            return None, current
        assert isinstance(step, GetKey)
        provider = self.config.key_provider
        assert provider is not None
        return _check_sync_key(provider()), current

    def close(self) -> None:
        self.transport.close()

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _read_all(response: OpenResponse) -> bytes:
    """The rest of the body; the response is closed here, whatever happens."""
    try:
        return b"".join(response.iter_bytes())
    finally:
        response.close()


def _close_quietly(response: OpenResponse | None) -> None:
    if response is not None:
        with contextlib.suppress(TransportError):
            response.close()


class _AsyncClient(_Base[Any]):
    """Runs calls over an :class:`~openai_proto.transport.AsyncTransport`.

    Every method of the raw API returns an awaitable.
    """

    def __init__(
        self, transport: AsyncTransport, config: Config | None = None, **given: Any
    ) -> None:
        super().__init__(config if config is not None else Config.from_env(**given))
        self.transport = transport

    def execute(self, call: Call[Any]) -> Any:
        """An awaitable of what ``call`` gives, or an :class:`AsyncPager` for paged calls."""
        if call.pagination is not None and self._mode == "parse":
            return AsyncPager(self, call)
        return self._execute(call)

    async def _execute(self, call: Call[Any]) -> Any:
        if call.streams:
            return await self.stream(call)
        exchange = await self.run(send(self.config, call, binding=self.transport.binding_name))
        if self._mode == "raw":
            return RawResponse(call, exchange)
        return decode(call, exchange.response, exchange.request)

    async def fetch_page(self, call: Call[Any]) -> Page[Any]:
        exchange = await self.run(send(self.config, call, binding=self.transport.binding_name))
        return typing.cast(Page[Any], decode(call, exchange.response, exchange.request))

    async def stream(self, call: Call[Any]) -> AsyncStreamedResponse[Any]:
        flow = send(self.config, call, binding=self.transport.binding_name, stream=True)
        holder: list[AsyncOpenResponse] = []
        exchange: Exchange = await self.run(flow, holder)
        return AsyncStreamedResponse(call, exchange, holder[0])

    async def run(self, flow: Flow[T], keep_open: list[AsyncOpenResponse] | None = None) -> T:
        current: AsyncOpenResponse | None = None
        value: Any = None
        error: TransportError | None = None
        try:
            while True:
                try:
                    step = flow.send(value) if error is None else flow.throw(error)
                except StopIteration as stop:
                    if keep_open is not None and current is not None:
                        keep_open.append(current)
                        current = None
                    return stop.value  # type: ignore[no-any-return]
                error = None
                try:
                    # Opening and reading, the steps of every call, are awaited here
                    # directly; the others in _perform.
                    if isinstance(step, Open):
                        if current is not None:
                            await _aclose_quietly(current)
                            current = None
                        current = await self.transport.open(step.request)
                        value = current.head
                    elif isinstance(step, Read):
                        assert current is not None
                        value, current = await _aread_all(current), None
                    else:
                        value, current = await self._perform(step, current)
                except TransportError as exc:
                    value, error = None, exc
                    await _aclose_quietly(current)
                    current = None
        finally:
            flow.close()
            if current is not None:
                await _aclose_quietly(current)

    async def _perform(
        self, step: Step, current: AsyncOpenResponse | None
    ) -> tuple[Any, AsyncOpenResponse | None]:
        """A step other than Open and Read (which :meth:`run` awaits itself)."""
        if isinstance(step, Close):
            await _aclose_quietly(current)
            return None, None
        if isinstance(step, Sleep):
            await self.transport.sleep(step.seconds)
            return None, current
        assert isinstance(step, GetKey)
        provider = self.config.key_provider
        assert provider is not None
        key = provider()
        if inspect.isawaitable(key):
            key = await key
        if not isinstance(key, str):
            raise MissingCredentialsError("The api_key provider must return a string")
        return key, current

    async def close(self) -> None:
        await self.transport.aclose()

    async def __aenter__(self: _A) -> _A:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


async def _aread_all(response: AsyncOpenResponse) -> bytes:
    """The rest of the body; the response is closed here, whatever happens."""
    chunks: list[bytes] = []
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
    finally:
        await response.aclose()
    return b"".join(chunks)


async def _aclose_quietly(response: AsyncOpenResponse | None) -> None:
    if response is not None:
        with contextlib.suppress(TransportError):
            await response.aclose()


class Client(_SyncClient, Resources[Sync]):
    """The sync client: ``client.files.retrieve(...)`` returns the decoded result."""

    @property
    def with_raw_response(self) -> RawClient:
        """The same client, returning :class:`RawResponse` objects instead of parsed values."""
        return typing.cast(RawClient, self._copy(RawClient))


class RawClient(_SyncClient, Resources[SyncRaw]):
    """A :class:`Client` whose calls return :class:`RawResponse` objects."""

    _mode: Mode = "raw"


class AsyncClient(_AsyncClient, Resources[Async]):
    """The async client: ``await client.files.retrieve(...)`` gives the decoded result."""

    @property
    def with_raw_response(self) -> AsyncRawClient:
        """The same client, returning :class:`RawResponse` objects instead of parsed values."""
        return typing.cast(AsyncRawClient, self._copy(AsyncRawClient))


class AsyncRawClient(_AsyncClient, Resources[AsyncRaw]):
    """An :class:`AsyncClient` whose calls return :class:`RawResponse` objects."""

    _mode: Mode = "raw"


__all__ = ["AsyncClient", "AsyncRawClient", "Client", "RawClient"]
