"""The tool runner over real sockets: every binding against the scripted loopback server."""

from __future__ import annotations

import asyncio
import typing
from typing import Any

import pytest
import trio

from openai_proto.structured.tool_runner import run_tools, runnable_tool
from openai_proto.testing import LoopbackServer, Script
from tests.bindings.harness import ASYNC_BINDINGS, Binding, async_client
from tests.structured.test_tool_runner import CITY, SCRIPT, get_weather, weather_tools
from tests.structured.test_tool_runner_async import rendezvous_tools
from tests.structured.test_tool_runner_helpers import (
    MODEL,
    USER,
    answers,
    asks,
    assistant,
    function_call,
    loopback_reply,
    tool_message,
)

PATH = "/v1/chat/completions"

# httpcore's nested async generators, finalized by trio's GC hook after the binding has
# closed the response (as in tests/bindings/test_contract.py)
pytestmark = pytest.mark.filterwarnings("ignore:Async generator 'httpcore\\.:ResourceWarning")


def bodies(server: LoopbackServer) -> list[dict[str, Any]]:
    return [typing.cast("dict[str, Any]", request.json()) for request in server.requests]


def sent_messages(server: LoopbackServer) -> list[Any]:
    return [body["messages"] for body in bodies(server)]


def flaky(args: dict[str, Any]) -> str:
    raise RuntimeError(f"no station in {args['city']}")


TOOLS = [
    runnable_tool(get_weather, parameters=CITY),
    runnable_tool(flaky, name="get_humidity", parameters=CITY),
]
#: Round 1 asks for four calls at once: two that work, one whose tool raises, one with
#: malformed arguments; round 2 answers.
MIXED = [
    asks(
        function_call("call_paris", "get_weather", {"city": "Paris"}),
        function_call("call_rome", "get_weather", {"city": "Rome"}),
        function_call("call_hum", "get_humidity", {"city": "Oslo"}),
        function_call("call_bad", "get_weather", '{"city": Rome}'),
        number=1,
    ),
    answers("Paris 18°C, Rome 24°C; no humidity.", number=2),
]
MIXED_RESULTS = [
    tool_message("call_paris", '{"city":"Paris","celsius":18}'),
    tool_message("call_rome", '{"city":"Rome","celsius":24}'),
    tool_message(
        "call_hum", 'Error running tool_call "get_humidity": RuntimeError: no station in Oslo'
    ),
    tool_message(
        "call_bad",
        'Invalid arguments for tool_call "get_weather": JSONDecodeError: Expecting value: '
        "line 1 column 10 (char 9). Please try again",
    ),
]


@pytest.mark.parametrize("stream", [False, True])
def test_sync_httpx_runs_parallel_calls_errors_and_bad_arguments(
    server: LoopbackServer, script: Script, stream: bool
) -> None:
    from openai_proto_httpx import OpenAI

    script.enqueue("POST", PATH, *(loopback_reply(body, stream) for body in MIXED))
    with OpenAI(api_key="sk-test", base_url=server.url, max_retries=0) as client:
        runner = run_tools(client, model=MODEL, messages=[USER], tools=TOOLS, stream=stream)
        assert runner.final_content() == "Paris 18°C, Rome 24°C; no humidity."
        statuses = [r.status for r in runner.all_function_tool_call_results()]
    assert statuses == ["ok", "ok", "tool_error", "invalid_arguments"]
    assert sent_messages(server) == [[USER], [USER, assistant(MIXED[0]), *MIXED_RESULTS]]
    assert all(body.get("stream", False) is stream for body in bodies(server))
    assert server.wait_for_no_open_connections(5)


def test_sync_httpx_stops_at_the_round_limit(server: LoopbackServer, script: Script) -> None:
    from openai_proto_httpx import OpenAI

    looping = asks(function_call("call_paris", "get_weather", {"city": "Paris"}))
    script.route("POST", PATH, lambda _: loopback_reply(looping, False))
    with OpenAI(api_key="sk-test", base_url=server.url, max_retries=0) as client:
        runner = run_tools(client, model=MODEL, messages=[USER], tools=TOOLS, max_rounds=4)
        assert runner.until_done().stop_reason == "max_rounds"
    messages = sent_messages(server)
    assert len(messages) == 4
    result = tool_message("call_paris", '{"city":"Paris","celsius":18}')
    assert messages[-1] == [USER, *[assistant(looping), result] * 3]


@pytest.mark.parametrize("binding", ASYNC_BINDINGS, ids=str)
@pytest.mark.parametrize("stream", [False, True])
def test_async_bindings_run_the_loop_with_concurrent_tools(
    server: LoopbackServer, script: Script, binding: Binding, stream: bool
) -> None:
    both = asks(function_call("c1", "ping", {}), function_call("c2", "pong", {}))
    replies = [both, *SCRIPT]
    script.enqueue("POST", PATH, *(loopback_reply(body, stream) for body in replies))
    config = {"api_key": "sk-test", "base_url": server.url, "max_retries": 0}

    async def main() -> tuple[str | None, list[str]]:
        async with async_client(binding, None, config) as client:
            tools = [*rendezvous_tools(binding.loop, 10), *weather_tools()]
            runner = run_tools(client, model=MODEL, messages=[USER], tools=tools, stream=stream)
            kinds = {event.type async for event in runner}
            assert ("content.delta" in kinds) is stream
            results = await runner.all_function_tool_call_results()
            return await runner.final_content(), [r.content for r in results]

    content, results = asyncio.run(main()) if binding.loop == "asyncio" else trio.run(main)
    assert content == "18°C in Paris, 24°C in Rome."
    assert results[:2] == ["ping met pong", "pong met ping"]
    assert len(server.requests) == 4
    assert sent_messages(server)[1][1:] == [
        assistant(both),
        tool_message("c1", "ping met pong"),
        tool_message("c2", "pong met ping"),
    ]
    assert server.wait_for_no_open_connections(5)
