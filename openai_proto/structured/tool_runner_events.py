"""What the tool-call flow yields: steps for its driver, and events for the user — pure.

Steps (the driver performs them and sends the answer back into the flow):

==========================  ==================================================================
step                        the driver answers with
==========================  ==================================================================
:class:`RequestCompletion`  the decoded ``ChatCompletion`` of ``call``
:class:`OpenStream`         ``None``, once the streamed response of ``call`` is open
:class:`NextChunk`          the next chunk's JSON value, or :data:`END_OF_STREAM`
:class:`RunTools`           one :data:`ToolOutcome` per invocation, in order
==========================  ==================================================================

Everything else the flow yields is an event for the user: the runner's own
(:data:`RunnerEvent`) and, when streaming, the chat stream's
(:data:`~openai_proto.streams.chat.ChatEvent`: ``chunk``, ``content.delta``, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Union

import attrs

from openai_proto.call import Call
from openai_proto.streams.chat import ChatEvent

if TYPE_CHECKING:
    from openai_proto.types import ChatCompletion

# -- steps ----------------------------------------------------------------------------------


@attrs.frozen
class RequestCompletion:
    """Send ``call``; answer with the decoded completion."""

    call: Call[Any]


@attrs.frozen
class OpenStream:
    """Send ``call`` (a streamed one) and keep the response open; answer ``None``."""

    call: Call[Any]


@attrs.frozen
class NextChunk:
    """Answer with the next chunk of the open stream, or :data:`END_OF_STREAM`."""


class _EndOfStream:
    def __repr__(self) -> str:
        return "END_OF_STREAM"


#: The answer to :class:`NextChunk` once the stream has ended.
END_OF_STREAM: Any = _EndOfStream()


@attrs.frozen
class Invocation:
    """One tool call to perform: ``invoke(arguments)`` (the tool's ``invoke``), awaited if
    it gives an awaitable."""

    tool_call_id: str
    name: str
    invoke: Callable[[Any], Any]
    arguments: Any


@attrs.frozen
class RunTools:
    """Perform the invocations; answer with their outcomes, in the same order."""

    invocations: tuple[Invocation, ...]


@attrs.frozen
class Returned:
    """The tool returned ``value``."""

    value: object


@attrs.frozen
class Raised:
    """The tool raised ``error``."""

    error: Exception


ToolOutcome = Union[Returned, Raised]
Step = Union[RequestCompletion, OpenStream, NextChunk, RunTools]

# -- events ---------------------------------------------------------------------------------

#: How a function tool call went: run and returned (``ok``); not run because the model
#: named a tool the runner does not have, or another tool than the forced ``tool_choice``
#: (``invalid_tool``); not run because its arguments did not parse
#: (``invalid_arguments``); run and raised, or returned what cannot be sent
#: (``tool_error``).
ToolCallStatus = Literal["ok", "invalid_tool", "invalid_arguments", "tool_error"]


@attrs.frozen
class ChatCompletionEvent:
    """A completion arrived (each round; when streaming, once its stream has ended)."""

    type: ClassVar[Literal["chat_completion"]] = "chat_completion"
    completion: ChatCompletion


@attrs.frozen
class MessageEvent:
    """A message was added to the conversation: the assistant's, or a tool result."""

    type: ClassVar[Literal["message"]] = "message"
    message: dict[str, Any]


@attrs.frozen
class ContentEvent:
    """The assistant's message of a round had text content."""

    type: ClassVar[Literal["content"]] = "content"
    content: str


@attrs.frozen
class FunctionToolCallEvent:
    """The model asked for a function call (one event per call, in order)."""

    type: ClassVar[Literal["function_tool_call"]] = "function_tool_call"
    id: str
    name: str
    arguments: str


@attrs.frozen
class FunctionToolCallResultEvent:
    """A function tool call was answered: ``content`` is what the model is sent.

    ``parsed_arguments`` is what the tool was given (``None`` when the arguments did not
    parse), ``result`` what it returned (``None`` unless ``status`` is ``ok``), ``error``
    the exception the parser or the tool raised (``None`` when none did).
    """

    type: ClassVar[Literal["function_tool_call_result"]] = "function_tool_call_result"
    tool_call_id: str
    name: str
    arguments: str
    status: ToolCallStatus
    content: str
    parsed_arguments: Any = None
    result: Any = None
    error: Exception | None = attrs.field(default=None, eq=False)


RunnerEvent = Union[
    ChatCompletionEvent,
    MessageEvent,
    ContentEvent,
    FunctionToolCallEvent,
    FunctionToolCallResultEvent,
]

#: What a streaming runner yields: the runner's events and the chat stream's.
StreamingRunnerEvent = Union[RunnerEvent, ChatEvent]

__all__ = [
    "END_OF_STREAM",
    "ChatCompletionEvent",
    "ContentEvent",
    "FunctionToolCallEvent",
    "FunctionToolCallResultEvent",
    "Invocation",
    "MessageEvent",
    "NextChunk",
    "OpenStream",
    "Raised",
    "RequestCompletion",
    "Returned",
    "RunTools",
    "RunnerEvent",
    "Step",
    "StreamingRunnerEvent",
    "ToolCallStatus",
    "ToolOutcome",
]
