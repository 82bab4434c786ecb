"""The sync tool runner: performs the flow's steps with a sync client.

A round's tools run one after another in the calling thread, or in up to
``max_concurrency`` threads; async tools are refused.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, Union

from openai_proto.client import Client, RawClient
from openai_proto.errors import InvalidRequestError
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
    from openai_proto.responses import StreamedResponse
    from openai_proto.types import (
        ChatCompletion,
        ChatCompletionMessage,
        ChatCompletionMessageToolCall,
        CompletionUsage,
    )

E = TypeVar("E")
SyncClient = Union[Client, RawClient]


class ChatCompletionRunner(Runner[E]):
    """Runs the tool-call loop over a sync client; iterate it for the events.

    ``E`` is :data:`RunnerEvent`, or :data:`StreamingRunnerEvent` for a streaming run.
    Use it in a ``with`` block (or call :meth:`close`) when you may stop iterating early:
    that closes an open stream.
    """

    def __init__(
        self,
        client: SyncClient,
        plan: RunPlan,
        messages: list[Any],
        *,
        max_concurrency: int | None = None,
    ) -> None:
        super().__init__(plan, messages, max_concurrency)
        for tool in plan.tools.runnable.values():
            if _is_async(tool.function):
                raise InvalidRequestError(
                    f"tool {tool.name!r} is async: run it with an async client"
                )
        self._client = client
        self._response: StreamedResponse[Any] | None = None
        self._chunks: Iterator[Any] | None = None

    def __iter__(self) -> Iterator[E]:
        return self

    def __next__(self) -> E:
        if self._finished:
            raise StopIteration
        try:
            while True:
                item = self._advance()
                perform = _SYNC_STEPS.get(type(item))
                if perform is None:
                    return item  # type: ignore[no-any-return]
                self._answer = perform(self, item)
        except StopIteration:
            self._end(None)
            raise
        except BaseException as exc:
            self._end(run_error(exc))
            raise

    def _end(self, error: Exception | None) -> None:
        self._finished = True
        self._error = error
        self._flow.close()
        self._close_stream()

    def _close_stream(self) -> None:
        response, self._response, self._chunks = self._response, None, None
        if response is not None:
            response.close()

    def close(self) -> None:
        """Stop the run (closing an open stream); the state stays readable."""
        if not self._finished:
            self._end(None)

    def __enter__(self) -> ChatCompletionRunner[E]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- steps --------------------------------------------------------------------------

    def _request(self, step: RequestCompletion) -> Any:
        result = self._client.execute(step.call)
        return result.parse() if isinstance(result, RawResponse) else result

    def _open(self, step: OpenStream) -> None:
        self._response = self._client.stream(step.call)
        self._chunks = (payload.data for payload in self._response.iter_events())

    def _next_chunk(self, _: NextChunk) -> Any:
        assert self._chunks is not None
        chunk = next(self._chunks, END_OF_STREAM)
        if chunk is END_OF_STREAM:
            self._close_stream()
        return chunk

    def _run_tools(self, step: RunTools) -> tuple[ToolOutcome, ...]:
        invocations = step.invocations
        limit = self._max_concurrency or 1
        if limit == 1 or len(invocations) == 1:
            return tuple(_invoke_sync(invocation) for invocation in invocations)
        from concurrent.futures import ThreadPoolExecutor

        workers = min(limit, len(invocations))
        with ThreadPoolExecutor(workers, thread_name_prefix="openai-proto-tool") as pool:
            return tuple(pool.map(_invoke_sync, invocations))

    # -- final accessors (each runs the loop to its end first) --------------------------

    def until_done(self) -> ChatCompletionRunner[E]:
        """Run the loop to its end; raises what stopped it, if anything did."""
        for _ in self:
            pass
        self._checked_state()
        return self

    def final_content(self) -> str | None:
        """The text of the last assistant message (``None`` if it had none)."""
        return self.until_done()._state.final_content()

    def final_message(self) -> ChatCompletionMessage:
        """The last assistant message."""
        return self.until_done()._state.final_message()

    def final_function_tool_call(self) -> ChatCompletionMessageToolCall | None:
        """The last function call the model made (``None`` if it made none)."""
        return self.until_done()._state.final_function_tool_call()

    def final_function_tool_call_result(self) -> str | None:
        """What the last function call was answered with (``None`` if none was made)."""
        return self.until_done()._state.final_function_tool_call_result()

    def final_chat_completion(self) -> ChatCompletion:
        """The last completion."""
        return self.until_done()._state.completions[-1]

    def all_chat_completions(self) -> list[ChatCompletion]:
        """Every completion, in order."""
        return list(self.until_done()._state.completions)

    def all_function_tool_call_results(self) -> list[FunctionToolCallResultEvent]:
        """How each function call was answered, in order (with errors, if any)."""
        return list(self.until_done()._state.results)

    def total_usage(self) -> CompletionUsage:
        """The token counts of every completion added up (those that report usage)."""
        return self.until_done()._state.total_usage()


_SYNC_STEPS: dict[type, Callable[[Any, Any], Any]] = {
    RequestCompletion: ChatCompletionRunner._request,
    OpenStream: ChatCompletionRunner._open,
    NextChunk: ChatCompletionRunner._next_chunk,
    RunTools: ChatCompletionRunner._run_tools,
}


def _invoke_sync(invocation: Invocation) -> ToolOutcome:
    try:
        value = invocation.invoke(invocation.arguments)
    except Exception as exc:
        return Raised(exc)
    if inspect.isawaitable(value):
        close = getattr(value, "close", None)
        if callable(close):
            close()
        raise InvalidRequestError(
            f"tool {invocation.name!r} returned an awaitable: run it with an async client"
        )
    return Returned(value)


def _is_async(function: Callable[..., Any] | None) -> bool:
    return inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(
        getattr(function, "__call__", None)  # noqa: B004  (an object with async __call__)
    )


__all__ = ["ChatCompletionRunner", "SyncClient"]
