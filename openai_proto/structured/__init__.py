"""Structured outputs: Python types to strict JSON schemas, and model output back to
instances of those types — pure functions, no IO.

- :func:`strict_json_schema`, :func:`response_format`, :func:`text_format`: what to send.
- :func:`parse_json`, :func:`to_jsonable`: JSON to instances and back.
- :func:`function_tool` / :class:`FunctionTool`: function tools from types or functions.
- :func:`parse_chat_completion`, :func:`parse_response`: ``parsed`` / ``parsed_arguments``
  on finished completions and responses; :func:`chat_stream_parsers`,
  :func:`responses_stream_parsers`: the same for the stream states.
- :func:`check_strict_schema`: the API's strict-mode rules, as a checker.

``ParsedChatCompletion``, ``ParsedResponse`` and their parts are importable from here too
(they load the generated models on first use). See ``docs/structured-outputs.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openai_proto.structured.convert import parse_json, to_jsonable
from openai_proto.structured.parsing import (
    chat_stream_parsers,
    parse_chat_completion,
    parse_response,
    responses_stream_parsers,
)
from openai_proto.structured.schema import (
    response_format,
    schema_name,
    strict_json_schema,
    text_format,
)
from openai_proto.structured.shapes import Description
from openai_proto.structured.strict import check_strict_schema, strict_schema_problems
from openai_proto.structured.tools import (
    FunctionTool,
    chat_tools_param,
    function_tool,
    responses_tools_param,
    validate_input_tools,
)

if TYPE_CHECKING:
    from openai_proto.structured.parsed_chat import (
        ParsedChatCompletion,
        ParsedChatCompletionMessage,
        ParsedChoice,
        ParsedFunction,
        ParsedFunctionToolCall,
    )
    from openai_proto.structured.parsed_responses import (
        ParsedResponse,
        ParsedResponseFunctionToolCall,
        ParsedResponseOutputMessage,
        ParsedResponseOutputText,
    )

_LAZY = {
    "ParsedChatCompletion": "parsed_chat",
    "ParsedChatCompletionMessage": "parsed_chat",
    "ParsedChoice": "parsed_chat",
    "ParsedFunction": "parsed_chat",
    "ParsedFunctionToolCall": "parsed_chat",
    "ParsedResponse": "parsed_responses",
    "ParsedResponseFunctionToolCall": "parsed_responses",
    "ParsedResponseOutputMessage": "parsed_responses",
    "ParsedResponseOutputText": "parsed_responses",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Description",
    "FunctionTool",
    "ParsedChatCompletion",
    "ParsedChatCompletionMessage",
    "ParsedChoice",
    "ParsedFunction",
    "ParsedFunctionToolCall",
    "ParsedResponse",
    "ParsedResponseFunctionToolCall",
    "ParsedResponseOutputMessage",
    "ParsedResponseOutputText",
    "chat_stream_parsers",
    "chat_tools_param",
    "check_strict_schema",
    "function_tool",
    "parse_chat_completion",
    "parse_json",
    "parse_response",
    "response_format",
    "responses_stream_parsers",
    "responses_tools_param",
    "schema_name",
    "strict_json_schema",
    "strict_schema_problems",
    "text_format",
    "to_jsonable",
    "validate_input_tools",
]
