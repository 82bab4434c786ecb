"""The tool runner with ``function_tool`` tools: typed arguments, parse errors, async tools.

The orders query of the official helper docs (the attrs classes of ``examples.py``):
enums, nested objects and a ``str | int | DynamicValue`` union.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import trio

from openai_proto.errors import ContentParseError
from openai_proto.structured import function_tool
from openai_proto.structured.tool_runner import run_tools
from tests.structured.examples import DynamicValue, Operator, OrderBy, Query, Table
from tests.structured.realistic import QUERY_ARGUMENTS, QUERY_MESSAGES
from tests.structured.test_tool_runner_helpers import (
    MODEL,
    answers,
    asks,
    async_memory_client,
    function_call,
    memory_client,
    sent,
    tool_message,
)

ASK = QUERY_MESSAGES[-1]  # the user's question, without the system message


def test_the_orders_query_runs_with_a_parsed_instance() -> None:
    received: list[Query] = []

    def run_query(query: Query) -> list[dict[str, Any]]:
        received.append(query)
        return [{"id": 7, "status": "fulfilled"}]

    tool = function_tool(Query, name="query", function=run_query)
    bad = function_call("call_bad", "query", {**QUERY_ARGUMENTS, "table_name": "invoices"})
    good = function_call("call_q", "query", QUERY_ARGUMENTS)
    client, transport = memory_client(
        asks(bad), asks(good, number=2), answers("Order 7 arrived late.", number=3)
    )
    runner = run_tools(client, model=MODEL, messages=QUERY_MESSAGES, tools=[tool])
    assert runner.final_content() == "Order 7 arrived late."

    (query,) = received
    assert query.table_name is Table.orders
    assert query.conditions[3].value == DynamicValue("expected_delivery_date")
    assert query.conditions[0].operator is Operator.ge
    assert query.order_by is OrderBy.asc
    bad_result, good_result = runner.all_function_tool_call_results()
    assert bad_result.status == "invalid_arguments"
    assert isinstance(bad_result.error, ContentParseError)
    assert bad_result.content.startswith(
        'Invalid arguments for tool_call "query": ContentParseError: '
    )
    assert (good_result.status, good_result.parsed_arguments) == ("ok", query)
    bodies = sent(transport)
    assert bodies[0]["tools"] == [tool.chat_param()]
    assert bodies[0]["tools"][0]["function"]["strict"] is True
    assert bodies[2]["messages"][-1] == tool_message("call_q", '[{"id":7,"status":"fulfilled"}]')


def test_a_tool_made_from_a_function_gets_keywords() -> None:
    def get_weather(city: str, unit: str = "celsius") -> str:
        """The weather in a city."""
        return f"18 degrees {unit} in {city}"

    tool = function_tool(get_weather)
    call = function_call("c1", "get_weather", {"city": "Paris", "unit": "celsius"})
    client, transport = memory_client(asks(call), answers("18"))
    runner = run_tools(client, model=MODEL, messages=[ASK], tools=[tool])
    assert runner.final_function_tool_call_result() == "18 degrees celsius in Paris"
    assert sent(transport)[0]["tools"][0]["function"]["description"] == "The weather in a city."


@pytest.mark.parametrize("loop", ["asyncio", "trio"])
def test_async_function_tools_run_on_asyncio_and_trio(loop: str) -> None:
    async def lookup(city: str) -> dict[str, str]:
        await (trio.sleep(0) if loop == "trio" else asyncio.sleep(0))
        return {"city": city, "sky": "clear"}

    call = function_call("c1", "lookup", {"city": "Rome"})
    client, transport = async_memory_client(asks(call), answers("clear"))

    async def main() -> str | None:
        runner = run_tools(client, model=MODEL, messages=[ASK], tools=[function_tool(lookup)])
        return await runner.final_function_tool_call_result()

    result = asyncio.run(main()) if loop == "asyncio" else trio.run(main)
    assert result == '{"city":"Rome","sky":"clear"}'
    assert len(transport.requests) == 2
