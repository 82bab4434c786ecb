""":class:`ResponseParser`: :func:`~openai_proto.structured.parse_response` with its
``text_format`` and ``tools`` bound once — pure.

It is what ``client.responses.parse()`` decodes its answer with (the call's
``decode_with``) and what ``client.responses.stream(text_format=..., tools=...)`` makes of
the final response, so both follow the rules of ``parse_response``: ``parsed`` on every
``output_text`` part (``output_parsed``: the first), ``parsed_arguments`` on function
calls of strict tools, and ``LengthFinishReasonError`` / ``ContentFilterFinishReasonError``
for a response left ``incomplete`` for that reason when something was to be parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from openai_proto.structured.parsing import (
    _as_dict,
    _check_incomplete,
    _parsed_item,
    _register_dumpers,
    content_reader,
)
from openai_proto.structured.tools import ArgumentsParser, argument_parsers

if TYPE_CHECKING:
    from openai_proto.structured.parsed_responses import ParsedResponse

T = TypeVar("T")


@attrs.frozen(eq=True)
class ResponseParser(Generic[T]):
    """Call it with a response (its JSON, or a ``Response`` model): a ``ParsedResponse[T]``.

    Two parsers made with the same ``text_format`` and ``tools`` are equal, so two calls
    built with the same arguments are too.
    """

    text_format: Any = None
    tools: tuple[Any, ...] = ()
    _read_content: Callable[[str], Any] | None = attrs.field(init=False, eq=False, repr=False)
    _parsers: Mapping[str, ArgumentsParser] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        _register_dumpers(self.text_format, list(self.tools))
        object.__setattr__(self, "_read_content", content_reader(self.text_format))
        object.__setattr__(self, "_parsers", argument_parsers(self.tools))

    @property
    def parses(self) -> bool:
        """Whether anything is to be parsed (a text format, or a strict function tool)."""
        return self._read_content is not None or bool(self._parsers)

    @property
    def read_text(self) -> Callable[[str], Any] | None:
        """How an output text is read (``None``: it is not)."""
        return self._read_content

    @property
    def arguments_parsers(self) -> Mapping[str, ArgumentsParser]:
        """Tool name -> how its calls' arguments are read (strict function tools)."""
        return self._parsers

    def __call__(self, response: Any) -> ParsedResponse[T]:
        from openai_proto.models import structure
        from openai_proto.structured.parsed_responses import ParsedResponse

        data = _as_dict(response, "response")
        read_content, parsers = self._read_content, self._parsers
        if read_content is not None or parsers:
            _check_incomplete(data, ParsedResponse)
        output = data.get("output")
        if isinstance(output, list):
            items = [_parsed_item(item, read_content, parsers) for item in output]
            data = {**data, "output": items}
        parsed: ParsedResponse[T] = structure(data, ParsedResponse)
        return parsed


__all__ = ["ResponseParser"]
