"""``ParsedResponse`` and its parts: the generated Responses models plus ``parsed`` on
``output_text`` parts, ``parsed_arguments`` on function calls, and ``output_parsed``.

Every other output item keeps its generated class (the parsed output union is the
generated ``OutputItem`` union with its ``message`` and ``function_call`` variants
replaced).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar, Union

import attrs

from openai_proto.generated.models.responses import OutputItem, Response
from openai_proto.generated.models.shared_conversations_responses import (
    FunctionToolCall,
    OutputMessage,
    OutputTextContent,
    RefusalContent,
    UnknownOutputMessageContent,
)
from openai_proto.models import UNSET, UnsetType, field, get_tagged_union, register_tagged_union

T = TypeVar("T")


@attrs.define(repr=False)
class ParsedResponseOutputText(OutputTextContent, Generic[T]):
    """An ``output_text`` part, with ``parsed``: its text read as the ``text_format`` type."""

    if TYPE_CHECKING:
        parsed: T | UnsetType | None = UNSET
    else:
        parsed: Any = UNSET


if TYPE_CHECKING:
    ParsedContent = Union[
        ParsedResponseOutputText[Any], RefusalContent, UnknownOutputMessageContent
    ]
else:  # the registered union names the class itself
    ParsedContent = Union[ParsedResponseOutputText, RefusalContent, UnknownOutputMessageContent]
register_tagged_union(
    ParsedContent,
    tag="type",
    variants={"output_text": ParsedResponseOutputText, "refusal": RefusalContent},
    unknown=UnknownOutputMessageContent,
    name="ParsedResponseContent",
)


@attrs.define(repr=False)
class ParsedResponseOutputMessage(OutputMessage, Generic[T]):
    if TYPE_CHECKING:
        content: list[
            ParsedResponseOutputText[T] | RefusalContent | UnknownOutputMessageContent
        ] = field(required=True)  # type: ignore[assignment]
    else:
        content: list[ParsedContent] = field(required=True)


@attrs.define(repr=False)
class ParsedResponseFunctionToolCall(FunctionToolCall):
    """A function call, with ``parsed_arguments`` (``None`` unless its tool is strict)."""

    parsed_arguments: Any = UNSET


def _parsed_output_union() -> Any:
    registered = get_tagged_union(OutputItem)
    assert registered is not None
    variants = dict(registered.variants)
    variants["message"] = ParsedResponseOutputMessage
    variants["function_call"] = ParsedResponseFunctionToolCall
    members = (*variants.values(), registered.unknown)
    union: Any = Union[members]
    register_tagged_union(
        union,
        tag="type",
        variants=variants,
        unknown=registered.unknown,
        name="ParsedResponseOutputItem",
    )
    return union


ParsedOutputItem = _parsed_output_union()


@attrs.define(repr=False)
class ParsedResponse(Response, Generic[T]):
    """A response whose messages' ``output_text`` parts carry ``parsed``;
    ``output_parsed`` is the first of those that is not ``None``."""

    if TYPE_CHECKING:
        output: list[
            ParsedResponseOutputMessage[T] | ParsedResponseFunctionToolCall | OutputItem
        ] = field(required=True)
    else:
        output: list[ParsedOutputItem] = field(required=True)

    @property
    def output_parsed(self) -> T | None:
        """The first ``parsed`` value of an ``output_text`` part (``None`` if none)."""
        for item in self.output or ():
            if isinstance(item, ParsedResponseOutputMessage):
                for part in item.content or ():
                    if not isinstance(part, ParsedResponseOutputText):
                        continue
                    parsed = part.parsed
                    if parsed is not None and parsed is not UNSET:
                        return parsed
        return None


__all__ = [
    "ParsedContent",
    "ParsedOutputItem",
    "ParsedResponse",
    "ParsedResponseFunctionToolCall",
    "ParsedResponseOutputMessage",
    "ParsedResponseOutputText",
]
