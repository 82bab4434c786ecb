"""Automated function calls: :func:`run_tools`, the Python counterpart of the Node SDK's
``runTools`` helper.

The loop is written once, as a pure flow (:mod:`.tool_runner_flow`); the runners perform
its steps with a client:

* :class:`ChatCompletionRunner` (:mod:`.tool_runner_sync`, a sync client) — an iterator
  of events; a round's tools run one after another, or in up to ``max_concurrency``
  threads.
* :class:`AsyncChatCompletionRunner` (:mod:`.tool_runner_async`, an async client: asyncio
  or trio) — an async iterator of events; a round's tools run concurrently.

Nothing is sent until the runner is iterated or one of its final accessors
(``final_content()``, ...) or ``until_done()`` is called; those run the loop to its end.
See ``docs/tool-runner.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, overload

from openai_proto.client import _AsyncClient, _SyncClient
from openai_proto.errors import InvalidRequestError
from openai_proto.structured.tool_runner_async import (
    AnyAsyncClient,
    AsyncChatCompletionRunner,
    current_async_library,
    run_concurrently,
)
from openai_proto.structured.tool_runner_events import (
    ChatCompletionEvent,
    ContentEvent,
    FunctionToolCallEvent,
    FunctionToolCallResultEvent,
    MessageEvent,
    RunnerEvent,
    StreamingRunnerEvent,
    ToolCallStatus,
)
from openai_proto.structured.tool_runner_flow import (
    DEFAULT_MAX_ROUNDS,
    INVALID_ARGUMENTS,
    NOT_REQUESTED,
    TOOL_ERROR,
    UNKNOWN_TOOL,
    StopReason,
    make_plan,
)
from openai_proto.structured.tool_runner_sync import ChatCompletionRunner, SyncClient
from openai_proto.structured.tool_runner_tools import (
    RunnableFunction,
    RunnableTool,
    runnable_tool,
)

# -- the entry point ------------------------------------------------------------------------


@overload
def run_tools(
    client: SyncClient,
    *,
    model: str,
    messages: Iterable[Any],
    tools: Iterable[object],
    max_rounds: int = ...,
    stream: Literal[False] = ...,
    max_concurrency: int | None = ...,
    **create_params: Any,
) -> ChatCompletionRunner[RunnerEvent]: ...
@overload
def run_tools(
    client: SyncClient,
    *,
    model: str,
    messages: Iterable[Any],
    tools: Iterable[object],
    max_rounds: int = ...,
    stream: bool,
    max_concurrency: int | None = ...,
    **create_params: Any,
) -> ChatCompletionRunner[StreamingRunnerEvent]: ...
@overload
def run_tools(
    client: AnyAsyncClient,
    *,
    model: str,
    messages: Iterable[Any],
    tools: Iterable[object],
    max_rounds: int = ...,
    stream: Literal[False] = ...,
    max_concurrency: int | None = ...,
    **create_params: Any,
) -> AsyncChatCompletionRunner[RunnerEvent]: ...
@overload
def run_tools(
    client: AnyAsyncClient,
    *,
    model: str,
    messages: Iterable[Any],
    tools: Iterable[object],
    max_rounds: int = ...,
    stream: bool,
    max_concurrency: int | None = ...,
    **create_params: Any,
) -> AsyncChatCompletionRunner[StreamingRunnerEvent]: ...
def run_tools(
    client: SyncClient | AnyAsyncClient,
    *,
    model: str,
    messages: Iterable[Any],
    tools: Iterable[object],
    max_rounds: int = DEFAULT_MAX_ROUNDS,
    stream: bool = False,
    max_concurrency: int | None = None,
    **create_params: Any,
) -> ChatCompletionRunner[Any] | AsyncChatCompletionRunner[Any]:
    """Call the model, run the tools it asks for, send the results back, and repeat.

    ``tools``: what :func:`~openai_proto.structured.tools.function_tool` or
    :func:`runnable_tool` make, Node-style dict tools holding their callable, and tools
    of other types (sent as they are). ``max_rounds`` limits the completions asked for;
    ``stream=True`` streams each one (the runner then yields the chat stream's events
    too); ``max_concurrency`` limits how many of a round's tool calls run at once (sync
    default 1: in order, in the calling thread; async default: all of them). Every other
    keyword (``tool_choice``, ``temperature``, ``extra_headers``, ...) goes to each
    ``chat.completions.create`` request. Returns the runner for the client's kind; nothing
    is sent until it is iterated or a final accessor is called.
    """
    plan, first = make_plan(
        model=model,
        messages=messages,
        tools=tools,
        max_rounds=max_rounds,
        stream=stream,
        create_params=create_params,
    )
    if isinstance(client, _AsyncClient):
        return AsyncChatCompletionRunner(client, plan, first, max_concurrency=max_concurrency)
    if isinstance(client, _SyncClient):
        return ChatCompletionRunner(client, plan, first, max_concurrency=max_concurrency)
    raise InvalidRequestError(
        f"run_tools needs an openai_proto client, not {type(client).__name__}"
    )


__all__ = [
    "DEFAULT_MAX_ROUNDS",
    "INVALID_ARGUMENTS",
    "NOT_REQUESTED",
    "TOOL_ERROR",
    "UNKNOWN_TOOL",
    "AsyncChatCompletionRunner",
    "ChatCompletionEvent",
    "ChatCompletionRunner",
    "ContentEvent",
    "FunctionToolCallEvent",
    "FunctionToolCallResultEvent",
    "MessageEvent",
    "RunnableFunction",
    "RunnableTool",
    "RunnerEvent",
    "StopReason",
    "StreamingRunnerEvent",
    "ToolCallStatus",
    "current_async_library",
    "run_concurrently",
    "run_tools",
    "runnable_tool",
]
