"""``chat.completions`` helpers: ``parse()``, ``stream()`` and ``run_tools()``.

:class:`ChatCompletionsHelpers` is a base of the generated ``ChatCompletions`` resource
(see :mod:`openai_proto.helpers`). One method per helper; each builds its request with the
endpoint's generated builder, so it takes exactly the parameters ``create`` takes, with a
wider ``response_format`` (a class, turned into a strict JSON schema) and ``tools`` (also
:class:`~openai_proto.structured.FunctionTool` objects).

| helper | ``openai_proto.api`` | ``Client`` | ``AsyncClient`` |
|---|---|---|---|
| ``parse`` | ``Call[ParsedChatCompletion[T]]`` | ``ParsedChatCompletion[T]`` | awaitable of it |
| ``stream`` | :class:`StreamPlan` | ``ChatCompletionStreamManager[T]`` | the async manager |
| ``run_tools`` | not offered | ``ChatCompletionRunner`` | ``AsyncChatCompletionRunner`` |

``with_raw_response``: ``parse`` gives a ``RawResponse`` whose ``parse()`` is the
``ParsedChatCompletion``; ``stream`` and ``run_tools`` are the same as on the client.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Union, overload

import attrs

from openai_proto.errors import InvalidRequestError
from openai_proto.helpers._modes import StreamPlan, as_json, kind_of
from openai_proto.helpers._sources import async_opener, sync_opener
from openai_proto.resource import Async, AsyncRaw, M, Resource, Sans, Sync, SyncRaw
from openai_proto.sentinels import UNSET, UnsetType

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from typing_extensions import Unpack

    from openai_proto.call import Call
    from openai_proto.generated.models import (
        CreateChatCompletionRequestResponseFormat,
        CreateChatCompletionRequestToolsItem,
    )
    from openai_proto.generated.resources.chat import ChatCompletionsParseParams
    from openai_proto.responses import RawResponse
    from openai_proto.streams.chat import ChatCompletionStreamState
    from openai_proto.streams.chat_stream import (
        AsyncChatCompletionStreamManager,
        ChatCompletionStreamManager,
    )
    from openai_proto.structured.parsed_chat import ParsedChatCompletion
    from openai_proto.structured.tool_runner import (
        AsyncChatCompletionRunner,
        ChatCompletionRunner,
        RunnerEvent,
        StreamingRunnerEvent,
    )
    from openai_proto.structured.tools import FunctionTool

    #: A ``response_format`` given as the API takes it (a class is the other form).
    ResponseFormat = Union[CreateChatCompletionRequestResponseFormat, dict[str, Any], UnsetType]
    #: A tool: a FunctionTool, or a tool as the API takes it.
    ChatTool = Union[FunctionTool[Any], CreateChatCompletionRequestToolsItem, dict[str, Any]]
    Tools = Union[Sequence[ChatTool], UnsetType]

T = TypeVar("T")


def request_response_format(response_format: Any) -> tuple[Any, Any]:
    """What to send as ``response_format``, and what the content is read as.

    The one place a ``response_format`` is interpreted: a class is sent as its strict JSON
    schema (:func:`openai_proto.structured.response_format`, built once per class) and the
    content is parsed into it; a dict or a generated model is sent as it is (JSON formats
    make the content parsed as plain JSON); ``UNSET`` sends nothing and parses nothing.
    """
    if isinstance(response_format, UnsetType):
        return UNSET, None
    if isinstance(response_format, type):
        from openai_proto.structured.schema import response_format as format_param

        return format_param(response_format), response_format
    if response_format is None or isinstance(response_format, (str, bytes)):
        raise InvalidRequestError(
            "response_format must be a class, or a dict such as "
            f'{{"type": "json_schema", "json_schema": {{...}}}}, not {response_format!r}'
        )
    data = as_json(response_format)
    return data, data


def request_tools(tools: Any) -> tuple[Any, list[Any]]:
    """What to send as ``tools``, and the tools the parsers read calls with (FunctionTools
    as they are, generated models as dicts)."""
    if isinstance(tools, UnsetType):
        return UNSET, []
    if isinstance(tools, (str, bytes, Mapping)) or not isinstance(tools, Iterable):
        raise InvalidRequestError(f"tools must be a list of tools, not {type(tools).__name__}")
    from openai_proto.structured.tools import FunctionTool, chat_tools_param

    given = [tool if isinstance(tool, FunctionTool) else as_json(tool) for tool in tools]
    for tool in given:
        if not isinstance(tool, (FunctionTool, Mapping)):
            raise InvalidRequestError(
                f"each tool must be a FunctionTool or a dict, not {type(tool).__name__}"
            )
    return chat_tools_param(given), given


class ChatCompletionsHelpers(Resource[M]):
    """Hand-written methods of ``chat.completions``."""

    __slots__ = ()

    # -- parse -------------------------------------------------------------------------------

    @overload
    def parse(
        self: ChatCompletionsHelpers[Sans],
        *,
        response_format: type[T],
        tools: Tools = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> Call[ParsedChatCompletion[T]]: ...
    @overload
    def parse(
        self: ChatCompletionsHelpers[Sans],
        *,
        response_format: ResponseFormat = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> Call[ParsedChatCompletion[Any]]: ...
    @overload
    def parse(
        self: ChatCompletionsHelpers[Sync],
        *,
        response_format: type[T],
        tools: Tools = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> ParsedChatCompletion[T]: ...
    @overload
    def parse(
        self: ChatCompletionsHelpers[Sync],
        *,
        response_format: ResponseFormat = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> ParsedChatCompletion[Any]: ...
    @overload
    def parse(
        self: ChatCompletionsHelpers[Async],
        *,
        response_format: type[T],
        tools: Tools = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> Awaitable[ParsedChatCompletion[T]]: ...
    @overload
    def parse(
        self: ChatCompletionsHelpers[Async],
        *,
        response_format: ResponseFormat = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> Awaitable[ParsedChatCompletion[Any]]: ...
    @overload
    def parse(
        self: ChatCompletionsHelpers[SyncRaw],
        *,
        response_format: type[T],
        tools: Tools = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> RawResponse[ParsedChatCompletion[T]]: ...
    @overload
    def parse(
        self: ChatCompletionsHelpers[SyncRaw],
        *,
        response_format: ResponseFormat = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> RawResponse[ParsedChatCompletion[Any]]: ...
    @overload
    def parse(
        self: ChatCompletionsHelpers[AsyncRaw],
        *,
        response_format: type[T],
        tools: Tools = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> Awaitable[RawResponse[ParsedChatCompletion[T]]]: ...
    @overload
    def parse(
        self: ChatCompletionsHelpers[AsyncRaw],
        *,
        response_format: ResponseFormat = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> Awaitable[RawResponse[ParsedChatCompletion[Any]]]: ...
    def parse(
        self,
        *,
        response_format: Any = UNSET,
        tools: Any = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> Any:
        """``create(...)`` whose answer comes back parsed: a ``ParsedChatCompletion``.

        ``response_format`` may be a class (attrs, dataclass, TypedDict, pydantic): the
        request carries its strict JSON schema and ``message.parsed`` is an instance of it.
        ``tools`` may hold :class:`~openai_proto.structured.FunctionTool` objects; function
        calls get ``parsed_arguments``. Only strict function tools (and ``custom`` tools)
        are accepted, with the official SDK's messages. A choice that stopped for
        ``length`` / ``content_filter`` raises LengthFinishReasonError /
        ContentFilterFinishReasonError when something was to be parsed. On
        ``openai_proto.api`` it gives the call, whose decoding does the parsing.
        """
        from openai_proto.generated.resources.chat import _chat_completions_create
        from openai_proto.structured.parsing import ChatCompletionParser

        wire_format, parse_format = request_response_format(response_format)
        wire_tools, given_tools = request_tools(tools)
        parser: ChatCompletionParser[Any] = ChatCompletionParser(parse_format, tuple(given_tools))
        call = _chat_completions_create(
            response_format=wire_format, tools=wire_tools, stream=False, **params
        )
        return self._runner.execute(attrs.evolve(call, decode_with=parser))

    # -- stream ------------------------------------------------------------------------------

    @overload
    def stream(
        self: ChatCompletionsHelpers[Sans],
        *,
        response_format: type[Any] | ResponseFormat = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> StreamPlan[ChatCompletionStreamState]: ...
    @overload
    def stream(
        self: ChatCompletionsHelpers[Sync] | ChatCompletionsHelpers[SyncRaw],
        *,
        response_format: type[T],
        tools: Tools = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> ChatCompletionStreamManager[T]: ...
    @overload
    def stream(
        self: ChatCompletionsHelpers[Sync] | ChatCompletionsHelpers[SyncRaw],
        *,
        response_format: ResponseFormat = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> ChatCompletionStreamManager[Any]: ...
    @overload
    def stream(
        self: ChatCompletionsHelpers[Async] | ChatCompletionsHelpers[AsyncRaw],
        *,
        response_format: type[T],
        tools: Tools = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> AsyncChatCompletionStreamManager[T]: ...
    @overload
    def stream(
        self: ChatCompletionsHelpers[Async] | ChatCompletionsHelpers[AsyncRaw],
        *,
        response_format: ResponseFormat = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> AsyncChatCompletionStreamManager[Any]: ...
    def stream(
        self,
        *,
        response_format: Any = UNSET,
        tools: Any = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> Any:
        """``create(stream=True, ...)`` read through the chat stream helper.

        On a client: a context manager that sends the request on entry and gives a
        :class:`~openai_proto.streams.chat_stream.ChatCompletionStream` (async: an
        :class:`~openai_proto.streams.chat_stream.AsyncChatCompletionStream`), closing
        the response on exit. ``response_format`` and ``tools`` are taken as ``parse()``
        takes them: delta events carry the partial JSON (dicts), done events and the final
        ``ParsedChatCompletion`` instances of the class. Non-strict tools are accepted (and
        their arguments left unparsed). On ``openai_proto.api``: a :class:`StreamPlan`
        whose state is a :class:`~openai_proto.streams.chat.ChatCompletionStreamState`.
        """
        from openai_proto.generated.resources.chat import _chat_completions_create_stream
        from openai_proto.streams.chat import ChatCompletionStreamState
        from openai_proto.streams.chat_stream import (
            AsyncChatCompletionStreamManager,
            ChatCompletionStreamManager,
        )
        from openai_proto.structured.parsing import chat_stream_parsers

        wire_format, parse_format = request_response_format(response_format)
        wire_tools, given_tools = request_tools(tools)
        options = {
            **chat_stream_parsers(parse_format, given_tools),
            "response_format": None if isinstance(wire_format, UnsetType) else wire_format,
            "input_tools": None if isinstance(wire_tools, UnsetType) else wire_tools,
        }
        call = _chat_completions_create_stream(
            stream=True, response_format=wire_format, tools=wire_tools, **params
        )
        kind = kind_of(self._runner)
        if kind == "sync":
            return ChatCompletionStreamManager(
                sync_opener(self._runner, call, data_only=True), **options
            )
        if kind == "async":
            return AsyncChatCompletionStreamManager(
                async_opener(self._runner, call, data_only=True), **options
            )
        return StreamPlan(call, lambda: ChatCompletionStreamState(**options))

    # -- run_tools ---------------------------------------------------------------------------

    @overload
    def run_tools(
        self: ChatCompletionsHelpers[Sync] | ChatCompletionsHelpers[SyncRaw],
        *,
        tools: Iterable[object],
        max_rounds: int = ...,
        stream: Literal[False] = ...,
        max_concurrency: int | None = ...,
        response_format: type[Any] | ResponseFormat = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> ChatCompletionRunner[RunnerEvent]: ...
    @overload
    def run_tools(
        self: ChatCompletionsHelpers[Sync] | ChatCompletionsHelpers[SyncRaw],
        *,
        tools: Iterable[object],
        max_rounds: int = ...,
        stream: bool,
        max_concurrency: int | None = ...,
        response_format: type[Any] | ResponseFormat = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> ChatCompletionRunner[StreamingRunnerEvent]: ...
    @overload
    def run_tools(
        self: ChatCompletionsHelpers[Async] | ChatCompletionsHelpers[AsyncRaw],
        *,
        tools: Iterable[object],
        max_rounds: int = ...,
        stream: Literal[False] = ...,
        max_concurrency: int | None = ...,
        response_format: type[Any] | ResponseFormat = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> AsyncChatCompletionRunner[RunnerEvent]: ...
    @overload
    def run_tools(
        self: ChatCompletionsHelpers[Async] | ChatCompletionsHelpers[AsyncRaw],
        *,
        tools: Iterable[object],
        max_rounds: int = ...,
        stream: bool,
        max_concurrency: int | None = ...,
        response_format: type[Any] | ResponseFormat = UNSET,
        **params: Unpack[ChatCompletionsParseParams],
    ) -> AsyncChatCompletionRunner[StreamingRunnerEvent]: ...
    def run_tools(
        self,
        *,
        tools: Iterable[object],
        max_rounds: int = 10,
        stream: bool = False,
        max_concurrency: int | None = None,
        response_format: Any = UNSET,
        **params: Any,
    ) -> Any:
        """The automated tool-call loop on this client:
        :func:`openai_proto.structured.tool_runner.run_tools` with the client filled in
        (see ``docs/tool-runner.md``). ``response_format`` (a class is sent as its strict
        schema) goes to every request, as every other ``create`` parameter does. Not
        offered on ``openai_proto.api``, which has no client to run the loop with: drive
        ``tool_runner_flow.tool_call_flow`` yourself there.
        """
        from openai_proto.structured.tool_runner import run_tools

        if kind_of(self._runner) == "sans":
            raise InvalidRequestError(
                "run_tools needs a client (it sends requests and runs tools); without one, "
                "drive openai_proto.structured.tool_runner_flow.tool_call_flow yourself"
            )
        wire_format, _ = request_response_format(response_format)
        if not isinstance(wire_format, UnsetType):
            params["response_format"] = wire_format
        return run_tools(
            self._runner,
            tools=tools,
            max_rounds=max_rounds,
            stream=stream,
            max_concurrency=max_concurrency,
            **params,
        )


__all__ = ["ChatCompletionsHelpers", "request_response_format", "request_tools"]
