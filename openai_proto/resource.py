"""The runtime of the generated resource tree: every endpoint is defined once.

A generated resource is a class ``Files(Resource[M])`` whose endpoints are
descriptors wrapping one *builder* — a plain function that returns a
:class:`~openai_proto.call.Call`.  The mode ``M`` of the resource decides what a
method call gives back, with exact static types from that single definition:

===============  =============================  ======================================
mode             bound to                       ``files.retrieve(...)`` returns
===============  =============================  ======================================
:class:`Sans`    nothing (``openai_proto.api``)  ``Call[FileObject]``
:class:`Sync`    a :class:`Client`               ``FileObject``
:class:`Async`   an :class:`AsyncClient`         ``Awaitable[FileObject]``
:class:`SyncRaw`   ``client.with_raw_response``  ``RawResponse[FileObject]``
:class:`AsyncRaw`  the async equivalent          ``Awaitable[RawResponse[FileObject]]``
===============  =============================  ======================================

Three descriptors cover every endpoint: :class:`endpoint` (one result type),
:class:`streaming_endpoint` (``stream=True`` gives an event stream) and
:class:`paged_endpoint` (list endpoints that return pages).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, overload

from openai_proto.call import Call

if TYPE_CHECKING:
    from openai_proto.pages import AsyncPager, Page, SyncPage
    from openai_proto.responses import AsyncStream, RawResponse, Stream

P = ParamSpec("P")
Q = ParamSpec("Q")
T = TypeVar("T")
E = TypeVar("E")
I = TypeVar("I")  # noqa: E741
R = TypeVar("R")


class Mode:
    """What calling an endpoint does; see the module docstring."""


class Sans(Mode):
    pass


class Sync(Mode):
    pass


class Async(Mode):
    pass


class SyncRaw(Mode):
    pass


class AsyncRaw(Mode):
    pass


M = TypeVar("M", bound=Mode)


class Runner:
    """Turns a call into what the mode promises; :class:`Sans` runners return it as is."""

    def execute(self, call: Call[Any]) -> Any:
        return call


SANS = Runner()


class Resource(Generic[M]):
    """A node of the resource tree, bound to a runner (a client, or :data:`SANS`).

    A node makes each child resource and each bound endpoint method once and keeps it
    (in ``_memo``), so ``client.chat.completions.create`` costs a few dictionary
    lookups.  A copy of a client (``with_options``) starts with an empty memo.
    """

    __slots__ = ("_memo", "_runner")

    def __init__(self, runner: Any = SANS) -> None:
        self._runner = runner
        self._memo: dict[object, Any] = {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} resource>"

    def _child(self, make: Callable[[Any], R]) -> R:
        """The child resource ``make(runner)``, made on first use and then kept."""
        try:
            return self._memo[make]  # type: ignore[no-any-return]
        except (AttributeError, KeyError):
            return _remember(self, make, make(self._runner))


def _remember(resource: Resource[Any], key: object, value: R) -> R:
    """Keep ``value`` in the memo of ``resource`` under ``key``; return it."""
    try:
        memo = resource._memo
    except AttributeError:  # a client (or a copy of one): its own __init__ ran, not ours
        memo = resource._memo = {}
    memo[key] = value
    return value


def _bind(runner: Any, build: Callable[..., Call[Any]]) -> Callable[..., Any]:
    def bound(*args: Any, **kwargs: Any) -> Any:
        return runner.execute(build(*args, **kwargs))

    bound.__name__ = build.__name__
    bound.__doc__ = build.__doc__
    return bound


def _bind_streaming(
    runner: Any, build: Callable[..., Call[Any]], build_stream: Callable[..., Call[Any]]
) -> Callable[..., Any]:
    def bound(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("stream") is True:
            return runner.execute(build_stream(*args, **kwargs))
        return runner.execute(build(*args, **kwargs))

    bound.__name__ = build.__name__
    bound.__doc__ = build.__doc__
    return bound


class endpoint(Generic[P, T]):
    """An endpoint with one result type ``T``."""

    def __init__(self, build: Callable[P, Call[T]]) -> None:
        self.build = build
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, obj: Resource[Sans], owner: Any) -> Callable[P, Call[T]]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: Any) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: Any) -> Callable[P, Awaitable[T]]: ...
    @overload
    def __get__(self, obj: Resource[SyncRaw], owner: Any) -> Callable[P, RawResponse[T]]: ...
    @overload
    def __get__(
        self, obj: Resource[AsyncRaw], owner: Any
    ) -> Callable[P, Awaitable[RawResponse[T]]]: ...
    @overload
    def __get__(self, obj: None, owner: Any) -> endpoint[P, T]: ...
    def __get__(self, obj: Resource[Any] | None, owner: Any) -> Any:
        if obj is None:
            return self
        try:
            return obj._memo[self]
        except (AttributeError, KeyError):
            return _remember(obj, self, _bind(obj._runner, self.build))


class StreamingMethod(Generic[P, T, Q, E]):
    """What a :class:`streaming_endpoint` gives on a resource (typing only)."""

    if TYPE_CHECKING:

        @overload
        def __call__(self, *args: Q.args, **kwargs: Q.kwargs) -> E: ...
        @overload
        def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T: ...
        def __call__(self, *args: Any, **kwargs: Any) -> Any: ...


class streaming_endpoint(Generic[P, T, Q, E]):
    """An endpoint whose ``stream=True`` form answers with an event stream of ``E``.

    ``build`` makes the plain call; ``build_stream`` the streamed one (its ``stream``
    parameter is ``Literal[True]``).  Which one runs is decided by ``stream=True``.
    """

    def __init__(
        self, build: Callable[P, Call[T]], build_stream: Callable[Q, Call[Stream[E]]]
    ) -> None:
        self.build = build
        self.build_stream = build_stream
        self.__doc__ = build.__doc__

    @overload
    def __get__(
        self, obj: Resource[Sans], owner: Any
    ) -> StreamingMethod[P, Call[T], Q, Call[Stream[E]]]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: Any) -> StreamingMethod[P, T, Q, Stream[E]]: ...
    @overload
    def __get__(
        self, obj: Resource[Async], owner: Any
    ) -> StreamingMethod[P, Awaitable[T], Q, Awaitable[AsyncStream[E]]]: ...
    @overload
    def __get__(
        self, obj: Resource[SyncRaw], owner: Any
    ) -> StreamingMethod[P, RawResponse[T], Q, Stream[E]]: ...
    @overload
    def __get__(
        self, obj: Resource[AsyncRaw], owner: Any
    ) -> StreamingMethod[P, Awaitable[RawResponse[T]], Q, Awaitable[AsyncStream[E]]]: ...
    @overload
    def __get__(self, obj: None, owner: Any) -> streaming_endpoint[P, T, Q, E]: ...
    def __get__(self, obj: Resource[Any] | None, owner: Any) -> Any:
        if obj is None:
            return self
        try:
            return obj._memo[self]
        except (AttributeError, KeyError):
            bound = _bind_streaming(obj._runner, self.build, self.build_stream)
            return _remember(obj, self, bound)


class paged_endpoint(Generic[P, I]):
    """A list endpoint: pages of ``I`` that fetch the next page on demand."""

    def __init__(self, build: Callable[P, Call[Page[I]]]) -> None:
        self.build = build
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, obj: Resource[Sans], owner: Any) -> Callable[P, Call[Page[I]]]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: Any) -> Callable[P, SyncPage[I]]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: Any) -> Callable[P, AsyncPager[I]]: ...
    @overload
    def __get__(self, obj: Resource[SyncRaw], owner: Any) -> Callable[P, RawResponse[Page[I]]]: ...
    @overload
    def __get__(
        self, obj: Resource[AsyncRaw], owner: Any
    ) -> Callable[P, Awaitable[RawResponse[Page[I]]]]: ...
    @overload
    def __get__(self, obj: None, owner: Any) -> paged_endpoint[P, I]: ...
    def __get__(self, obj: Resource[Any] | None, owner: Any) -> Any:
        if obj is None:
            return self
        try:
            return obj._memo[self]
        except (AttributeError, KeyError):
            return _remember(obj, self, _bind(obj._runner, self.build))
