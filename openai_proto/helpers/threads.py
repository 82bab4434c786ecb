"""``beta.threads`` helpers: ``create_and_run_stream()``.

:class:`ThreadsHelpers` is a base of the generated ``BetaThreads`` resource (see
:mod:`openai_proto.helpers`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

from openai_proto.helpers._assistants import assistant_stream
from openai_proto.helpers._modes import StreamPlan
from openai_proto.resource import Async, AsyncRaw, M, Resource, Sans, Sync, SyncRaw

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from openai_proto.generated.resources.beta import ThreadsCreateAndRunStreamParams
    from openai_proto.streams.assistants import (  # H, AH: the handler given, sync / async
        AH,
        AssistantAccumulator,
        AssistantEventHandler,
        AssistantStreamManager,
        AsyncAssistantEventHandler,
        AsyncAssistantStreamManager,
        H,
    )


class ThreadsHelpers(Resource[M]):
    """Hand-written methods of ``beta.threads``."""

    __slots__ = ()

    @overload
    def create_and_run_stream(
        self: ThreadsHelpers[Sans], **params: Unpack[ThreadsCreateAndRunStreamParams]
    ) -> StreamPlan[AssistantAccumulator]: ...
    @overload
    def create_and_run_stream(
        self: ThreadsHelpers[Sync] | ThreadsHelpers[SyncRaw],
        *,
        event_handler: None = None,
        **params: Unpack[ThreadsCreateAndRunStreamParams],
    ) -> AssistantStreamManager[AssistantEventHandler]: ...
    @overload
    def create_and_run_stream(
        self: ThreadsHelpers[Sync] | ThreadsHelpers[SyncRaw],
        *,
        event_handler: H,
        **params: Unpack[ThreadsCreateAndRunStreamParams],
    ) -> AssistantStreamManager[H]: ...
    @overload
    def create_and_run_stream(
        self: ThreadsHelpers[Async] | ThreadsHelpers[AsyncRaw],
        *,
        event_handler: None = None,
        **params: Unpack[ThreadsCreateAndRunStreamParams],
    ) -> AsyncAssistantStreamManager[AsyncAssistantEventHandler]: ...
    @overload
    def create_and_run_stream(
        self: ThreadsHelpers[Async] | ThreadsHelpers[AsyncRaw],
        *,
        event_handler: AH,
        **params: Unpack[ThreadsCreateAndRunStreamParams],
    ) -> AsyncAssistantStreamManager[AH]: ...
    def create_and_run_stream(
        self, *, event_handler: Any = None, **params: Unpack[ThreadsCreateAndRunStreamParams]
    ) -> Any:
        """Create a thread and a run in one request and stream the run into an event
        handler (as ``runs.stream()``)."""
        from openai_proto.generated.resources.beta import _beta_threads_create_and_run_stream

        call = _beta_threads_create_and_run_stream(stream=True, **params)
        return assistant_stream(self._runner, call, event_handler)


__all__ = ["ThreadsHelpers"]
