"""``ParsedChatCompletion`` and its parts: the generated chat models plus ``parsed`` /
``parsed_arguments`` fields (the names users of the official SDK know).

They decode like any model (``structure(data, ParsedChatCompletion)``): ``parsed`` and
``parsed_arguments`` take whatever the JSON dict holds under those keys (the parsing
functions put instances there), and are ``UNSET`` when absent. Custom tool calls keep their
own class. For type checkers the classes are generic in the parsed type, and ``parsed`` is
``T | None``: :func:`~openai_proto.structured.parse_chat_completion`,
``client.chat.completions.parse()`` and the client's stream helpers always set it (and
``parsed_arguments`` on every function call), ``None`` when there was nothing to parse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar, Union

import attrs

from openai_proto.generated.models.chat import (
    ChatCompletion,
    ChatCompletionMessage,
    ChatCompletionMessageCustomToolCall,
    ChatCompletionMessageToolCall,
    ChatCompletionMessageToolCallFunction,
    CreateChatCompletionResponseChoicesItem,
    UnknownChatCompletionMessageToolCallsItem,
)
from openai_proto.models import UNSET, UnsetType, field, register_tagged_union

T = TypeVar("T")


@attrs.define(repr=False)
class ParsedFunction(ChatCompletionMessageToolCallFunction):
    """A function call's name and arguments, and ``parsed_arguments``: the arguments read
    by the strict tool of that name (``None`` for other tools)."""

    parsed_arguments: Any = UNSET


@attrs.define(repr=False)
class ParsedFunctionToolCall(ChatCompletionMessageToolCall):
    function: ParsedFunction = field(required=True)


ParsedToolCall = Union[
    ParsedFunctionToolCall,
    ChatCompletionMessageCustomToolCall,
    UnknownChatCompletionMessageToolCallsItem,
]
register_tagged_union(
    ParsedToolCall,
    tag="type",
    variants={"function": ParsedFunctionToolCall, "custom": ChatCompletionMessageCustomToolCall},
    unknown=UnknownChatCompletionMessageToolCallsItem,
    name="ParsedToolCall",
)


@attrs.define(repr=False)
class ParsedChatCompletionMessage(ChatCompletionMessage, Generic[T]):
    """The message, with ``parsed``: the content read as the ``response_format`` type
    (``None`` when refused, empty, or no format was given)."""

    if TYPE_CHECKING:  # always set by the parsing functions (UNSET only if decoded by hand)
        parsed: T | None = None
    else:
        parsed: Any = UNSET
    # (a list of subclasses: invariance makes mypy call the override unsafe)
    tool_calls: list[ParsedToolCall] | UnsetType = UNSET  # type: ignore[assignment]


@attrs.define(repr=False)
class ParsedChoice(CreateChatCompletionResponseChoicesItem, Generic[T]):
    if TYPE_CHECKING:
        message: ParsedChatCompletionMessage[T] = field(required=True)
    else:
        message: ParsedChatCompletionMessage = field(required=True)


@attrs.define(repr=False)
class ParsedChatCompletion(ChatCompletion, Generic[T]):
    """A chat completion whose messages carry ``parsed`` and whose function calls carry
    ``parsed_arguments``."""

    if TYPE_CHECKING:
        choices: list[ParsedChoice[T]] = field(required=True)  # type: ignore[assignment]
    else:
        choices: list[ParsedChoice] = field(required=True)


__all__ = [
    "ParsedChatCompletion",
    "ParsedChatCompletionMessage",
    "ParsedChoice",
    "ParsedFunction",
    "ParsedFunctionToolCall",
    "ParsedToolCall",
]
