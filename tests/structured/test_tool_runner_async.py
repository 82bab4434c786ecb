"""The tool runner over an async client: asyncio and trio, with the in-memory transport."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import trio

from openai_proto.errors import InvalidRequestError, LocalProtocolError
from openai_proto.structured.tool_runner import (
    AsyncChatCompletionRunner,
    current_async_library,
    run_tools,
    runnable_tool,
)
from tests.structured.test_tool_runner import SCRIPT, weather_tools
from tests.structured.test_tool_runner_helpers import (
    MODEL,
    USER,
    answers,
    asks,
    async_memory_client,
    function_call,
    memory_client,
    sent,
)

LOOPS = ["asyncio", "trio"]


def run_on(loop: str, main: Callable[[], Awaitable[Any]]) -> Any:
    if loop == "trio":
        return trio.run(main)
    return asyncio.run(main())  # type: ignore[arg-type]


def run(client: Any, **kwargs: Any) -> AsyncChatCompletionRunner[Any]:
    params: dict[str, Any] = {"model": MODEL, "messages": [USER], "tools": weather_tools()}
    runner = run_tools(client, **{**params, **kwargs})
    assert isinstance(runner, AsyncChatCompletionRunner)
    return runner


@pytest.mark.parametrize("loop", LOOPS)
@pytest.mark.parametrize("stream", [False, True])
def test_async_runs_send_what_sync_runs_send(loop: str, stream: bool) -> None:
    sync_client, sync_transport = memory_client(*SCRIPT, stream=stream)
    sync_runner = run_tools(
        sync_client, model=MODEL, messages=[USER], tools=weather_tools(), stream=stream
    )
    sync_events = [event.type for event in sync_runner]
    client, transport = async_memory_client(*SCRIPT, stream=stream)

    async def main() -> list[str]:
        runner = run(client, stream=stream)
        events = [event.type async for event in runner]
        assert await runner.final_content() == sync_runner.final_content()
        assert await runner.all_chat_completions() == sync_runner.all_chat_completions()
        assert await runner.total_usage() == sync_runner.total_usage()
        assert runner.messages == sync_runner.messages
        assert runner.stop_reason == "answered"
        return events

    assert run_on(loop, main) == sync_events
    assert sent(transport) == sent(sync_transport)
    assert transport.open_responses == 0


@pytest.mark.parametrize("loop", LOOPS)
def test_the_final_accessors_run_the_loop(loop: str) -> None:
    client, _ = async_memory_client(*SCRIPT)

    async def main() -> None:
        runner = run(client)
        call = await runner.final_function_tool_call()
        assert call is not None
        assert call.id == "call_rome"
        assert await runner.final_function_tool_call_result() == '{"city":"Rome","celsius":24}'
        message = await runner.final_message()
        assert message.content == "18°C in Paris, 24°C in Rome."
        assert (await runner.final_chat_completion()).id == "chatcmpl-3"
        results = await runner.all_function_tool_call_results()
        assert [r.tool_call_id for r in results] == ["call_loc", "call_paris", "call_rome"]
        assert await runner.until_done() is runner

    run_on(loop, main)


# -- concurrency ----------------------------------------------------------------------------


def rendezvous_tools(loop: str, timeout: float) -> list[Any]:
    """Two async tools that each wait until the other has started: both finish only when
    they run concurrently; otherwise the first one times out."""
    started: dict[str, Any] = {}

    def tool(name: str, other: str) -> Any:
        async def meet(_: object) -> str:
            if not started:
                kind = trio.Event if loop == "trio" else asyncio.Event
                started.update(ping=kind(), pong=kind())
            started[name].set()
            if loop == "trio":
                with trio.fail_after(timeout):
                    await started[other].wait()
            else:
                await asyncio.wait_for(started[other].wait(), timeout)
            return f"{name} met {other}"

        return runnable_tool(meet, name=name)

    return [tool("ping", "pong"), tool("pong", "ping")]


BOTH = asks(function_call("c1", "ping", {}), function_call("c2", "pong", {}))


@pytest.mark.parametrize("loop", LOOPS)
def test_async_tools_of_a_round_run_concurrently(loop: str) -> None:
    client, _ = async_memory_client(BOTH, answers("met"))

    async def main() -> list[tuple[str, str]]:
        runner = run(client, tools=rendezvous_tools(loop, 10))
        return [(r.status, r.content) for r in await runner.all_function_tool_call_results()]

    assert run_on(loop, main) == [("ok", "ping met pong"), ("ok", "pong met ping")]


@pytest.mark.parametrize("loop", LOOPS)
def test_max_concurrency_one_runs_them_in_order(loop: str) -> None:
    client, _ = async_memory_client(BOTH, answers("met"))

    async def main() -> list[str]:
        runner = run(client, tools=rendezvous_tools(loop, 0.05), max_concurrency=1)
        results = await runner.all_function_tool_call_results()
        assert isinstance(results[0].error, (TimeoutError, trio.TooSlowError))
        return [r.status for r in results]

    assert run_on(loop, main) == ["tool_error", "ok"]


@pytest.mark.parametrize("loop", LOOPS)
def test_a_concurrency_limit_keeps_every_call_in_its_place(loop: str) -> None:
    calls = [function_call(f"c{n}", "slow", {"n": n}) for n in range(5)]
    client, transport = async_memory_client(asks(*calls), answers("done"))
    running = {"now": 0, "most": 0}

    async def slow(args: dict[str, int]) -> int:
        running["now"] += 1
        running["most"] = max(running["most"], running["now"])
        await (trio.sleep(0.01 * (5 - args["n"])) if loop == "trio" else asyncio.sleep(0.01))
        running["now"] -= 1
        return args["n"] * 10

    async def main() -> None:
        await run(client, tools=[runnable_tool(slow)], max_concurrency=2).until_done()

    run_on(loop, main)
    assert running["most"] == 2
    tool_messages = sent(transport)[1]["messages"][2:]
    assert [(m["tool_call_id"], m["content"]) for m in tool_messages] == [
        (f"c{n}", str(n * 10)) for n in range(5)
    ]


@pytest.mark.parametrize("loop", LOOPS)
def test_sync_and_async_tools_mix_and_errors_come_back(loop: str) -> None:
    def sync_tool(args: dict[str, str]) -> str:
        return "sync " + args["x"]

    async def async_tool(args: dict[str, str]) -> str:
        raise ValueError("async " + args["x"])

    both = asks(
        function_call("c1", "sync_tool", {"x": "a"}), function_call("c2", "async_tool", {"x": "b"})
    )
    client, transport = async_memory_client(both, answers("done"))

    async def main() -> None:
        tools = [runnable_tool(sync_tool), runnable_tool(async_tool)]
        await run(client, tools=tools).until_done()

    run_on(loop, main)
    assert [m["content"] for m in sent(transport)[1]["messages"][2:]] == [
        "sync a",
        'Error running tool_call "async_tool": ValueError: async b',
    ]


# -- closing, failures, the loop ------------------------------------------------------------


@pytest.mark.parametrize("loop", LOOPS)
def test_leaving_an_async_streamed_run_early_closes_the_response(loop: str) -> None:
    client, transport = async_memory_client(*SCRIPT, stream=True)

    async def main() -> None:
        async with run(client, stream=True) as runner:
            async for event in runner:
                if event.type == "chunk":
                    break
            assert transport.open_responses == 1
        assert transport.open_responses == 0
        with pytest.raises(LocalProtocolError, match="closed before the run ended"):
            await runner.final_content()

    run_on(loop, main)


@pytest.mark.parametrize("loop", LOOPS)
def test_a_protocol_error_is_raised_again_by_the_accessors(loop: str) -> None:
    client, _ = async_memory_client({**answers("x"), "choices": "none"})

    async def main() -> None:
        runner = run(client)
        with pytest.raises(Exception, match="has no choices") as first:
            await runner.until_done()
        with pytest.raises(Exception, match="has no choices") as second:
            await runner.final_content()
        assert first.value is second.value
        assert [event async for event in runner] == []

    run_on(loop, main)


@pytest.mark.parametrize("loop", LOOPS)
def test_a_cancelled_run_is_left_unfinished(loop: str) -> None:
    async def forever(_: object) -> None:
        await (trio.sleep_forever() if loop == "trio" else asyncio.Event().wait())

    client, transport = async_memory_client(asks(function_call("c1", "forever", {})))

    async def main() -> None:
        runner = run(client, tools=[runnable_tool(forever)])
        if loop == "trio":
            with trio.move_on_after(0.05) as scope:
                await runner.until_done()
            assert scope.cancelled_caught
        else:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(runner.until_done(), 0.05)
        assert runner.stop_reason is None
        with pytest.raises(LocalProtocolError, match="closed before the run ended"):
            await runner.final_content()

    run_on(loop, main)
    assert len(transport.requests) == 1


def test_an_async_runner_refuses_nothing_a_sync_one_would() -> None:
    async def weather(_: object) -> str:
        return "sunny"

    client, _ = async_memory_client(answers("x"))
    runner = run(client, tools=[runnable_tool(weather)])
    assert runner.stop_reason is None
    sync_client, _ = memory_client(answers("x"))
    with pytest.raises(InvalidRequestError, match="'weather' is async"):
        run_tools(sync_client, model=MODEL, messages=[USER], tools=[runnable_tool(weather)])


def test_the_running_library_is_found() -> None:
    async def which() -> str:
        return current_async_library()

    assert asyncio.run(which()) == "asyncio"
    assert trio.run(which) == "trio"
    assert current_async_library() == "asyncio"  # outside any loop: the default
