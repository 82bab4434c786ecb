"""The async tool runner: performs the flow's steps with an async client (asyncio or trio).

A round's tools run concurrently — ``asyncio.gather`` or a trio nursery, whichever library
is running (found the way ``sniffio`` does, without importing either at import time) —
at most ``max_concurrency`` at once; sync tools are called on the event loop's thread.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Union

from openai_proto.client import AsyncClient, AsyncRawClient
from openai_proto.responses import RawResponse
from openai_proto.structured.tool_runner_base import Runner, run_error
from openai_proto.structured.tool_runner_events import (
    END_OF_STREAM,
    FunctionToolCallResultEvent,
    Invocation,
    NextChunk,
    OpenStream,
    Raised,
    RequestCompletion,
    Returned,
    RunTools,
    ToolOutcome,
)
from openai_proto.structured.tool_runner_flow import RunPlan

if TYPE_CHECKING:
    from openai_proto.responses import AsyncStreamedResponse
    from openai_proto.types import (
        ChatCompletion,
        ChatCompletionMessage,
        ChatCompletionMessageToolCall,
        CompletionUsage,
    )

E = TypeVar("E")
AnyAsyncClient = Union[AsyncClient, AsyncRawClient]


class AsyncChatCompletionRunner(Runner[E]):
    """Runs the tool-call loop over an async client; ``async for`` it for the events.

    Use it in an ``async with`` block (or await :meth:`aclose`) when you may stop
    iterating early: that closes an open stream.
    """

    def __init__(
        self,
        client: AnyAsyncClient,
        plan: RunPlan,
        messages: list[Any],
        *,
        max_concurrency: int | None = None,
    ) -> None:
        super().__init__(plan, messages, max_concurrency)
        self._client = client
        self._response: AsyncStreamedResponse[Any] | None = None
        self._chunks: AsyncIterator[Any] | None = None

    def __aiter__(self) -> AsyncIterator[E]:
        return self

    async def __anext__(self) -> E:
        if self._finished:
            raise StopAsyncIteration
        try:
            while True:
                try:
                    item = self._advance()
                except StopIteration:
                    await self._end(None)
                    raise StopAsyncIteration from None
                perform = _ASYNC_STEPS.get(type(item))
                if perform is None:
                    return item  # type: ignore[no-any-return]
                self._answer = await perform(self, item)
        except StopAsyncIteration:
            raise
        except BaseException as exc:
            await self._end(run_error(exc))
            raise

    async def _end(self, error: Exception | None) -> None:
        self._finished = True
        self._error = error
        self._flow.close()
        await self._close_stream()

    async def _close_stream(self) -> None:
        response, self._response, self._chunks = self._response, None, None
        if response is not None:
            await response.aclose()

    async def aclose(self) -> None:
        """Stop the run (closing an open stream); the state stays readable."""
        if not self._finished:
            await self._end(None)

    async def __aenter__(self) -> AsyncChatCompletionRunner[E]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- steps --------------------------------------------------------------------------

    async def _request(self, step: RequestCompletion) -> Any:
        result = await self._client.execute(step.call)
        return result.parse() if isinstance(result, RawResponse) else result

    async def _open(self, step: OpenStream) -> None:
        self._response = await self._client.stream(step.call)
        self._chunks = self._response.aiter_events()

    async def _next_chunk(self, _: NextChunk) -> Any:
        assert self._chunks is not None
        try:
            payload = await self._chunks.__anext__()
        except StopAsyncIteration:
            await self._close_stream()
            return END_OF_STREAM
        return payload.data

    async def _run_tools(self, step: RunTools) -> tuple[ToolOutcome, ...]:
        invocations = step.invocations
        limit = min(self._max_concurrency or len(invocations), len(invocations))
        if limit <= 1:
            return tuple([await _invoke_async(invocation) for invocation in invocations])
        outcomes: list[ToolOutcome] = [Returned(None)] * len(invocations)
        indexes = iter(range(len(invocations)))

        async def worker() -> None:
            for index in indexes:  # shared: each worker takes the next call
                outcomes[index] = await _invoke_async(invocations[index])

        await run_concurrently([worker] * limit)
        return tuple(outcomes)

    # -- final accessors (each runs the loop to its end first) --------------------------

    async def until_done(self) -> AsyncChatCompletionRunner[E]:
        """Run the loop to its end; raises what stopped it, if anything did."""
        async for _ in self:
            pass
        self._checked_state()
        return self

    async def final_content(self) -> str | None:
        """The text of the last assistant message (``None`` if it had none)."""
        return (await self.until_done())._state.final_content()

    async def final_message(self) -> ChatCompletionMessage:
        """The last assistant message."""
        return (await self.until_done())._state.final_message()

    async def final_function_tool_call(self) -> ChatCompletionMessageToolCall | None:
        """The last function call the model made (``None`` if it made none)."""
        return (await self.until_done())._state.final_function_tool_call()

    async def final_function_tool_call_result(self) -> str | None:
        """What the last function call was answered with (``None`` if none was made)."""
        return (await self.until_done())._state.final_function_tool_call_result()

    async def final_chat_completion(self) -> ChatCompletion:
        """The last completion."""
        return (await self.until_done())._state.completions[-1]

    async def all_chat_completions(self) -> list[ChatCompletion]:
        """Every completion, in order."""
        return list((await self.until_done())._state.completions)

    async def all_function_tool_call_results(self) -> list[FunctionToolCallResultEvent]:
        """How each function call was answered, in order (with errors, if any)."""
        return list((await self.until_done())._state.results)

    async def total_usage(self) -> CompletionUsage:
        """The token counts of every completion added up (those that report usage)."""
        return (await self.until_done())._state.total_usage()


_ASYNC_STEPS: dict[type, Callable[[Any, Any], Awaitable[Any]]] = {
    RequestCompletion: AsyncChatCompletionRunner._request,
    OpenStream: AsyncChatCompletionRunner._open,
    NextChunk: AsyncChatCompletionRunner._next_chunk,
    RunTools: AsyncChatCompletionRunner._run_tools,
}


async def _invoke_async(invocation: Invocation) -> ToolOutcome:
    try:
        value = invocation.invoke(invocation.arguments)
        if inspect.isawaitable(value):
            value = await value
    except Exception as exc:
        return Raised(exc)
    return Returned(value)


def current_async_library() -> Literal["trio", "asyncio"]:
    """``trio`` when running in a trio task, else ``asyncio`` (as ``sniffio`` tells them)."""
    trio = sys.modules.get("trio")
    if trio is not None:
        try:
            trio.lowlevel.current_task()
        except RuntimeError:
            pass
        else:
            return "trio"
    return "asyncio"


async def run_concurrently(jobs: list[Callable[[], Awaitable[None]]]) -> None:
    """Run ``jobs`` at once on the running event loop and wait for all of them."""
    if current_async_library() == "trio":
        import trio

        async with trio.open_nursery() as nursery:
            for job in jobs:
                nursery.start_soon(job)
        return
    import asyncio

    await asyncio.gather(*(job() for job in jobs))


__all__ = [
    "AnyAsyncClient",
    "AsyncChatCompletionRunner",
    "current_async_library",
    "run_concurrently",
]
