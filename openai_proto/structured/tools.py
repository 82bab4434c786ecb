"""Function tools from types (or plain functions): :func:`function_tool` and friends.

``function_tool(Query)`` is the counterpart of the official ``pydantic_function_tool``:
a :class:`FunctionTool` whose ``parameters`` are the strict schema of ``Query`` and whose
calls' arguments parse back into ``Query`` instances. ``function_tool(get_weather)``
builds the arguments type from the function's signature (type hints required) and calls
the function with the arguments as keywords.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

import attrs

from openai_proto.errors import InvalidRequestError, SchemaError
from openai_proto.structured.convert import loads_json, parse_json
from openai_proto.structured.schema import NAME_PATTERN, schema_name, strict_json_schema
from openai_proto.structured.shapes import class_doc, is_pydantic, object_style

T = TypeVar("T")
JSON = dict[str, Any]


@attrs.frozen(kw_only=True)
class FunctionTool(Generic[T]):
    """A function tool: what to send (``chat_param()`` / ``responses_param()``) and how
    to read the model's calls (``parse_arguments``) and run them (``invoke``)."""

    name: str
    description: str | None = None
    #: The strict JSON schema of the arguments.
    parameters: JSON = attrs.field(hash=False)
    strict: bool = True
    #: The type the arguments parse into.
    arguments_type: Any
    #: What ``invoke`` calls (sync or async); ``None`` for a tool only described.
    function: Callable[..., Any] | None = None
    #: True when ``function`` takes the arguments as keywords (tools made from functions).
    spread: bool = False

    def chat_param(self) -> JSON:
        """The Chat Completions tool: ``{"type": "function", "function": {...}}``."""
        return {"type": "function", "function": self._definition()}

    def responses_param(self) -> JSON:
        """The Responses API tool: ``{"type": "function", "name": ..., ...}``."""
        return {"type": "function", **self._definition()}

    def _definition(self) -> JSON:
        definition: JSON = {"name": self.name}
        if self.description is not None:
            definition["description"] = self.description
        definition["parameters"] = self.parameters
        definition["strict"] = self.strict
        return definition

    def parse_arguments(self, arguments: Any) -> T:
        """A call's ``arguments`` (JSON text, or already decoded) as ``arguments_type``;
        ContentParseError (holding the text) when they do not fit."""
        parsed: T = parse_json(self.arguments_type, arguments)
        return parsed

    def invoke(self, arguments: T) -> Any:
        """Call ``function`` with parsed arguments; its result (awaitable if async)."""
        if self.function is None:
            raise InvalidRequestError(f"tool {self.name!r} has no function to call")
        if self.spread:
            kind: Any = type(arguments)
            names = [a.name for a in attrs.fields(kind)]
            return self.function(**{name: getattr(arguments, name) for name in names})
        return self.function(arguments)

    @property
    def is_async(self) -> bool:
        """Whether ``function`` is a coroutine function."""
        return self.function is not None and inspect.iscoroutinefunction(self.function)


def function_tool(
    tp: Any,
    *,
    name: str | None = None,
    description: str | None = None,
    function: Callable[..., Any] | None = None,
    strict: bool = True,
) -> FunctionTool[Any]:
    """A :class:`FunctionTool` for an arguments type, or for a plain function.

    ``tp``: an attrs class, dataclass, TypedDict or pydantic model (the arguments), or a
    function whose parameters all have type hints. ``name`` defaults to the type's or
    function's name (made to fit ``^[a-zA-Z0-9_-]{1,64}$``); ``description`` to its
    docstring. ``function`` is called by ``invoke`` with the parsed arguments.
    """
    spread = False
    if _is_arguments_type(tp):
        arguments_type = tp
        doc = class_doc(tp)
    elif callable(tp) and not isinstance(tp, type):
        arguments_type = arguments_class(tp)
        doc = inspect.getdoc(tp)
        function = function if function is not None else tp
        spread = function is tp
    else:
        raise SchemaError(
            f"function_tool needs a class (attrs, dataclass, TypedDict, pydantic) or a "
            f"function, not {tp!r}"
        )
    tool_name = _tool_name(tp, name)
    return FunctionTool(
        name=tool_name,
        description=description if description is not None else doc,
        parameters=strict_json_schema(arguments_type),
        strict=strict,
        arguments_type=arguments_type,
        function=function,
        spread=spread,
    )


def _is_arguments_type(tp: Any) -> bool:
    return isinstance(tp, type) and (is_pydantic(tp) or object_style(tp) is not None)


def _tool_name(tp: Any, name: str | None) -> str:
    if name is None:
        return schema_name(tp)
    if not NAME_PATTERN.match(name):
        raise InvalidRequestError(
            f"tool name {name!r} must match ^[a-zA-Z0-9_-]{{1,64}}$ (letters, digits, _ and -)"
        )
    return name


def arguments_class(function: Callable[..., Any]) -> type:
    """An attrs class with one field per parameter of ``function`` (keyword-only fields,
    parameter defaults kept, ``Annotated`` descriptions kept)."""
    label = getattr(function, "__name__", "function")
    try:
        hints = typing.get_type_hints(function, include_extras=True)
    except Exception as exc:
        raise SchemaError(f"cannot resolve the annotations: {exc}", label) from None
    fields: dict[str, Any] = {}
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind not in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
            raise SchemaError(
                f"parameter {parameter.name!r} must be passable by keyword "
                "(no positional-only, *args or **kwargs)",
                label,
            )
        if parameter.name not in hints:
            raise SchemaError(f"parameter {parameter.name!r} has no type annotation", label)
        default = attrs.NOTHING if parameter.default is parameter.empty else parameter.default
        fields[parameter.name] = attrs.field(type=hints[parameter.name], default=default)
    return attrs.make_class(schema_name(function), fields, kw_only=True, frozen=True)


# -- lists of tools --------------------------------------------------------------------------


def chat_tools_param(tools: Iterable[Any]) -> list[JSON]:
    """The request's ``tools`` for Chat Completions: FunctionTools as their params, dicts
    as they are."""
    return [tool.chat_param() if isinstance(tool, FunctionTool) else dict(tool) for tool in tools]


def responses_tools_param(tools: Iterable[Any]) -> list[JSON]:
    """The request's ``tools`` for the Responses API: FunctionTools and Chat-shaped function
    dicts (``{"type": "function", "function": {...}}``) in the Responses shape."""
    params = []
    for tool in tools:
        if isinstance(tool, FunctionTool):
            params.append(tool.responses_param())
        elif tool.get("type") == "function" and isinstance(tool.get("function"), Mapping):
            params.append({"type": "function", **tool["function"]})
        else:
            params.append(dict(tool))
    return params


def validate_input_tools(tools: Iterable[Any] | None) -> None:
    """Refuse what ``parse`` cannot parse, with the official SDK's messages: tools other than
    ``function`` (``custom`` tools are accepted: their calls are kept as they are) and
    function tools that are not ``strict``."""
    for tool in tools or ():
        if isinstance(tool, FunctionTool):
            kind, name, strict = "function", tool.name, tool.strict
        else:
            kind = tool.get("type")
            definition = tool.get("function") if isinstance(tool.get("function"), Mapping) else tool
            name, strict = definition.get("name"), definition.get("strict")
        if kind == "custom":
            continue
        if kind != "function":
            raise InvalidRequestError(
                f"Currently only `function` tool types support auto-parsing; Received `{kind}`"
            )
        if strict is not True:
            raise InvalidRequestError(
                f"`{name}` is not strict. Only `strict` function tools can be auto-parsed"
            )


ArgumentsParser = Callable[[Any], Any]


def argument_parsers(tools: Iterable[Any] | None) -> dict[str, ArgumentsParser]:
    """Tool name -> how to read its calls' arguments (text or decoded JSON), for the strict
    function tools only: a FunctionTool parses into its type, a strict dict tool gives the
    decoded JSON."""
    parsers: dict[str, ArgumentsParser] = {}
    for tool in tools or ():
        if isinstance(tool, FunctionTool):
            if tool.strict:
                parsers[tool.name] = tool.parse_arguments
            continue
        if tool.get("type") != "function":
            continue
        definition = tool.get("function") if isinstance(tool.get("function"), Mapping) else tool
        if definition.get("strict") is True and isinstance(definition.get("name"), str):
            parsers[definition["name"]] = _json_arguments
    return parsers


def _json_arguments(arguments: Any) -> Any:
    if isinstance(arguments, (str, bytes, bytearray)):
        return loads_json(arguments)
    return arguments


__all__ = [
    "ArgumentsParser",
    "FunctionTool",
    "argument_parsers",
    "arguments_class",
    "chat_tools_param",
    "function_tool",
    "responses_tools_param",
    "validate_input_tools",
]
