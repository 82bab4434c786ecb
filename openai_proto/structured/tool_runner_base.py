"""What the sync and async tool runners share: the flow, its state, and the checks.

A runner feeds the flow (:func:`~openai_proto.structured.tool_runner_flow.tool_call_flow`)
the answer to its last step and takes the next item; steps it performs with its client,
events it hands to the user.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from openai_proto.errors import InvalidRequestError, LocalProtocolError
from openai_proto.structured.tool_runner_flow import RunPlan, RunState, StopReason, tool_call_flow

E = TypeVar("E")


class Runner(Generic[E]):
    """What both runners share: the flow, the state it records, and the accessors' data."""

    def __init__(self, plan: RunPlan, messages: list[Any], max_concurrency: int | None) -> None:
        if max_concurrency is not None and (
            isinstance(max_concurrency, bool)
            or not isinstance(max_concurrency, int)
            or max_concurrency < 1
        ):
            raise InvalidRequestError(
                f"max_concurrency must be at least 1, not {max_concurrency!r}"
            )
        self._state = RunState(messages)
        self._flow = tool_call_flow(plan, self._state)
        self._answer: Any = None
        self._finished = False
        self._error: Exception | None = None
        self._max_concurrency = max_concurrency

    @property
    def messages(self) -> list[Any]:
        """The conversation: the messages given, then each one the run has added."""
        return self._state.messages

    @property
    def stop_reason(self) -> StopReason | None:
        """Why the run stopped (``None`` while it runs): ``answered``,
        ``forced_tool_called`` or ``max_rounds``."""
        return self._state.stop_reason

    def _advance(self) -> Any:
        """The next item of the flow (a step or an event); StopIteration at its end."""
        answer, self._answer = self._answer, None
        return self._flow.send(answer)

    def _checked_state(self) -> RunState:
        """The state of a finished run; raises what ended it early."""
        if self._error is not None:
            raise self._error
        if self._state.stop_reason is None:
            raise LocalProtocolError("the runner was closed before the run ended")
        return self._state

    def __repr__(self) -> str:
        state = self._state
        return (
            f"<{type(self).__name__} completions={len(state.completions)} "
            f"tool_calls={len(state.results)} stop_reason={state.stop_reason!r}>"
        )


def run_error(error: BaseException) -> Exception | None:
    """What the accessors raise again after ``error`` ended the run: an ``Exception``;
    never a cancellation or an interrupt, which belong to the moment they happened (the
    accessors then say the run did not end)."""
    return error if isinstance(error, Exception) else None


__all__ = ["Runner", "run_error"]
