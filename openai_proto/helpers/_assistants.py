"""What the Assistants stream helpers share: the stream manager for a call, per mode.

Every Assistants stream (``runs.stream``, ``runs.submit_tool_outputs_stream``,
``threads.create_and_run_stream``) is read the same way: the events, with their names,
drive an event handler — the one given as ``event_handler=``, else a new
:class:`~openai_proto.streams.assistants.AssistantEventHandler` (async: an
``AsyncAssistantEventHandler``) — and ``with`` gives that handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openai_proto.errors import InvalidRequestError
from openai_proto.helpers._modes import StreamPlan, kind_of
from openai_proto.helpers._sources import async_opener, sync_opener

if TYPE_CHECKING:
    from openai_proto.call import Call


def assistant_stream(runner: object, call: Call[Any], event_handler: object) -> Any:
    """An (async) assistant stream manager for ``call``, or a plan without a client."""
    from openai_proto.streams.assistants import (
        AssistantAccumulator,
        AssistantEventHandler,
        AssistantStreamManager,
        AsyncAssistantEventHandler,
        AsyncAssistantStreamManager,
    )

    kind = kind_of(runner)
    expected: Any = {"sync": AssistantEventHandler, "async": AsyncAssistantEventHandler}.get(kind)
    if event_handler is not None and (expected is None or not isinstance(event_handler, expected)):
        wanted = "no event_handler" if expected is None else f"an {expected.__name__}"
        raise InvalidRequestError(
            f"this {kind} helper takes {wanted}, not {type(event_handler).__name__}"
        )
    if kind == "sync":
        opener = sync_opener(runner, call, data_only=False)
        return AssistantStreamManager(opener, event_handler=event_handler)
    if kind == "async":
        return AsyncAssistantStreamManager(
            async_opener(runner, call, data_only=False), event_handler=event_handler
        )
    return StreamPlan(call, AssistantAccumulator)


__all__ = ["assistant_stream"]
