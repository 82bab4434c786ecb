"""``responses`` helpers: ``stream()``.

:class:`ResponsesHelpers` is a base of the generated ``Responses`` resource (see
:mod:`openai_proto.helpers`). ``stream()`` has two forms: the parameters of ``create`` (a
new response), or ``response_id=`` with optional ``starting_after=`` (an existing one,
read again through ``retrieve(stream=True)``).

Resuming: the server can start a stream after a given sequence number, but then the
events that build the response (``response.created``, the output items) are not sent
again. So ``starting_after`` alone replays the stream from its start and hands out only
the events after that number — the snapshot is complete. With ``snapshot=`` (the
``current_snapshot`` of the stream that was cut off) the server is asked to skip those
events, and the snapshot continues from the one given.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, overload

from openai_proto.errors import InvalidRequestError
from openai_proto.helpers._modes import StreamPlan, kind_of
from openai_proto.helpers._sources import async_opener, sync_opener
from openai_proto.resource import Async, AsyncRaw, M, Resource, Sans, Sync, SyncRaw
from openai_proto.sentinels import UNSET, UnsetType

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from openai_proto.call import Call
    from openai_proto.generated.resources.responses import (
        ResponsesResumeParams,
        ResponsesStreamParams,
    )
    from openai_proto.streams.responses import ResponseAccumulator
    from openai_proto.streams.responses_stream import (
        AsyncResponseStreamManager,
        ResponseStreamManager,
    )


def _resume_call(
    response_id: str, starting_after: int | None, snapshot: object, params: dict[str, Any]
) -> tuple[Call[Any], Any]:
    """The retrieve call that resumes a stream, and a maker of its accumulator."""
    from openai_proto.generated.resources.responses import _responses_retrieve_stream
    from openai_proto.streams.responses import ResponseAccumulator

    allowed = inspect.signature(_responses_retrieve_stream).parameters
    mixed = sorted(name for name in params if name not in allowed)
    if mixed:
        raise InvalidRequestError(
            "response_id streams an existing response; it cannot be combined with "
            + ", ".join(mixed)
        )
    if snapshot is None:
        call = _responses_retrieve_stream(response_id, stream=True, **params)
        return call, lambda: ResponseAccumulator(starting_after=starting_after)
    if not isinstance(snapshot, Mapping) or starting_after is None:
        raise InvalidRequestError(
            "snapshot= takes the current_snapshot of the stream that was cut off, "
            "with starting_after= its last sequence number"
        )
    call = _responses_retrieve_stream(
        response_id, stream=True, starting_after=starting_after, **params
    )
    return call, lambda: ResponseAccumulator.resume(snapshot, starting_after=starting_after)


def _number(value: int | UnsetType) -> int | None:
    if isinstance(value, UnsetType):
        return None
    if type(value) is not int:
        raise InvalidRequestError(f"starting_after must be an int, not {type(value).__name__}")
    return value


class ResponsesHelpers(Resource[M]):
    """Hand-written methods of ``responses``."""

    __slots__ = ()

    @overload
    def stream(
        self: ResponsesHelpers[Sans], **params: Unpack[ResponsesStreamParams]
    ) -> StreamPlan[ResponseAccumulator]: ...
    @overload
    def stream(
        self: ResponsesHelpers[Sans],
        *,
        response_id: str,
        starting_after: int | UnsetType = UNSET,
        snapshot: Mapping[str, Any] | None = None,
        **params: Unpack[ResponsesResumeParams],
    ) -> StreamPlan[ResponseAccumulator]: ...
    @overload
    def stream(
        self: ResponsesHelpers[Sync] | ResponsesHelpers[SyncRaw],
        **params: Unpack[ResponsesStreamParams],
    ) -> ResponseStreamManager: ...
    @overload
    def stream(
        self: ResponsesHelpers[Sync] | ResponsesHelpers[SyncRaw],
        *,
        response_id: str,
        starting_after: int | UnsetType = UNSET,
        snapshot: Mapping[str, Any] | None = None,
        **params: Unpack[ResponsesResumeParams],
    ) -> ResponseStreamManager: ...
    @overload
    def stream(
        self: ResponsesHelpers[Async] | ResponsesHelpers[AsyncRaw],
        **params: Unpack[ResponsesStreamParams],
    ) -> AsyncResponseStreamManager: ...
    @overload
    def stream(
        self: ResponsesHelpers[Async] | ResponsesHelpers[AsyncRaw],
        *,
        response_id: str,
        starting_after: int | UnsetType = UNSET,
        snapshot: Mapping[str, Any] | None = None,
        **params: Unpack[ResponsesResumeParams],
    ) -> AsyncResponseStreamManager: ...
    def stream(
        self,
        *,
        response_id: str | UnsetType = UNSET,
        starting_after: int | UnsetType = UNSET,
        snapshot: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> Any:
        """A response streamed through the Responses stream helper.

        On a client: a context manager that sends the request on entry and gives a
        :class:`~openai_proto.streams.responses_stream.ResponseStream` (async: an
        ``AsyncResponseStream``), closing the response on exit. On ``openai_proto.api``:
        a :class:`StreamPlan` whose state is a
        :class:`~openai_proto.streams.responses.ResponseAccumulator`.
        """
        from openai_proto.generated.resources.responses import _responses_create_stream
        from openai_proto.streams.responses import ResponseAccumulator
        from openai_proto.streams.responses_stream import (
            AsyncResponseStreamManager,
            ResponseStreamManager,
        )

        after = _number(starting_after)
        if isinstance(response_id, UnsetType):
            if after is not None or snapshot is not None:
                raise InvalidRequestError(
                    "starting_after and snapshot resume an existing response: give response_id"
                )
            call = _responses_create_stream(stream=True, **params)
            new_state: Any = ResponseAccumulator
        else:
            call, new_state = _resume_call(response_id, after, snapshot, params)
        kind = kind_of(self._runner)
        if kind == "sync":
            opener = sync_opener(self._runner, call, data_only=False)
            return ResponseStreamManager(opener, accumulator=new_state())
        if kind == "async":
            opener = async_opener(self._runner, call, data_only=False)
            return AsyncResponseStreamManager(opener, accumulator=new_state())
        return StreamPlan(call, new_state)


__all__ = ["ResponsesHelpers"]
