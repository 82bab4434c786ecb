"""The automated tool-call loop, written once as a flow — pure, no IO.

:func:`tool_call_flow` is a generator. It yields steps
(:mod:`~openai_proto.structured.tool_runner_events`: call the model, read a chunk, run
these tools) that a driver performs and answers, and events for the user. Each round:

1. ask the model for a completion with the conversation so far (streamed or not);
2. add the assistant's message to the conversation;
3. if it asked for no tool call, stop (``answered``);
4. answer every tool call, in the order the model made them: parse the arguments and
   run the tool (the driver runs a round's tools concurrently where it can), and add one
   ``{"role": "tool", "tool_call_id": ..., "content": ...}`` message per call;
5. if ``tool_choice`` forced a function and a call of it ran, stop
   (``forced_tool_called``);

for at most ``max_rounds`` rounds (then ``max_rounds``: the last round's tools have run,
and no completion answers them).

A call the runner cannot run is answered too, so the model can recover; the texts it
sends are :data:`UNKNOWN_TOOL`, :data:`NOT_REQUESTED`, :data:`INVALID_ARGUMENTS` and
:data:`TOOL_ERROR` (names JSON-quoted, ``error`` shown as ``Type: message``). The
:class:`~openai_proto.structured.tool_runner_events.FunctionToolCallResultEvent` of such a
call carries the exception, if any.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Generator, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Union

import attrs

from openai_proto.errors import InvalidRequestError, LocalProtocolError, RemoteProtocolError
from openai_proto.structured.tool_runner_events import (
    END_OF_STREAM,
    ChatCompletionEvent,
    ContentEvent,
    FunctionToolCallEvent,
    FunctionToolCallResultEvent,
    Invocation,
    MessageEvent,
    NextChunk,
    OpenStream,
    Raised,
    RequestCompletion,
    RunTools,
    ToolOutcome,
)
from openai_proto.structured.tool_runner_tools import ToolSet, result_text, tool_set

if TYPE_CHECKING:
    from openai_proto.call import Call
    from openai_proto.types import (
        ChatCompletion,
        ChatCompletionMessage,
        ChatCompletionMessageToolCall,
        CompletionUsage,
    )

#: Why a run stopped.
StopReason = Literal["answered", "forced_tool_called", "max_rounds"]

#: The default number of completions a run may ask for.
DEFAULT_MAX_ROUNDS = 10

#: Sent for a call of a tool the runner does not have (``options``: the tools it has).
UNKNOWN_TOOL = "Invalid tool_call: {name}. Available options are: {options}. Please try again"
#: Sent for a call of another tool than the one ``tool_choice`` forces.
NOT_REQUESTED = "Invalid tool_call: {name}. {forced} requested. Please try again"
#: Sent when the arguments did not parse (``error``: what the parser raised).
INVALID_ARGUMENTS = "Invalid arguments for tool_call {name}: {error}. Please try again"
#: Sent when the tool raised, or returned what cannot be sent as JSON.
TOOL_ERROR = "Error running tool_call {name}: {error}"

RunnerFlow = Generator[Any, Any, None]


# -- the plan and the state -----------------------------------------------------------------


@attrs.frozen
class RunPlan:
    """What a run does, checked: create parameters, tools, limits."""

    create_params: Mapping[str, Any]
    tools: ToolSet
    max_rounds: int
    stream: bool
    forced: str | None


class RunState:
    """What a run has done so far; the runners read their accessors from it."""

    def __init__(self, messages: list[Any]) -> None:
        #: The conversation: the messages given, then each one the run added.
        self.messages = messages
        self.completions: list[ChatCompletion] = []
        self.assistant_messages: list[ChatCompletionMessage] = []
        self.results: list[FunctionToolCallResultEvent] = []
        self.stop_reason: StopReason | None = None

    def final_message(self) -> ChatCompletionMessage:
        if not self.assistant_messages:
            raise LocalProtocolError("the run has no assistant message (yet)")
        return self.assistant_messages[-1]

    def final_content(self) -> str | None:
        content = self.final_message().content
        return content if isinstance(content, str) else None

    def final_function_tool_call(self) -> ChatCompletionMessageToolCall | None:
        from openai_proto.types import ChatCompletionMessageToolCall

        for message in reversed(self.assistant_messages):
            calls = message.tool_calls if isinstance(message.tool_calls, list) else []
            functions = [c for c in calls if isinstance(c, ChatCompletionMessageToolCall)]
            if functions:
                return functions[-1]
        return None

    def final_function_tool_call_result(self) -> str | None:
        return self.results[-1].content if self.results else None

    def total_usage(self) -> CompletionUsage:
        from openai_proto.types import CompletionUsage

        usages = [c.usage for c in self.completions if isinstance(c.usage, CompletionUsage)]

        def total(key: str) -> int:
            counts = (getattr(usage, key) for usage in usages)
            return sum(count for count in counts if isinstance(count, int))

        return CompletionUsage(
            completion_tokens=total("completion_tokens"),
            prompt_tokens=total("prompt_tokens"),
            total_tokens=total("total_tokens"),
        )


def make_plan(
    *,
    model: str,
    messages: Iterable[Any],
    tools: Iterable[object],
    max_rounds: int,
    stream: bool,
    create_params: Mapping[str, Any],
) -> tuple[RunPlan, list[Any]]:
    """The checked plan of a run and its first messages; raises on bad arguments."""
    if isinstance(messages, (str, bytes, Mapping)) or not isinstance(messages, Iterable):
        raise InvalidRequestError("messages must be a list of messages")
    if isinstance(max_rounds, bool) or not isinstance(max_rounds, int) or max_rounds < 1:
        raise InvalidRequestError(f"max_rounds must be a positive integer, not {max_rounds!r}")
    toolset = tool_set(tools)
    forced = forced_function(create_params.get("tool_choice"))
    if forced is not None and forced not in toolset.runnable:
        raise InvalidRequestError(f"tool_choice forces {forced!r}, which is not one of the tools")
    plan = RunPlan({**create_params, "model": model}, toolset, max_rounds, bool(stream), forced)
    first = list(messages)
    round_call(plan, first)  # unknown create parameters raise TypeError here, not later
    return plan, first


def forced_function(tool_choice: object) -> str | None:
    """The function a ``tool_choice`` forces (``{"type": "function", "function": {"name"}}``)."""
    from openai_proto.models import Model, unstructure

    if isinstance(tool_choice, Model):
        tool_choice = unstructure(tool_choice)
    if not isinstance(tool_choice, Mapping) or tool_choice.get("type") != "function":
        return None
    function = tool_choice.get("function")
    name = function.get("name") if isinstance(function, Mapping) else None
    return name if isinstance(name, str) else None


def round_call(plan: RunPlan, messages: list[Any]) -> Call[Any]:
    """The ``chat.completions.create`` call of a round, with a copy of the conversation."""
    from openai_proto import api

    params = {**plan.create_params, "messages": list(messages)}
    if plan.tools.params:
        params["tools"] = list(plan.tools.params)
    create: Any = api.chat.completions.create
    return typing.cast(
        "Call[Any]", create(**params, stream=True) if plan.stream else create(**params)
    )


# -- the flow -------------------------------------------------------------------------------


def tool_call_flow(plan: RunPlan, state: RunState) -> RunnerFlow:
    """The loop (see the module doc); records what it does in ``state``."""
    for _ in range(plan.max_rounds):
        call = round_call(plan, state.messages)
        completion, data = yield from (_streamed(call) if plan.stream else _requested(call))
        message = first_message(data)
        yield from _take_completion(state, completion, message)
        calls = message.get("tool_calls")
        if not isinstance(calls, list) or not calls:
            state.stop_reason = "answered"
            return
        answers = yield from _answer_calls(plan, calls)
        yield from _take_answers(state, answers)
        if plan.forced is not None and _forced_call_ran(plan.forced, answers):
            state.stop_reason = "forced_tool_called"
            return
    state.stop_reason = "max_rounds"


def _requested(call: Call[Any]) -> Generator[Any, Any, tuple[Any, Any]]:
    from openai_proto.models import Model, unstructure

    completion = yield RequestCompletion(call)
    return completion, unstructure(completion) if isinstance(completion, Model) else completion


def _streamed(call: Call[Any]) -> Generator[Any, Any, tuple[Any, Any]]:
    from openai_proto.models import structure
    from openai_proto.streams.chat import ChatCompletionStreamState
    from openai_proto.types import ChatCompletion

    stream = ChatCompletionStreamState()
    yield OpenStream(call)
    chunks = 0
    while (chunk := (yield NextChunk())) is not END_OF_STREAM:
        chunks += 1
        yield from stream.handle_chunk(chunk)
    stream.close()
    if not chunks:
        raise RemoteProtocolError("the stream ended before its first chat completion chunk")
    data = stream.get_final_completion()
    return structure(data, ChatCompletion), data


def first_message(completion: Any) -> dict[str, Any]:
    """The message of choice 0 (the runner follows that one), checked."""
    choices = completion.get("choices") if isinstance(completion, dict) else None
    if not isinstance(choices, list) or not choices:
        raise RemoteProtocolError("the chat completion has no choices")
    first = min(choices, key=lambda c: c.get("index", 0) if isinstance(c, dict) else 0)
    message = first.get("message") if isinstance(first, dict) else None
    if not isinstance(message, dict):
        raise RemoteProtocolError("the chat completion's first choice has no message")
    return message


def _take_completion(state: RunState, completion: Any, message: dict[str, Any]) -> RunnerFlow:
    from openai_proto.models import structure
    from openai_proto.types import ChatCompletionMessage

    state.completions.append(completion)
    state.assistant_messages.append(structure(message, ChatCompletionMessage))
    yield ChatCompletionEvent(completion)
    param = assistant_param(message)
    state.messages.append(param)
    yield MessageEvent(param)
    content = message.get("content")
    if isinstance(content, str) and content:
        yield ContentEvent(content)
    for call in param.get("tool_calls", ()):
        function = call.get("function")
        if call.get("type") == "function" and isinstance(function, dict):
            yield FunctionToolCallEvent(
                _text(call.get("id")), _text(function.get("name")), _text(function.get("arguments"))
            )


def assistant_param(message: Mapping[str, Any]) -> dict[str, Any]:
    """The assistant's message as a request message: the fields the API takes back."""
    param: dict[str, Any] = {"role": "assistant", "content": message.get("content")}
    for key in ("refusal", "name", "function_call"):
        if message.get(key) is not None:
            param[key] = message[key]
    audio = message.get("audio")
    if isinstance(audio, dict) and isinstance(audio.get("id"), str):
        param["audio"] = {"id": audio["id"]}
    calls = message.get("tool_calls")
    if isinstance(calls, list) and calls:
        param["tool_calls"] = [_call_param(call) for call in calls]
    return param


def _call_param(call: Any) -> Any:
    if not isinstance(call, dict):
        return call
    clean = {key: value for key, value in call.items() if key != "index"}
    function = clean.get("function")
    if isinstance(function, dict) and "parsed_arguments" in function:
        clean["function"] = {k: v for k, v in function.items() if k != "parsed_arguments"}
    return clean


# -- answering tool calls -------------------------------------------------------------------


@attrs.frozen
class _Pending:
    """A call whose tool is to run."""

    arguments: str
    invocation: Invocation


@attrs.frozen
class _PlainAnswer:
    """The answer to a call that is not a function call (a ``custom`` tool's)."""

    tool_call_id: str
    content: str


_Answer = Union[FunctionToolCallResultEvent, _PlainAnswer]


def _answer_calls(plan: RunPlan, calls: list[Any]) -> Generator[Any, Any, list[_Answer]]:
    prepared = [_prepare(plan, call) for call in calls]
    invocations = tuple(p.invocation for p in prepared if isinstance(p, _Pending))
    outcomes: tuple[ToolOutcome, ...] = (yield RunTools(invocations)) if invocations else ()
    if len(outcomes) != len(invocations):
        raise InvalidRequestError("the driver answered RunTools with the wrong number of outcomes")
    given = iter(outcomes)
    return [_finish(p, next(given)) if isinstance(p, _Pending) else p for p in prepared]


def _prepare(plan: RunPlan, call: Any) -> _Pending | _Answer:
    call = call if isinstance(call, dict) else {}
    call_id = _text(call.get("id"))
    function = call.get("function")
    if call.get("type", "function") != "function" or not isinstance(function, dict):
        name = _custom_name(call)
        return _PlainAnswer(call_id, _unknown_tool_text(plan, name))
    name, arguments = _text(function.get("name")), _text(function.get("arguments"))

    def answer(status: Any, content: str, error: Exception | None = None) -> _Answer:
        return FunctionToolCallResultEvent(call_id, name, arguments, status, content, error=error)

    tool = plan.tools.runnable.get(name)
    if tool is None or tool.function is None:
        return answer("invalid_tool", _unknown_tool_text(plan, name))
    if plan.forced is not None and name != plan.forced:
        text = NOT_REQUESTED.format(name=json.dumps(name), forced=json.dumps(plan.forced))
        return answer("invalid_tool", text)
    try:
        parsed = tool.parse_arguments(arguments)
    except Exception as exc:
        text = INVALID_ARGUMENTS.format(name=json.dumps(name), error=describe(exc))
        return answer("invalid_arguments", text, exc)
    return _Pending(arguments, Invocation(call_id, name, tool.invoke, parsed))


def _finish(pending: _Pending, outcome: ToolOutcome) -> FunctionToolCallResultEvent:
    invocation = pending.invocation
    quoted = json.dumps(invocation.name)
    fields: dict[str, Any] = {
        "tool_call_id": invocation.tool_call_id,
        "name": invocation.name,
        "arguments": pending.arguments,
        "parsed_arguments": invocation.arguments,
    }
    if isinstance(outcome, Raised):
        text = TOOL_ERROR.format(name=quoted, error=describe(outcome.error))
        return FunctionToolCallResultEvent(
            status="tool_error", content=text, error=outcome.error, **fields
        )
    try:
        content = result_text(outcome.value)
    except (TypeError, ValueError, RecursionError) as exc:
        text = TOOL_ERROR.format(name=quoted, error=describe(exc))
        return FunctionToolCallResultEvent(
            status="tool_error", content=text, result=outcome.value, error=exc, **fields
        )
    return FunctionToolCallResultEvent(status="ok", content=content, result=outcome.value, **fields)


def _take_answers(state: RunState, answers: list[_Answer]) -> RunnerFlow:
    for answer in answers:
        message = {"role": "tool", "tool_call_id": answer.tool_call_id, "content": answer.content}
        state.messages.append(message)
        yield MessageEvent(message)
        if isinstance(answer, FunctionToolCallResultEvent):
            state.results.append(answer)
            yield answer


def _forced_call_ran(forced: str, answers: list[_Answer]) -> bool:
    return any(
        isinstance(a, FunctionToolCallResultEvent)
        and a.name == forced
        and a.status in ("ok", "tool_error")
        for a in answers
    )


def _unknown_tool_text(plan: RunPlan, name: str) -> str:
    options = ", ".join(json.dumps(n) for n in plan.tools.names())
    return UNKNOWN_TOOL.format(name=json.dumps(name), options=options)


def _custom_name(call: dict[str, Any]) -> str:
    kind = call.get("type")
    body = call.get(kind) if isinstance(kind, str) else None
    return _text(body.get("name")) if isinstance(body, dict) else ""


def describe(error: BaseException) -> str:
    """``Type: message`` (just ``Type`` when the message is empty)."""
    message = str(error)
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


__all__ = [
    "DEFAULT_MAX_ROUNDS",
    "INVALID_ARGUMENTS",
    "NOT_REQUESTED",
    "TOOL_ERROR",
    "UNKNOWN_TOOL",
    "RunPlan",
    "RunState",
    "RunnerFlow",
    "StopReason",
    "assistant_param",
    "describe",
    "first_message",
    "forced_function",
    "make_plan",
    "round_call",
    "tool_call_flow",
]
