"""The tools a tool runner can call, and how their results become text — pure.

A *runnable tool* (:class:`RunnableTool`) is anything with a ``name``, a ``function`` to
call, ``chat_param()`` (the ``{"type": "function", "function": {...}}`` entry the API
gets) and ``parse_arguments(text)`` (the model's arguments text in, the value the function
takes out). :func:`openai_proto.structured.tools.function_tool` makes one from a type;
:func:`runnable_tool` makes one from a plain callable taking a dict, and
:func:`tool_set` also accepts the Node SDK's shape, a dict tool whose ``function`` entry
holds the callable (``{"type": "function", "function": {"function": f, "parse": ...,
"name": ..., "parameters": ...}}``).

:func:`result_text` is how a tool's return value is sent to the model: a ``str`` as it
is, anything else as compact JSON (attrs classes, API models, dataclasses, pydantic
models, enums, sets, dates and times included).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import inspect
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import attrs

from openai_proto.errors import InvalidRequestError

#: What the API accepts as a function name.
TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")

#: The parameters of a tool that takes no arguments.
NO_PARAMETERS: Mapping[str, Any] = {"type": "object", "properties": {}}

Parse = Callable[[str], Any]


class RunnableTool(Protocol):
    """What a tool runner needs from a tool (``function_tool(...)`` results fit).

    The runner checks ``function`` (a tool without one cannot run; a coroutine function
    needs an async client), parses a call's arguments with ``parse_arguments`` and runs
    the call with ``invoke(parsed)``, awaiting the result if it is awaitable.
    """

    @property
    def name(self) -> str: ...

    @property
    def function(self) -> Callable[..., Any] | None: ...

    def chat_param(self) -> dict[str, Any]: ...

    def parse_arguments(self, text: str) -> Any: ...

    def invoke(self, arguments: Any) -> Any: ...


@attrs.frozen
class RunnableFunction:
    """A function tool made from a callable: see :func:`runnable_tool`."""

    function: Callable[[Any], Any]
    name: str
    parameters: Mapping[str, Any]
    description: str | None = None
    parse: Parse | None = json.loads
    strict: bool = False

    def chat_param(self) -> dict[str, Any]:
        """The entry of the request's ``tools`` list."""
        function: dict[str, Any] = {"name": self.name, "parameters": dict(self.parameters)}
        if self.description is not None:
            function["description"] = self.description
        if self.strict:
            function["strict"] = True
        return {"type": "function", "function": function}

    def parse_arguments(self, text: str) -> Any:
        """The arguments as the function takes them (the text itself without ``parse``)."""
        return text if self.parse is None else self.parse(text)

    def invoke(self, arguments: Any) -> Any:
        """Call the function with parsed arguments (an awaitable if it is async)."""
        return self.function(arguments)


def runnable_tool(
    function: Callable[[Any], Any],
    *,
    name: str | None = None,
    description: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    parse: Parse | None = json.loads,
    strict: bool = False,
) -> RunnableFunction:
    """A tool calling ``function`` (sync or async) with the parsed arguments.

    ``name`` defaults to the function's ``__name__``, ``description`` to its docstring,
    ``parameters`` (a JSON schema) to an object without properties. ``parse`` turns the
    arguments text into what ``function`` takes: a dict by default (``json.loads``);
    ``parse=None`` passes the text itself.
    """
    if not callable(function):
        raise InvalidRequestError(f"a tool's function must be callable, not {function!r}")
    name = getattr(function, "__name__", "") if name is None else name
    if not isinstance(name, str) or not TOOL_NAME.fullmatch(name):
        raise InvalidRequestError(
            f"tool name {name!r} is not 1 to 64 letters, digits, '_' or '-'; pass name="
        )
    if description is None:
        description = inspect.getdoc(function) if not _is_builtin_doc(function) else None
    if parameters is not None and not isinstance(parameters, Mapping):
        raise InvalidRequestError(f"tool {name!r}: parameters must be a JSON schema object")
    return RunnableFunction(
        function=function,
        name=name,
        parameters=NO_PARAMETERS if parameters is None else parameters,
        description=description,
        parse=parse,
        strict=strict,
    )


def _is_builtin_doc(function: Callable[..., Any]) -> bool:
    """Whether the docstring is the type's rather than the function's own (``partial``...)."""
    return not (inspect.isfunction(function) or inspect.ismethod(function))


@attrs.frozen
class ToolSet:
    """The tools of one run: the runnable ones by name, and the ``tools`` the API gets."""

    runnable: Mapping[str, RunnableTool]
    params: tuple[dict[str, Any], ...]

    def names(self) -> list[str]:
        return list(self.runnable)


def tool_set(tools: Iterable[object]) -> ToolSet:
    """Check ``tools`` and sort them into runnable tools and the request's ``tools``.

    Tools of other types than ``function`` (``custom`` tools) are sent as they are; the
    runner cannot run them. A function tool without a function raises
    :class:`~openai_proto.errors.InvalidRequestError`, and so do two tools of one name.
    """
    if isinstance(tools, (str, bytes, Mapping)) or not isinstance(tools, Iterable):
        raise InvalidRequestError("tools must be a list of tools")
    runnable: dict[str, RunnableTool] = {}
    params: list[dict[str, Any]] = []
    for position, given in enumerate(tools):
        tool = _runnable(given, position)
        if tool is None:
            params.append(dict(_as_mapping(given) or {}))
            continue
        if tool.name in runnable:
            raise InvalidRequestError(f"two tools are named {tool.name!r}")
        if tool.function is None:
            raise InvalidRequestError(f"tool {tool.name!r} has no function for the runner to call")
        runnable[tool.name] = tool
        params.append(tool.chat_param())
    return ToolSet(runnable, tuple(params))


def _runnable(given: object, position: int) -> RunnableTool | None:
    """``given`` as a runnable tool; ``None`` for a tool of another type (sent as is)."""
    if isinstance(given, RunnableFunction):
        return given
    if _has_tool_methods(given):
        return given  # type: ignore[return-value]
    mapping = _as_mapping(given)
    if mapping is None:
        raise InvalidRequestError(f"tools[{position}] is not a tool: {type(given).__name__}")
    if mapping.get("type") != "function":
        return None
    return _from_dict(mapping, position)


def _has_tool_methods(given: object) -> bool:
    methods = ("chat_param", "parse_arguments", "invoke")
    return all(hasattr(given, name) for name in ("name", "function")) and all(
        callable(getattr(given, name, None)) for name in methods
    )


def _as_mapping(given: object) -> Mapping[str, Any] | None:
    if isinstance(given, Mapping):
        return given
    from openai_proto.models import Model, unstructure

    if isinstance(given, Model):
        value = unstructure(given)
        return value if isinstance(value, dict) else None
    return None


def _from_dict(tool: Mapping[str, Any], position: int) -> RunnableFunction:
    function = tool.get("function")
    if not isinstance(function, Mapping):
        raise InvalidRequestError(f"tools[{position}]: 'function' must be an object")
    callback = function.get("function")
    name = function.get("name")
    if not callable(callback):
        label = repr(name) if isinstance(name, str) else f"tools[{position}]"
        raise InvalidRequestError(
            f"tool {label} has no function for the runner to call: put the callable under "
            "tool['function']['function'], or use runnable_tool()"
        )
    return runnable_tool(
        callback,
        name=name,
        description=function.get("description"),
        parameters=function.get("parameters"),
        parse=function.get("parse", json.loads),
        strict=bool(function.get("strict", False)),
    )


# -- results --------------------------------------------------------------------------------


def result_text(value: object) -> str:
    """What the model is sent for a tool's return value: a ``str`` as it is, anything else
    as compact JSON. Raises ``TypeError``/``ValueError`` for values JSON cannot hold."""
    if isinstance(value, str):
        return value
    return json.dumps(value, default=_jsonable, ensure_ascii=False, separators=(",", ":"))


def _jsonable(value: object) -> object:
    """One level of a value JSON does not know, as one it does (called again for nesting)."""
    from openai_proto.models import Model, unstructure

    if isinstance(value, Model):
        return unstructure(value)
    if attrs.has(type(value)):
        return attrs.asdict(value, recurse=False)  # type: ignore[arg-type]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    dump = getattr(value, "model_dump", None)
    if callable(dump):  # a pydantic model
        return dump(mode="json")
    raise TypeError(f"a {type(value).__name__} cannot be sent as JSON")


__all__ = [
    "NO_PARAMETERS",
    "RunnableFunction",
    "RunnableTool",
    "ToolSet",
    "result_text",
    "runnable_tool",
    "tool_set",
]
