"""``responses`` helpers: ``parse()`` and ``stream()``.

:class:`ResponsesHelpers` is a base of the generated ``Responses`` resource (see
:mod:`openai_proto.helpers`).

``parse(text_format=T, tools=[...], **create params)`` sends ``create``'s request with
``text.format`` the strict JSON schema of ``T`` (merged into any ``text`` given) and the
tools in the Responses shape (:class:`~openai_proto.structured.FunctionTool` values and
Chat-shaped function dicts converted), and decodes the answer into a
``ParsedResponse[T]`` (:class:`~openai_proto.structured.response_parser.ResponseParser`).

``stream()`` has two forms: the parameters of ``create`` (a new response), or
``response_id=`` with optional ``starting_after=`` (an existing one, read again through
``retrieve(stream=True)``). Both take ``text_format=`` and ``tools=`` as ``parse()`` does:
delta events then carry partial ``parsed`` values, done events the parsed ones, and the
final response is a ``ParsedResponse[T]`` (``ParsedResponse[None]`` without a format).

Resuming: the server can start a stream after a given sequence number, but then the
events that build the response (``response.created``, the output items) are not sent
again. So ``starting_after`` alone replays the stream from its start and hands out only
the events after that number — the snapshot is complete. With ``snapshot=`` (the
``current_snapshot`` of the stream that was cut off) the server is asked to skip those
events, and the snapshot continues from the one given.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Union, overload

from openai_proto.errors import InvalidRequestError
from openai_proto.helpers._modes import StreamPlan, as_json, kind_of
from openai_proto.helpers._sources import async_opener, sync_opener
from openai_proto.resource import Async, AsyncRaw, M, Resource, Sans, Sync, SyncRaw
from openai_proto.sentinels import UNSET, UnsetType

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from openai_proto.call import Call
    from openai_proto.generated.models import Tool
    from openai_proto.generated.resources.responses import (
        ResponsesParseParams,
        ResponsesResumeParams,
    )
    from openai_proto.responses import RawResponse
    from openai_proto.streams.responses import ResponseAccumulator
    from openai_proto.streams.responses_stream import (
        AsyncResponseStreamManager,
        ResponseStreamManager,
    )
    from openai_proto.structured import FunctionTool, ParsedResponse
    from openai_proto.structured.response_parser import ResponseParser

#: The ``text_format`` type: what ``output_parsed`` is (``None`` when no format is given).
#: (A TypeVar default needs ``typing_extensions``, which is not a run-time dependency.)
if TYPE_CHECKING:
    from typing_extensions import TypeVar

    TF = TypeVar("TF", default=None)
else:
    TF = typing.TypeVar("TF")

#: What ``tools=`` takes: FunctionTools, generated ``Tool`` models, or tool dicts.
ResponsesTool = Union["FunctionTool[Any]", "Tool", Mapping[str, Any]]
Tools = Union[Iterable[ResponsesTool], UnsetType]


def _tool_list(tools: Any) -> list[Any]:
    """The tools given, FunctionTools kept and everything else as a dict."""
    from openai_proto.structured import FunctionTool

    if isinstance(tools, UnsetType) or tools is None:
        return []
    if isinstance(tools, (str, bytes, Mapping)) or not isinstance(tools, Iterable):
        raise InvalidRequestError(f"tools must be a list of tools, not {type(tools).__name__}")
    found = []
    for given in tools:
        tool = as_json(given)
        if not isinstance(tool, (FunctionTool, Mapping)):
            raise InvalidRequestError(
                "each tool must be a FunctionTool, a tool model or a dict, "
                f"not {type(tool).__name__}"
            )
        found.append(tool)
    return found


def _format_type(text_format: Any) -> Any:
    """``text_format`` checked: a class (``None`` when not given)."""
    if isinstance(text_format, UnsetType) or text_format is None:
        return None
    if isinstance(text_format, Mapping):
        raise InvalidRequestError(
            "text_format takes a class (attrs, dataclass, TypedDict, pydantic); "
            'give a JSON schema format as text={"format": {...}} instead'
        )
    return text_format


def parser_for(text_format: Any, tools: Any) -> tuple[ResponseParser[Any], list[Any]]:
    """The parser of a ``parse``/``stream`` call, and its tools as given (checked)."""
    from openai_proto.structured.response_parser import ResponseParser

    tool_list = _tool_list(tools)
    return ResponseParser(_format_type(text_format), tuple(tool_list)), tool_list


def request_params(
    params: Mapping[str, Any], parser: ResponseParser[Any], tools: list[Any] | None
) -> dict[str, Any]:
    """``create``'s keyword arguments: ``text.format`` from the parser's ``text_format``
    merged into the ``text`` given, and ``tools`` in the Responses shape."""
    from openai_proto.structured import responses_tools_param
    from openai_proto.structured import text_format as text_format_param

    found = dict(params)
    if parser.text_format is not None:
        text = as_json(found.get("text", UNSET))
        if isinstance(text, UnsetType) or text is None:
            text = {}
        if not isinstance(text, Mapping):
            raise InvalidRequestError(f"text must be a dict, not {type(text).__name__}")
        if "format" in text:
            raise InvalidRequestError("Cannot mix and match text.format with text_format")
        found["text"] = {**text, "format": text_format_param(parser.text_format)}
    if tools is not None:
        found["tools"] = responses_tools_param(tools)
    return found


def accumulator_options(parser: ResponseParser[Any]) -> dict[str, Any]:
    """The keyword arguments of a ``ResponseAccumulator`` that parses as ``parser`` does."""
    from openai_proto.streams.response_events import Decoded

    return {
        "parse_text": parser.read_text,
        "partial_text": parser.read_text is not None,
        "parse_arguments": parser.arguments_parsers,
        "decode_final": Decoded(parser),
    }


def _resume_call(
    response_id: str,
    starting_after: int | None,
    snapshot: object,
    params: dict[str, Any],
    options: dict[str, Any],
) -> tuple[Call[Any], Any]:
    """The retrieve call that resumes a stream, and a maker of its accumulator."""
    from openai_proto.generated.resources.responses import _responses_retrieve_stream
    from openai_proto.streams.responses import ResponseAccumulator

    allowed = inspect.signature(_responses_retrieve_stream).parameters
    mixed = sorted(name for name in params if name not in allowed)
    if mixed:
        raise InvalidRequestError(
            "response_id streams an existing response; it cannot be combined with "
            + ", ".join(mixed)
        )
    if snapshot is None:
        call = _responses_retrieve_stream(response_id, stream=True, **params)
        return call, lambda: ResponseAccumulator(starting_after=starting_after, **options)
    if not isinstance(snapshot, Mapping) or starting_after is None:
        raise InvalidRequestError(
            "snapshot= takes the current_snapshot of the stream that was cut off, "
            "with starting_after= its last sequence number"
        )
    call = _responses_retrieve_stream(
        response_id, stream=True, starting_after=starting_after, **params
    )
    return call, lambda: ResponseAccumulator.resume(
        snapshot, starting_after=starting_after, **options
    )


def _number(value: int | UnsetType) -> int | None:
    if isinstance(value, UnsetType):
        return None
    if type(value) is not int:
        raise InvalidRequestError(f"starting_after must be an int, not {type(value).__name__}")
    return value


class ResponsesHelpers(Resource[M]):
    """Hand-written methods of ``responses``."""

    __slots__ = ()

    @overload
    def parse(
        self: ResponsesHelpers[Sans],
        *,
        text_format: type[TF] | UnsetType = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ResponsesParseParams],
    ) -> Call[ParsedResponse[TF]]: ...
    @overload
    def parse(
        self: ResponsesHelpers[Sync],
        *,
        text_format: type[TF] | UnsetType = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ResponsesParseParams],
    ) -> ParsedResponse[TF]: ...
    @overload
    def parse(
        self: ResponsesHelpers[Async],
        *,
        text_format: type[TF] | UnsetType = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ResponsesParseParams],
    ) -> Awaitable[ParsedResponse[TF]]: ...
    @overload
    def parse(
        self: ResponsesHelpers[SyncRaw],
        *,
        text_format: type[TF] | UnsetType = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ResponsesParseParams],
    ) -> RawResponse[ParsedResponse[TF]]: ...
    @overload
    def parse(
        self: ResponsesHelpers[AsyncRaw],
        *,
        text_format: type[TF] | UnsetType = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ResponsesParseParams],
    ) -> Awaitable[RawResponse[ParsedResponse[TF]]]: ...
    def parse(
        self,
        *,
        text_format: Any = UNSET,
        tools: Any = UNSET,
        **params: Unpack[ResponsesParseParams],
    ) -> Any:
        """``create(...)`` with ``text.format`` the strict schema of ``text_format`` and
        the answer decoded as a ``ParsedResponse``: ``output_parsed`` is a
        ``text_format`` instance (``None`` without one, or when the model refused), and
        function calls of strict tools carry ``parsed_arguments``.

        On a client: the ``ParsedResponse`` (async: awaitable; ``with_raw_response``: a
        ``RawResponse`` whose ``parse()`` gives it). On ``openai_proto.api``: the
        :class:`~openai_proto.call.Call`, which decodes to it.
        """
        import attrs

        from openai_proto.generated.resources.responses import _responses_create

        parser, tool_list = parser_for(text_format, tools)
        given = None if isinstance(tools, UnsetType) else tool_list
        call = _responses_create(**request_params(params, parser, given))
        return self._runner.execute(attrs.evolve(call, decode_with=parser))

    @overload
    def stream(
        self: ResponsesHelpers[Sans],
        *,
        text_format: type[TF] | UnsetType = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ResponsesParseParams],
    ) -> StreamPlan[ResponseAccumulator]: ...
    @overload
    def stream(
        self: ResponsesHelpers[Sans],
        *,
        response_id: str,
        starting_after: int | UnsetType = UNSET,
        snapshot: Mapping[str, Any] | None = None,
        text_format: type[TF] | UnsetType = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ResponsesResumeParams],
    ) -> StreamPlan[ResponseAccumulator]: ...
    @overload
    def stream(
        self: ResponsesHelpers[Sync] | ResponsesHelpers[SyncRaw],
        *,
        text_format: type[TF] | UnsetType = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ResponsesParseParams],
    ) -> ResponseStreamManager[ParsedResponse[TF]]: ...
    @overload
    def stream(
        self: ResponsesHelpers[Sync] | ResponsesHelpers[SyncRaw],
        *,
        response_id: str,
        starting_after: int | UnsetType = UNSET,
        snapshot: Mapping[str, Any] | None = None,
        text_format: type[TF] | UnsetType = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ResponsesResumeParams],
    ) -> ResponseStreamManager[ParsedResponse[TF]]: ...
    @overload
    def stream(
        self: ResponsesHelpers[Async] | ResponsesHelpers[AsyncRaw],
        *,
        text_format: type[TF] | UnsetType = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ResponsesParseParams],
    ) -> AsyncResponseStreamManager[ParsedResponse[TF]]: ...
    @overload
    def stream(
        self: ResponsesHelpers[Async] | ResponsesHelpers[AsyncRaw],
        *,
        response_id: str,
        starting_after: int | UnsetType = UNSET,
        snapshot: Mapping[str, Any] | None = None,
        text_format: type[TF] | UnsetType = UNSET,
        tools: Tools = UNSET,
        **params: Unpack[ResponsesResumeParams],
    ) -> AsyncResponseStreamManager[ParsedResponse[TF]]: ...
    def stream(
        self,
        *,
        response_id: str | UnsetType = UNSET,
        starting_after: int | UnsetType = UNSET,
        snapshot: Mapping[str, Any] | None = None,
        text_format: Any = UNSET,
        tools: Any = UNSET,
        **params: Any,
    ) -> Any:
        """A response streamed through the Responses stream helper.

        On a client: a context manager that sends the request on entry and gives a
        :class:`~openai_proto.streams.responses_stream.ResponseStream` (async: an
        ``AsyncResponseStream``) whose ``get_final_response()`` is a ``ParsedResponse``,
        closing the response on exit. On ``openai_proto.api``: a :class:`StreamPlan`
        whose state is a :class:`~openai_proto.streams.responses.ResponseAccumulator`
        configured the same way.
        """
        from openai_proto.streams.responses import ResponseAccumulator
        from openai_proto.streams.responses_stream import (
            AsyncResponseStreamManager,
            ResponseStreamManager,
        )

        after = _number(starting_after)
        parser, tool_list = parser_for(text_format, tools)
        options = accumulator_options(parser)
        if isinstance(response_id, UnsetType):
            if after is not None or snapshot is not None:
                raise InvalidRequestError(
                    "starting_after and snapshot resume an existing response: give response_id"
                )
            from openai_proto.generated.resources.responses import _responses_create_stream

            given = None if isinstance(tools, UnsetType) else tool_list
            call = _responses_create_stream(stream=True, **request_params(params, parser, given))
            new_state: Any = lambda: ResponseAccumulator(**options)  # noqa: E731
        else:
            call, new_state = _resume_call(response_id, after, snapshot, params, options)
        kind = kind_of(self._runner)
        final = options["decode_final"]
        if kind == "sync":
            opener = sync_opener(self._runner, call, data_only=False)
            return ResponseStreamManager(opener, accumulator=new_state(), final=final)
        if kind == "async":
            opener = async_opener(self._runner, call, data_only=False)
            return AsyncResponseStreamManager(opener, accumulator=new_state(), final=final)
        return StreamPlan(call, new_state)


__all__ = ["ResponsesHelpers", "accumulator_options", "parser_for", "request_params"]
