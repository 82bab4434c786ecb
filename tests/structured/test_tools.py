"""function_tool: tools from classes and from functions, their params, parsing and calling."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Annotated, Any

import attrs
import pytest

from openai_proto.errors import ContentParseError, InvalidRequestError, SchemaError
from openai_proto.structured import (
    FunctionTool,
    chat_tools_param,
    function_tool,
    responses_tools_param,
    strict_json_schema,
    validate_input_tools,
)
from tests.structured.examples import Column, Query, Table


def test_tool_from_a_class_matches_pydantic_function_tool_shape() -> None:
    tool = function_tool(Query)
    assert tool.name == "Query"
    assert tool.description is None
    assert tool.strict is True
    assert tool.arguments_type is Query
    assert tool.chat_param() == {
        "type": "function",
        "function": {"name": "Query", "parameters": strict_json_schema(Query), "strict": True},
    }
    assert tool.responses_param() == {
        "type": "function",
        "name": "Query",
        "parameters": strict_json_schema(Query),
        "strict": True,
    }


@dataclasses.dataclass
class GetWeather:
    """Get the weather for a city."""

    city: str
    unit: str = "c"


def test_tool_name_description_and_docstring() -> None:
    tool = function_tool(GetWeather)
    assert tool.description == "Get the weather for a city."
    assert tool.parameters["description"] == "Get the weather for a city."
    named = function_tool(GetWeather, name="weather", description="Weather now.")
    assert named.chat_param()["function"]["name"] == "weather"
    assert named.chat_param()["function"]["description"] == "Weather now."
    assert function_tool(GetWeather, strict=False).chat_param()["function"]["strict"] is False
    with pytest.raises(InvalidRequestError, match="must match"):
        function_tool(GetWeather, name="get weather!")


def test_parse_arguments_gives_the_type_and_errors_hold_the_text() -> None:
    tool = function_tool(GetWeather)
    assert tool.parse_arguments('{"city": "Paris", "unit": "f"}') == GetWeather("Paris", "f")
    with pytest.raises(ContentParseError) as info:
        tool.parse_arguments('{"city": "Paris"}')
    assert info.value.raw == '{"city": "Paris"}'
    assert "missing key 'unit'" in str(info.value)


def test_invoke_calls_the_function_with_the_instance() -> None:
    seen: list[GetWeather] = []

    def weather(arguments: GetWeather) -> str:
        seen.append(arguments)
        return "sunny"

    tool = function_tool(GetWeather, function=weather)
    arguments = tool.parse_arguments('{"city": "Oslo", "unit": "c"}')
    assert tool.invoke(arguments) == "sunny"
    assert seen == [GetWeather("Oslo", "c")]
    assert not tool.is_async
    with pytest.raises(InvalidRequestError, match="no function"):
        function_tool(GetWeather).invoke(arguments)


def lookup_orders(
    table: Table,
    columns: Annotated[list[Column], "columns to return"],
    limit: int = 10,
) -> str:
    """Look orders up."""
    return f"{table.value}:{[c.value for c in columns]}:{limit}"


def test_tool_from_a_function_builds_the_arguments_from_its_signature() -> None:
    tool = function_tool(lookup_orders)
    assert tool.name == "lookup_orders"
    assert tool.description == "Look orders up."
    assert tool.parameters["properties"] == {
        "table": {"type": "string", "enum": ["orders", "customers", "products"]},
        "columns": {
            "type": "array",
            "items": {"type": "string", "enum": [c.value for c in Column]},
            "description": "columns to return",
        },
        "limit": {"type": "integer"},
    }
    assert tool.parameters["required"] == ["table", "columns", "limit"]
    arguments = tool.parse_arguments('{"table": "orders", "columns": ["id"], "limit": 2}')
    assert tool.invoke(arguments) == "orders:['id']:2"
    assert attrs.asdict(arguments, recurse=False) == {
        "table": Table.orders,
        "columns": [Column.id],
        "limit": 2,
    }


async def fetch(city: str) -> str:
    return city.upper()


def test_async_functions_are_marked_and_invoked_as_coroutines() -> None:
    tool = function_tool(fetch)
    assert tool.is_async
    assert asyncio.run(tool.invoke(tool.parse_arguments('{"city": "rome"}'))) == "ROME"


def no_hint(x):  # type: ignore[no-untyped-def]
    return x


def star_args(*values: int) -> int:
    return 0


@pytest.mark.parametrize(
    ("target", "words"),
    [
        (no_hint, "parameter 'x' has no type annotation"),
        (star_args, "must be passable by keyword"),
        (42, "needs a class"),
        (dict, "needs a class"),
    ],
)
def test_bad_tool_targets_are_refused(target: Any, words: str) -> None:
    with pytest.raises(SchemaError, match=words):
        function_tool(target)


def test_tools_are_frozen_and_hashable() -> None:
    tool = function_tool(GetWeather)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        tool.name = "x"  # type: ignore[misc]
    assert isinstance(hash(tool), int)
    assert isinstance(tool, FunctionTool)


NON_STRICT = {"type": "function", "function": {"name": "loose", "parameters": {}}}


def test_validate_input_tools_uses_the_official_messages() -> None:
    validate_input_tools([function_tool(Query), {"type": "custom", "custom": {"name": "c"}}])
    validate_input_tools(None)
    with pytest.raises(InvalidRequestError) as info:
        validate_input_tools([NON_STRICT])
    assert (
        str(info.value) == "`loose` is not strict. Only `strict` function tools can be auto-parsed"
    )
    with pytest.raises(InvalidRequestError, match="`weather` is not strict"):
        validate_input_tools([function_tool(GetWeather, name="weather", strict=False)])
    with pytest.raises(InvalidRequestError) as info:
        validate_input_tools([{"type": "web_search"}])
    assert str(info.value) == (
        "Currently only `function` tool types support auto-parsing; Received `web_search`"
    )


def test_tool_lists_for_each_api() -> None:
    tool = function_tool(GetWeather)
    assert chat_tools_param([tool, NON_STRICT]) == [tool.chat_param(), NON_STRICT]
    assert responses_tools_param([tool, NON_STRICT, {"type": "web_search"}]) == [
        tool.responses_param(),
        {"type": "function", "name": "loose", "parameters": {}},
        {"type": "web_search"},
    ]
