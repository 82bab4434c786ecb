"""``beta.threads.runs`` helpers: ``stream()`` and ``submit_tool_outputs_stream()``.

:class:`RunsHelpers` is a base of the generated ``BetaThreadsRuns`` resource (see
:mod:`openai_proto.helpers`). Each method sends its endpoint's ``stream=True`` request,
built by the generated builder, and reads it with an event handler
(:mod:`openai_proto.helpers._assistants`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

from openai_proto.helpers._assistants import assistant_stream
from openai_proto.helpers._modes import StreamPlan
from openai_proto.resource import Async, AsyncRaw, M, Resource, Sans, Sync, SyncRaw

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from openai_proto.generated.resources.beta import (
        RunsStreamParams,
        RunsSubmitToolOutputsStreamParams,
    )
    from openai_proto.streams.assistants import (  # H, AH: the handler given, sync / async
        AH,
        AssistantAccumulator,
        AssistantEventHandler,
        AssistantStreamManager,
        AsyncAssistantEventHandler,
        AsyncAssistantStreamManager,
        H,
    )


class RunsHelpers(Resource[M]):
    """Hand-written methods of ``beta.threads.runs``."""

    __slots__ = ()

    @overload
    def stream(
        self: RunsHelpers[Sans], thread_id: str, **params: Unpack[RunsStreamParams]
    ) -> StreamPlan[AssistantAccumulator]: ...
    @overload
    def stream(
        self: RunsHelpers[Sync] | RunsHelpers[SyncRaw],
        thread_id: str,
        *,
        event_handler: None = None,
        **params: Unpack[RunsStreamParams],
    ) -> AssistantStreamManager[AssistantEventHandler]: ...
    @overload
    def stream(
        self: RunsHelpers[Sync] | RunsHelpers[SyncRaw],
        thread_id: str,
        *,
        event_handler: H,
        **params: Unpack[RunsStreamParams],
    ) -> AssistantStreamManager[H]: ...
    @overload
    def stream(
        self: RunsHelpers[Async] | RunsHelpers[AsyncRaw],
        thread_id: str,
        *,
        event_handler: None = None,
        **params: Unpack[RunsStreamParams],
    ) -> AsyncAssistantStreamManager[AsyncAssistantEventHandler]: ...
    @overload
    def stream(
        self: RunsHelpers[Async] | RunsHelpers[AsyncRaw],
        thread_id: str,
        *,
        event_handler: AH,
        **params: Unpack[RunsStreamParams],
    ) -> AsyncAssistantStreamManager[AH]: ...
    def stream(
        self, thread_id: str, *, event_handler: Any = None, **params: Unpack[RunsStreamParams]
    ) -> Any:
        """Create a run in ``thread_id`` and stream it into an event handler.

        On a client: a context manager that sends the request on entry and gives the
        handler (``event_handler``, or a new ``AssistantEventHandler`` /
        ``AsyncAssistantEventHandler``), closing the response on exit. On
        ``openai_proto.api``: a :class:`StreamPlan` whose state is an
        ``AssistantAccumulator``.
        """
        from openai_proto.generated.resources.beta import _beta_threads_runs_create_stream

        call = _beta_threads_runs_create_stream(thread_id, stream=True, **params)
        return assistant_stream(self._runner, call, event_handler)

    @overload
    def submit_tool_outputs_stream(
        self: RunsHelpers[Sans], run_id: str, **params: Unpack[RunsSubmitToolOutputsStreamParams]
    ) -> StreamPlan[AssistantAccumulator]: ...
    @overload
    def submit_tool_outputs_stream(
        self: RunsHelpers[Sync] | RunsHelpers[SyncRaw],
        run_id: str,
        *,
        event_handler: None = None,
        **params: Unpack[RunsSubmitToolOutputsStreamParams],
    ) -> AssistantStreamManager[AssistantEventHandler]: ...
    @overload
    def submit_tool_outputs_stream(
        self: RunsHelpers[Sync] | RunsHelpers[SyncRaw],
        run_id: str,
        *,
        event_handler: H,
        **params: Unpack[RunsSubmitToolOutputsStreamParams],
    ) -> AssistantStreamManager[H]: ...
    @overload
    def submit_tool_outputs_stream(
        self: RunsHelpers[Async] | RunsHelpers[AsyncRaw],
        run_id: str,
        *,
        event_handler: None = None,
        **params: Unpack[RunsSubmitToolOutputsStreamParams],
    ) -> AsyncAssistantStreamManager[AsyncAssistantEventHandler]: ...
    @overload
    def submit_tool_outputs_stream(
        self: RunsHelpers[Async] | RunsHelpers[AsyncRaw],
        run_id: str,
        *,
        event_handler: AH,
        **params: Unpack[RunsSubmitToolOutputsStreamParams],
    ) -> AsyncAssistantStreamManager[AH]: ...
    def submit_tool_outputs_stream(
        self,
        run_id: str,
        *,
        event_handler: Any = None,
        **params: Unpack[RunsSubmitToolOutputsStreamParams],
    ) -> Any:
        """Submit tool outputs to ``run_id`` and stream the rest of the run into an event
        handler (as :meth:`stream`)."""
        from openai_proto.generated.resources.beta import (
            _beta_threads_runs_submit_tool_outputs_stream,
        )

        call = _beta_threads_runs_submit_tool_outputs_stream(run_id, stream=True, **params)
        return assistant_stream(self._runner, call, event_handler)


__all__ = ["RunsHelpers"]
