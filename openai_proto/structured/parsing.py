"""Parsing finished completions and responses, and the parse hooks of the stream states.

Pure functions over the decoded JSON the API returned:

- :func:`parse_chat_completion` → :class:`ParsedChatCompletion`: ``message.parsed`` (the
  content read as ``response_format``), ``tool_calls[i].function.parsed_arguments`` (for
  strict function tools), custom tool calls kept as they are.
- :func:`parse_response` → :class:`ParsedResponse`: ``parsed`` on ``output_text`` parts,
  ``output_parsed``, ``parsed_arguments`` on ``function_call`` items.

Rules (the official SDK's, with its known bugs fixed): a refusal leaves ``parsed``
``None``; empty content too. ``response_format`` may be a type (parsed into it), a
``json_schema``/``json_object`` dict (parsed as plain JSON), or ``None``/a ``text`` dict
(nothing parsed). When something is to be parsed, a choice that stopped for ``length`` or
``content_filter`` raises :class:`~openai_proto.errors.LengthFinishReasonError` /
:class:`~openai_proto.errors.ContentFilterFinishReasonError` (holding the completion); a
plain completion is returned as it is. For responses the same holds for a response
``incomplete`` because of ``max_output_tokens`` / ``content_filter``. Only strict function
tools may be given to :func:`parse_chat_completion` (``custom`` tools too); invalid JSON
or a wrong shape raises :class:`~openai_proto.errors.ContentParseError` holding the text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

import attrs

from openai_proto.errors import (
    ContentFilterFinishReasonError,
    InvalidRequestError,
    LengthFinishReasonError,
)
from openai_proto.structured.convert import loads_json, parse_json, read_value, to_jsonable
from openai_proto.structured.schema import response_format as response_format_param
from openai_proto.structured.shapes import is_pydantic, object_style
from openai_proto.structured.tools import (
    ArgumentsParser,
    argument_parsers,
    chat_tools_param,
    validate_input_tools,
)

if TYPE_CHECKING:
    from openai_proto.structured.parsed_chat import ParsedChatCompletion
    from openai_proto.structured.parsed_responses import ParsedResponse

T = TypeVar("T")
JSON = dict[str, Any]
JSON_FORMATS = frozenset({"json_schema", "json_object"})
ContentReader = Callable[[str], Any]


# -- chat completions ------------------------------------------------------------------------


@attrs.frozen(eq=True)
class ChatCompletionParser(Generic[T]):
    """:func:`parse_chat_completion` with its ``response_format`` and ``tools`` bound and
    checked once (tools validated, readers looked up): call it with each completion. It is
    the ``decode_with`` of the calls ``chat.completions.parse()`` builds, so two calls made
    with the same arguments are equal."""

    response_format: Any = None
    tools: tuple[Any, ...] = ()
    _read_content: ContentReader | None = attrs.field(init=False, eq=False, repr=False)
    _parsers: Mapping[str, ArgumentsParser] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        validate_input_tools(self.tools)
        _register_dumpers(self.response_format, list(self.tools))
        object.__setattr__(self, "_read_content", content_reader(self.response_format))
        object.__setattr__(self, "_parsers", argument_parsers(self.tools))

    def __call__(self, completion: Any) -> ParsedChatCompletion[T]:
        from openai_proto.models import structure
        from openai_proto.structured.parsed_chat import ParsedChatCompletion

        data = _as_dict(completion, "chat completion")
        read_content, parsers = self._read_content, self._parsers
        choices = data.get("choices")
        if isinstance(choices, list):
            if read_content is not None or parsers:
                for choice in choices:
                    if isinstance(choice, dict):
                        _check_finish(choice.get("finish_reason"), data, ParsedChatCompletion)
            parse_content = read_content is not None
            data = {
                **data,
                "choices": [
                    _parsed_choice(choice, read_content, parse_content, parsers)
                    for choice in choices
                ],
            }
        parsed: ParsedChatCompletion[T] = structure(data, ParsedChatCompletion)
        return parsed


@overload
def parse_chat_completion(
    completion: Any, *, response_format: type[T], tools: Iterable[Any] | None = None
) -> ParsedChatCompletion[T]: ...
@overload
def parse_chat_completion(
    completion: Any, *, response_format: Any = None, tools: Iterable[Any] | None = None
) -> ParsedChatCompletion[Any]: ...
def parse_chat_completion(
    completion: Any, *, response_format: Any = None, tools: Iterable[Any] | None = None
) -> ParsedChatCompletion[Any]:
    """The completion (a dict, or a ChatCompletion model) with ``parsed`` /
    ``parsed_arguments`` filled in (rules in the module doc)."""
    parser: ChatCompletionParser[Any] = ChatCompletionParser(response_format, tuple(tools or ()))
    return parser(completion)


def _check_finish(reason: Any, data: JSON, cls: type) -> None:
    if reason == "length":
        raise LengthFinishReasonError(completion=_structured(data, cls))
    if reason == "content_filter":
        raise ContentFilterFinishReasonError(completion=_structured(data, cls))


def _structured(data: JSON, cls: type) -> Any:
    from openai_proto.models import structure

    return structure(data, cls)


def _parsed_choice(
    choice: Any,
    read_content: ContentReader | None,
    parse_content: bool,
    parsers: Mapping[str, ArgumentsParser],
) -> Any:
    if not isinstance(choice, dict) or not isinstance(choice.get("message"), dict):
        return choice
    message = dict(choice["message"])
    content, refusal = message.get("content"), message.get("refusal")
    parsed = None
    if read_content is not None and isinstance(content, str) and content and not refusal:
        parsed = read_content(content)
    message["parsed"] = parsed
    calls = message.get("tool_calls")
    if isinstance(calls, list):
        message["tool_calls"] = [_parsed_call(call, parsers) for call in calls]
    return {**choice, "message": message}


def _parsed_call(call: Any, parsers: Mapping[str, ArgumentsParser]) -> Any:
    if not isinstance(call, dict) or call.get("type", "function") != "function":
        return call  # custom tool calls (and unknown kinds) are kept as they are
    function = call.get("function")
    if not isinstance(function, dict):
        return call
    parser = parsers.get(function.get("name"))  # type: ignore[arg-type]
    arguments = function.get("arguments")
    parsed = parser(arguments) if parser is not None and arguments is not None else None
    return {**call, "function": {**function, "parsed_arguments": parsed}}


# -- responses -------------------------------------------------------------------------------


@overload
def parse_response(
    response: Any, *, text_format: type[T], tools: Iterable[Any] | None = None
) -> ParsedResponse[T]: ...
@overload
def parse_response(
    response: Any, *, text_format: Any = None, tools: Iterable[Any] | None = None
) -> ParsedResponse[Any]: ...
def parse_response(
    response: Any, *, text_format: Any = None, tools: Iterable[Any] | None = None
) -> ParsedResponse[Any]:
    """The response (a dict, or a Response model) with ``parsed`` on its ``output_text``
    parts and ``parsed_arguments`` on its function calls (rules in the module doc)."""
    from openai_proto.structured.response_parser import ResponseParser

    parser: ResponseParser[Any] = ResponseParser(text_format, tuple(tools or ()))
    return parser(response)


def _check_incomplete(data: JSON, cls: type) -> None:
    if data.get("status") != "incomplete":
        return
    details = data.get("incomplete_details")
    reason = details.get("reason") if isinstance(details, dict) else None
    if reason == "max_output_tokens":
        raise LengthFinishReasonError(completion=_structured(data, cls))
    if reason == "content_filter":
        raise ContentFilterFinishReasonError(completion=_structured(data, cls))


def _parsed_item(
    item: Any, read_content: ContentReader | None, parsers: Mapping[str, ArgumentsParser]
) -> Any:
    if not isinstance(item, dict):
        return item
    kind = item.get("type")
    if kind == "message" and isinstance(item.get("content"), list):
        parts = [_parsed_part(part, read_content) for part in item["content"]]
        return {**item, "content": parts}
    if kind == "function_call":
        parser = parsers.get(item.get("name"))  # type: ignore[arg-type]
        arguments = item.get("arguments")
        parsed = parser(arguments) if parser is not None and arguments is not None else None
        return {**item, "parsed_arguments": parsed}
    return item


def _parsed_part(part: Any, read_content: ContentReader | None) -> Any:
    if not isinstance(part, dict) or part.get("type") != "output_text":
        return part
    text = part.get("text")
    parsed = read_content(text) if read_content is not None and isinstance(text, str) else None
    return {**part, "parsed": parsed}


# -- stream hooks ----------------------------------------------------------------------------


def chat_stream_parsers(response_format: Any = None, tools: Iterable[Any] | None = None) -> JSON:
    """Keyword arguments for ``ChatCompletionStreamState`` (and ``ChatCompletionStream``):
    ``response_format`` and ``input_tools`` as request params, and the ``parse`` /
    ``parse_arguments`` hooks that turn the complete JSON into the type (done events and
    the final completion; delta events keep the partial dicts).

    Tools are not validated here (non-strict tools are allowed and left unparsed, as the
    official sync ``stream()`` does); call :func:`validate_input_tools` to refuse them.
    """
    tools = list(tools or ())
    parsers = argument_parsers(tools)
    _register_dumpers(response_format, tools)
    parse = None
    if response_format is not None and not isinstance(response_format, Mapping):
        target = response_format
        parse = _value_reader(target)
    return {
        "response_format": _format_param(response_format),
        "input_tools": chat_tools_param(tools) if tools else None,
        "parse": parse,
        "parse_arguments": _arguments_hook(parsers) if parsers else None,
    }


def responses_stream_parsers(text_format: Any = None) -> JSON:
    """Keyword arguments for ``ResponseAccumulator``: ``parse_text`` reads the text of
    ``response.output_text.done`` events as ``text_format`` (nothing without a type)."""
    if text_format is None or isinstance(text_format, Mapping):
        return {"parse_text": None}
    target = text_format
    return {"parse_text": lambda text: parse_json(target, text)}


def _value_reader(tp: Any) -> Callable[[Any], Any]:
    return lambda value: read_value(tp, value, value)


def _arguments_hook(parsers: Mapping[str, ArgumentsParser]) -> Callable[[str, Any], Any]:
    def parse_arguments(name: str, value: Any) -> Any:
        parser = parsers.get(name)
        return value if parser is None else parser(value)

    return parse_arguments


def _format_param(response_format: Any) -> Any:
    if response_format is None or isinstance(response_format, Mapping):
        return response_format
    return response_format_param(response_format)


# -- shared ----------------------------------------------------------------------------------


def content_reader(fmt: Any) -> ContentReader | None:
    """How to read the content for a ``response_format``/``text_format``: a type → parsed
    into it; a ``json_schema``/``json_object`` dict → plain JSON; otherwise ``None``."""
    if fmt is None:
        return None
    if isinstance(fmt, Mapping):
        return loads_json if fmt.get("type") in JSON_FORMATS else None
    target = fmt
    return lambda text: parse_json(target, text)


def _as_dict(value: Any, what: str) -> JSON:
    if isinstance(value, dict):
        return value
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        data = to_dict()
        if isinstance(data, dict):
            return data
    raise InvalidRequestError(f"expected a {what} as a dict or a model, not {type(value).__name__}")


def _register_dumpers(fmt: Any, tools: list[Any]) -> None:
    """Let ``to_dict()``/``to_json()`` of parsed models write the parsed instances."""
    from openai_proto._models.core import DUMPERS, Model
    from openai_proto.structured.tools import FunctionTool

    types = [fmt] + [tool.arguments_type for tool in tools if isinstance(tool, FunctionTool)]
    for tp in types:
        if (
            isinstance(tp, type)
            and tp not in DUMPERS
            and not issubclass(tp, Model)
            and (is_pydantic(tp) or object_style(tp) is not None)
            and not issubclass(tp, dict)
        ):
            DUMPERS[tp] = to_jsonable


__all__ = [
    "ChatCompletionParser",
    "chat_stream_parsers",
    "content_reader",
    "parse_chat_completion",
    "parse_response",
    "responses_stream_parsers",
]
