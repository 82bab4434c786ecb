"""The tool runner over a sync client and the in-memory transport."""

from __future__ import annotations

import dataclasses
import enum
import json
import re
import threading
from collections.abc import Coroutine
from typing import Any

import attrs
import pytest
from typing_extensions import assert_type

from openai_proto import Client, Config
from openai_proto.errors import (
    BadRequestError,
    InvalidRequestError,
    LocalProtocolError,
    RemoteProtocolError,
)
from openai_proto.models import unstructure
from openai_proto.streams.chat import ContentDeltaEvent
from openai_proto.structured.tool_runner import (
    INVALID_ARGUMENTS,
    AsyncChatCompletionRunner,
    ChatCompletionRunner,
    ContentEvent,
    FunctionToolCallResultEvent,
    RunnerEvent,
    StreamingRunnerEvent,
    run_tools,
    runnable_tool,
)
from openai_proto.testing import memory
from openai_proto.types import ChatCompletionMessageToolCall
from tests.structured.test_tool_runner_helpers import (
    MODEL,
    USER,
    answers,
    asks,
    assistant,
    async_memory_client,
    function_call,
    memory_client,
    sent,
    tool_message,
)

CITY = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
TEMPERATURES = {"Paris": 18, "Rome": 24}


def get_location(_: object) -> str:
    """Where the user is."""
    return "Paris"


def get_weather(args: dict[str, Any]) -> dict[str, Any]:
    return {"city": args["city"], "celsius": TEMPERATURES[args["city"]]}


def weather_tools() -> list[Any]:
    return [
        runnable_tool(get_location),
        runnable_tool(get_weather, parameters=CITY, description="The weather in a city."),
    ]


LOCATION = function_call("call_loc", "get_location", {})
PARIS = function_call("call_paris", "get_weather", {"city": "Paris"})
ROME = function_call("call_rome", "get_weather", {"city": "Rome"})
SCRIPT = [
    asks(LOCATION, number=1),
    asks(PARIS, ROME, number=2),
    answers("18°C in Paris, 24°C in Rome.", number=3),
]


def run(client: Client, **kwargs: Any) -> ChatCompletionRunner[Any]:
    params: dict[str, Any] = {"model": MODEL, "messages": [USER], "tools": weather_tools()}
    return run_tools(client, **{**params, **kwargs})


# -- the loop -------------------------------------------------------------------------------


def test_each_request_carries_the_conversation_so_far() -> None:
    client, transport = memory_client(*SCRIPT)
    messages = [USER]
    runner = run_tools(
        client, model=MODEL, messages=messages, tools=weather_tools(), temperature=0.0
    )
    assert transport.requests == []  # nothing is sent before the runner is used
    assert runner.final_content() == "18°C in Paris, 24°C in Rome."

    history = [
        USER,
        assistant(SCRIPT[0]),
        tool_message("call_loc", "Paris"),
        assistant(SCRIPT[1]),
        tool_message("call_paris", '{"city":"Paris","celsius":18}'),
        tool_message("call_rome", '{"city":"Rome","celsius":24}'),
    ]
    bodies = sent(transport)
    assert [body["messages"] for body in bodies] == [history[:1], history[:3], history]
    assert history[1] == {"role": "assistant", "content": None, "tool_calls": [LOCATION]}
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_location",
                "parameters": {"type": "object", "properties": {}},
                "description": "Where the user is.",
            },
        },
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": CITY,
                "description": "The weather in a city.",
            },
        },
    ]
    for body in bodies:
        assert body["tools"] == tools
        assert (body["model"], body["temperature"]) == (MODEL, 0.0)
        assert "stream" not in body
    assert runner.messages == [*history, assistant(SCRIPT[2])]
    assert messages == [USER]  # the caller's list is left alone
    assert runner.stop_reason == "answered"


def test_final_accessors() -> None:
    client, _ = memory_client(*SCRIPT)
    runner = run(client)
    assert [unstructure(c) for c in runner.all_chat_completions()] == SCRIPT
    assert unstructure(runner.final_chat_completion()) == SCRIPT[-1]
    assert unstructure(runner.final_message()) == SCRIPT[-1]["choices"][0]["message"]
    call = runner.final_function_tool_call()
    assert isinstance(call, ChatCompletionMessageToolCall)
    assert unstructure(call) == ROME
    assert runner.final_function_tool_call_result() == '{"city":"Rome","celsius":24}'
    usage = runner.total_usage()
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (60, 21, 81)
    results = runner.all_function_tool_call_results()
    assert [(r.name, r.status, r.parsed_arguments, r.result) for r in results] == [
        ("get_location", "ok", {}, "Paris"),
        ("get_weather", "ok", {"city": "Paris"}, {"city": "Paris", "celsius": 18}),
        ("get_weather", "ok", {"city": "Rome"}, {"city": "Rome", "celsius": 24}),
    ]
    assert "sk-test" not in repr(runner)
    assert repr(runner) == (
        "<ChatCompletionRunner completions=3 tool_calls=3 stop_reason='answered'>"
    )


def test_events_come_in_order() -> None:
    client, _ = memory_client(*SCRIPT)
    seen = []
    for event in run(client):
        if event.type == "message":
            seen.append(("message", event.message["role"]))
        elif event.type == "function_tool_call":
            seen.append(("call", event.id))
        elif event.type == "function_tool_call_result":
            seen.append(("result", event.tool_call_id))
        elif event.type == "content":
            seen.append(("content", event.content))
        else:
            seen.append((event.type, event.completion.id))
    assert seen == [
        ("chat_completion", "chatcmpl-1"),
        ("message", "assistant"),
        ("call", "call_loc"),
        ("message", "tool"),
        ("result", "call_loc"),
        ("chat_completion", "chatcmpl-2"),
        ("message", "assistant"),
        ("call", "call_paris"),
        ("call", "call_rome"),
        ("message", "tool"),
        ("result", "call_paris"),
        ("message", "tool"),
        ("result", "call_rome"),
        ("chat_completion", "chatcmpl-3"),
        ("message", "assistant"),
        ("content", "18°C in Paris, 24°C in Rome."),
    ]


def test_assistant_text_next_to_tool_calls_is_kept_and_reported() -> None:
    body = asks(PARIS, content="Let me look that up.")
    client, transport = memory_client(body, answers("18°C"))
    runner = run(client)
    contents = [event.content for event in runner if event.type == "content"]
    assert contents == ["Let me look that up.", "18°C"]
    assert sent(transport)[1]["messages"][1] == {
        "role": "assistant",
        "content": "Let me look that up.",
        "tool_calls": [PARIS],
    }


def test_a_tool_that_raises_is_answered_with_the_error() -> None:
    failure = ConnectionError("weather service down")

    def flaky_weather(args: dict[str, Any]) -> str:
        raise failure

    tool = runnable_tool(flaky_weather, name="get_weather", parameters=CITY)
    client, transport = memory_client(asks(PARIS), answers("Sorry, no weather today."))
    runner = run_tools(client, model=MODEL, messages=[USER], tools=[tool])
    (result,) = [event for event in runner if event.type == "function_tool_call_result"]
    text = 'Error running tool_call "get_weather": ConnectionError: weather service down'
    assert result.status == "tool_error"
    assert result.error is failure
    assert (result.content, result.parsed_arguments, result.result) == (
        text,
        {"city": "Paris"},
        None,
    )
    assert sent(transport)[1]["messages"][-1] == tool_message("call_paris", text)
    assert runner.final_content() == "Sorry, no weather today."


def test_an_exception_without_message_shows_its_type() -> None:
    def broken(_: object) -> None:
        raise KeyError

    client, transport = memory_client(asks(function_call("c1", "broken", {})), answers("ok"))
    run_tools(client, model=MODEL, messages=[USER], tools=[runnable_tool(broken)]).until_done()
    assert sent(transport)[1]["messages"][-1]["content"] == (
        'Error running tool_call "broken": KeyError'
    )


def test_malformed_arguments_are_sent_back_without_calling_the_tool() -> None:
    calls: list[object] = []

    def weather(args: dict[str, Any]) -> str:
        calls.append(args)
        return "sunny"

    bad = function_call("call_bad", "weather", '{"city": "Par')
    good = function_call("call_good", "weather", {"city": "Paris"})
    client, transport = memory_client(asks(bad), asks(good, number=2), answers("Sunny."))
    runner = run_tools(client, model=MODEL, messages=[USER], tools=[runnable_tool(weather)])
    results = runner.all_function_tool_call_results()
    assert calls == [{"city": "Paris"}]
    assert [r.status for r in results] == ["invalid_arguments", "ok"]
    error = results[0].error
    assert isinstance(error, json.JSONDecodeError)
    expected = (
        f'Invalid arguments for tool_call "weather": JSONDecodeError: {error}. Please try again'
    )
    assert results[0].content == expected
    assert expected == INVALID_ARGUMENTS.format(name='"weather"', error=f"JSONDecodeError: {error}")
    assert results[0].parsed_arguments is None
    assert sent(transport)[1]["messages"][-1] == tool_message("call_bad", expected)


def test_a_call_of_a_tool_the_runner_lacks_is_answered() -> None:
    unknown = function_call("call_x", "get_forecast", {"city": "Paris"})
    client, transport = memory_client(asks(unknown), answers("done"))
    runner = run(client).until_done()
    text = (
        'Invalid tool_call: "get_forecast". Available options are: "get_location", '
        '"get_weather". Please try again'
    )
    (result,) = runner.all_function_tool_call_results()
    assert (result.status, result.content, result.error) == ("invalid_tool", text, None)
    assert sent(transport)[1]["messages"][-1] == tool_message("call_x", text)


def test_custom_tool_calls_are_answered_but_not_run() -> None:
    custom = {"id": "call_c", "type": "custom", "custom": {"name": "grep", "input": "x"}}
    client, transport = memory_client(asks(custom), answers("done"))
    grammar = {"type": "custom", "custom": {"name": "grep"}}
    runner = run_tools(
        client, model=MODEL, messages=[USER], tools=[runnable_tool(get_location), grammar]
    )
    events = list(runner)
    text = 'Invalid tool_call: "grep". Available options are: "get_location". Please try again'
    assert sent(transport)[0]["tools"][1] == grammar
    assert sent(transport)[1]["messages"][1:] == [
        {"role": "assistant", "content": None, "tool_calls": [custom]},
        tool_message("call_c", text),
    ]
    assert not [e for e in events if e.type in ("function_tool_call", "function_tool_call_result")]
    assert runner.final_function_tool_call() is None
    assert runner.final_function_tool_call_result() is None


# -- the round limit and forced tool choice -------------------------------------------------


def test_the_round_limit_stops_the_loop_after_running_the_last_tools() -> None:
    client, transport = memory_client(asks(PARIS))  # asks for tools forever
    runner = run(client, max_rounds=3)
    assert runner.final_content() is None
    assert runner.stop_reason == "max_rounds"
    assert len(transport.requests) == 3
    assert len(runner.all_chat_completions()) == 3
    assert runner.messages[-1] == tool_message("call_paris", '{"city":"Paris","celsius":18}')
    assert len(runner.messages) == 1 + 3 * 2


def test_the_default_round_limit_is_ten() -> None:
    client, transport = memory_client(asks(PARIS))
    assert run(client).until_done().stop_reason == "max_rounds"
    assert len(transport.requests) == 10


FORCED = {"type": "function", "function": {"name": "get_weather"}}


def test_a_forced_tool_choice_stops_once_that_tool_ran() -> None:
    client, transport = memory_client(asks(PARIS), answers("never asked for"))
    runner = run(client, tool_choice=FORCED)
    assert runner.final_function_tool_call_result() == '{"city":"Paris","celsius":18}'
    assert runner.stop_reason == "forced_tool_called"
    assert len(transport.requests) == 1
    assert sent(transport)[0]["tool_choice"] == FORCED
    assert runner.final_content() is None


def test_a_forced_tool_choice_loops_to_recover_from_bad_arguments_and_other_tools() -> None:
    bad = function_call("call_bad", "get_weather", "{")
    other = function_call("call_loc", "get_location", {})
    client, transport = memory_client(asks(bad), asks(other, number=2), asks(PARIS, number=3))
    runner = run(client, tool_choice=FORCED)
    results = runner.all_function_tool_call_results()
    assert [r.status for r in results] == ["invalid_arguments", "invalid_tool", "ok"]
    assert results[1].content == (
        'Invalid tool_call: "get_location". "get_weather" requested. Please try again'
    )
    assert runner.stop_reason == "forced_tool_called"
    assert [body["tool_choice"] for body in sent(transport)] == [FORCED] * 3


def test_a_forced_tool_that_raised_has_run() -> None:
    def weather(_: object) -> None:
        raise RuntimeError("no")

    client, transport = memory_client(asks(function_call("c", "weather", {})))
    forced = {"type": "function", "function": {"name": "weather"}}
    runner = run_tools(
        client, model=MODEL, messages=[USER], tools=[runnable_tool(weather)], tool_choice=forced
    )
    assert runner.final_function_tool_call_result() == (
        'Error running tool_call "weather": RuntimeError: no'
    )
    assert runner.stop_reason == "forced_tool_called"
    assert len(transport.requests) == 1


def test_required_tool_choice_is_not_a_forced_function() -> None:
    client, transport = memory_client(asks(PARIS), answers("done"))
    assert run(client, tool_choice="required").final_content() == "done"
    assert len(transport.requests) == 2


# -- what tools return ----------------------------------------------------------------------


@attrs.define
class Reading:
    city: str
    celsius: float


@dataclasses.dataclass
class Report:
    readings: list[Reading]
    note: str | None = None


class Sky(enum.Enum):
    CLEAR = "clear"


@pytest.mark.parametrize(
    ("value", "content"),
    [
        ("plain text", "plain text"),
        (Reading("Paris", 18.5), '{"city":"Paris","celsius":18.5}'),
        (Report([Reading("Rome", 24)]), '{"readings":[{"city":"Rome","celsius":24}],"note":null}'),
        (Sky.CLEAR, '"clear"'),
        ({"sky": Sky.CLEAR, "ok": True}, '{"sky":"clear","ok":true}'),
        (None, "null"),
        ((1, "é"), '[1,"é"]'),
    ],
)
def test_results_that_are_not_text_are_sent_as_json(value: object, content: str) -> None:
    client, transport = memory_client(asks(function_call("c", "report", {})), answers("ok"))
    tool = runnable_tool(lambda _: value, name="report")
    runner = run_tools(client, model=MODEL, messages=[USER], tools=[tool])
    (result,) = runner.all_function_tool_call_results()
    assert (result.status, result.content, result.result) == ("ok", content, value)
    assert sent(transport)[1]["messages"][-1]["content"] == content


def test_a_result_json_cannot_hold_is_a_tool_error() -> None:
    client, _ = memory_client(asks(function_call("c", "raw", {})), answers("ok"))
    tool = runnable_tool(lambda _: b"\x00", name="raw")
    (result,) = run_tools(
        client, model=MODEL, messages=[USER], tools=[tool]
    ).all_function_tool_call_results()
    assert result.status == "tool_error"
    assert isinstance(result.error, TypeError)
    assert result.result == b"\x00"
    assert (
        result.content == 'Error running tool_call "raw": TypeError: a bytes cannot be sent as JSON'
    )


# -- the shapes of tools --------------------------------------------------------------------


def test_node_style_dict_tools() -> None:
    seen: list[object] = []

    def weather(args: object) -> str:
        seen.append(args)
        return "sunny"

    tools = [
        {
            "type": "function",
            "function": {
                "function": weather,
                "parse": lambda text: json.loads(text)["city"].upper(),
                "name": "get_weather",
                "parameters": CITY,
                "strict": True,
            },
        },
        {"type": "function", "function": {"function": weather, "parse": None, "name": "raw"}},
    ]
    raw = function_call("call_raw", "raw", '{"any": "text"}')
    client, transport = memory_client(asks(PARIS, raw), answers("done"))
    run_tools(client, model=MODEL, messages=[USER], tools=tools).until_done()
    assert seen == ["PARIS", '{"any": "text"}']
    assert sent(transport)[0]["tools"] == [
        {
            "type": "function",
            "function": {"name": "get_weather", "parameters": CITY, "strict": True},
        },
        {
            "type": "function",
            "function": {"name": "raw", "parameters": {"type": "object", "properties": {}}},
        },
    ]


class ArgumentsError(InvalidRequestError):
    pass


@attrs.frozen
class TypedTool:
    """A tool of the shape ``function_tool`` makes, parsing into an attrs class."""

    function: Any
    name: str = "get_weather"
    description: str | None = None
    strict: bool = True

    def chat_param(self) -> dict[str, Any]:
        return {"type": "function", "function": {"name": self.name, "parameters": CITY}}

    def invoke(self, arguments: Reading) -> Any:
        return self.function(arguments)

    def parse_arguments(self, text: str) -> Reading:
        value = json.loads(text)
        if not isinstance(value, dict) or set(value) != {"city"}:
            raise ArgumentsError(f"arguments must be an object with a city: {text}")
        return Reading(value["city"], float(TEMPERATURES.get(value["city"], 0)))


def test_tools_of_the_function_tool_shape_get_parsed_instances() -> None:
    got: list[Reading] = []

    def weather(reading: Reading) -> Reading:
        got.append(reading)
        return reading

    tool = TypedTool(weather)
    wrong = function_call("call_wrong", "get_weather", {"town": "Paris"})
    client, transport = memory_client(asks(wrong, PARIS), answers("done"))
    runner = run_tools(client, model=MODEL, messages=[USER], tools=[tool])
    results = runner.all_function_tool_call_results()
    assert got == [Reading("Paris", 18.0)]
    assert [r.status for r in results] == ["invalid_arguments", "ok"]
    assert isinstance(results[0].error, ArgumentsError)
    assert results[0].content == (
        'Invalid arguments for tool_call "get_weather": ArgumentsError: arguments must be an '
        'object with a city: {"town": "Paris"}. Please try again'
    )
    assert results[1].content == '{"city":"Paris","celsius":18.0}'
    assert sent(transport)[0]["tools"] == [tool.chat_param()]


# -- bad input ------------------------------------------------------------------------------


async def _async_tool(_: object) -> str:
    return "x"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tools": "get_weather"}, "tools must be a list"),
        ({"tools": [object()]}, "tools[0] is not a tool: object"),
        ({"tools": [runnable_tool(get_location)] * 2}, "two tools are named 'get_location'"),
        (
            {"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]},
            "tool 'f' has no function for the runner to call",
        ),
        ({"tools": [TypedTool(None)]}, "tool 'get_weather' has no function"),
        ({"tools": [runnable_tool(_async_tool)]}, "tool '_async_tool' is async"),
        ({"max_rounds": 0}, "max_rounds must be a positive integer, not 0"),
        ({"max_rounds": True}, "max_rounds must be a positive integer"),
        ({"messages": "hi"}, "messages must be a list"),
        ({"max_concurrency": 0}, "max_concurrency must be at least 1"),
        (
            {"tool_choice": {"type": "function", "function": {"name": "nope"}}},
            "tool_choice forces 'nope', which is not one of the tools",
        ),
    ],
)
def test_bad_arguments_raise_before_anything_is_sent(changes: dict[str, Any], message: str) -> None:
    client, transport = memory_client(answers("x"))
    with pytest.raises(InvalidRequestError, match=re.escape(message)):
        run(client, **changes)
    assert transport.requests == []


def test_unknown_create_parameters_raise_type_error_at_once() -> None:
    client, transport = memory_client(answers("x"))
    with pytest.raises(TypeError, match="temprature"):
        run(client, temprature=0.5)
    assert transport.requests == []


@pytest.mark.parametrize("name", [None, "has space", "x" * 65])
def test_runnable_tool_needs_a_valid_name(name: str | None) -> None:
    with pytest.raises(InvalidRequestError, match="is not 1 to 64 letters"):
        runnable_tool(lambda _: None, name=name)


def test_runnable_tool_needs_a_callable_and_schema() -> None:
    with pytest.raises(InvalidRequestError, match="must be callable"):
        runnable_tool("get_weather")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="parameters must be a JSON schema"):
        runnable_tool(get_location, parameters=["city"])  # type: ignore[arg-type]


def test_run_tools_needs_a_client() -> None:
    with pytest.raises(InvalidRequestError, match="needs an openai_proto client, not str"):
        run_tools("client", model=MODEL, messages=[], tools=[])  # type: ignore[call-overload]


def test_an_awaitable_from_a_tool_on_a_sync_client_is_refused() -> None:
    class Sneaky:
        __name__ = "sneaky"

        def __call__(self, _: object) -> Coroutine[Any, Any, str]:
            return _async_tool(None)

    client, transport = memory_client(asks(function_call("c", "sneaky", {})))
    runner = run_tools(client, model=MODEL, messages=[USER], tools=[runnable_tool(Sneaky())])
    with pytest.raises(InvalidRequestError, match="'sneaky' returned an awaitable"):
        runner.until_done()
    assert len(transport.requests) == 1


# -- failures and closing -------------------------------------------------------------------


def test_an_api_error_ends_the_run_and_the_accessors_raise_it() -> None:
    error = {"error": {"message": "bad tool schema", "type": "invalid_request_error"}}
    transport = memory.MemoryTransport(
        memory.replay(memory.json_reply(asks(PARIS)), memory.json_reply(error, 400))
    )
    client = Client(transport, Config(api_key="sk-test", max_retries=0))
    runner = run(client)
    with pytest.raises(BadRequestError, match="bad tool schema") as raised:
        list(runner)
    assert list(runner) == []
    with pytest.raises(BadRequestError) as again:
        runner.final_content()
    assert again.value is raised.value
    assert runner.stop_reason is None
    assert runner.messages[-1] == tool_message("call_paris", '{"city":"Paris","celsius":18}')
    assert len(transport.requests) == 2


def test_a_completion_without_choices_is_a_protocol_error() -> None:
    body = {**answers("x"), "choices": []}
    client, _ = memory_client(body)
    with pytest.raises(RemoteProtocolError, match="has no choices"):
        run(client).until_done()


def test_closing_early_stops_and_the_accessors_say_so() -> None:
    client, transport = memory_client(*SCRIPT)
    with run(client) as runner:
        first = next(iter(runner))
        assert first.type == "chat_completion"
    assert list(runner) == []
    assert len(transport.requests) == 1
    with pytest.raises(LocalProtocolError, match="closed before the run ended"):
        runner.final_content()


def test_a_raw_response_client_works_too() -> None:
    client, _ = memory_client(*SCRIPT)
    runner = run_tools(
        client.with_raw_response, model=MODEL, messages=[USER], tools=weather_tools()
    )
    assert runner.final_content() == "18°C in Paris, 24°C in Rome."


# -- threads --------------------------------------------------------------------------------


def rendezvous_tools(timeout: float) -> list[Any]:
    """Two tools that each wait for the other to have started: they finish only when
    they run at the same time."""
    started = {"ping": threading.Event(), "pong": threading.Event()}

    def tool(name: str, other: str) -> Any:
        def run(_: object) -> str:
            started[name].set()
            if not started[other].wait(timeout):
                raise TimeoutError(f"{other} did not start")
            return f"{name} met {other}"

        return runnable_tool(run, name=name)

    return [tool("ping", "pong"), tool("pong", "ping")]


BOTH = asks(function_call("c1", "ping", {}), function_call("c2", "pong", {}))


def test_threads_run_a_rounds_calls_at_once() -> None:
    client, _ = memory_client(BOTH, answers("met"))
    runner = run_tools(
        client, model=MODEL, messages=[USER], tools=rendezvous_tools(10), max_concurrency=2
    )
    results = runner.all_function_tool_call_results()
    assert [(r.status, r.content) for r in results] == [
        ("ok", "ping met pong"),
        ("ok", "pong met ping"),
    ]


def test_by_default_a_sync_runner_runs_calls_one_after_another() -> None:
    client, _ = memory_client(BOTH, answers("met"))
    runner = run_tools(client, model=MODEL, messages=[USER], tools=rendezvous_tools(0.05))
    results: list[FunctionToolCallResultEvent] = runner.all_function_tool_call_results()
    assert [(r.status, r.content) for r in results] == [
        ("tool_error", 'Error running tool_call "ping": TimeoutError: pong did not start'),
        ("ok", "pong met ping"),
    ]


# -- static types ---------------------------------------------------------------------------


def test_the_runner_types_follow_the_client_and_stream() -> None:
    """Checked by mypy (``assert_type``); at run time, the classes."""
    client, _ = memory_client(answers("x"))
    aclient, _ = async_memory_client(answers("x"))
    tools = weather_tools()
    plain = run_tools(client, model=MODEL, messages=[USER], tools=tools)
    assert_type(plain, ChatCompletionRunner[RunnerEvent])
    streamed = run_tools(client, model=MODEL, messages=[USER], tools=tools, stream=True)
    assert_type(streamed, ChatCompletionRunner[StreamingRunnerEvent])
    async_plain = run_tools(aclient, model=MODEL, messages=[USER], tools=tools)
    assert_type(async_plain, AsyncChatCompletionRunner[RunnerEvent])
    async_streamed = run_tools(aclient, model=MODEL, messages=[USER], tools=tools, stream=True)
    assert_type(async_streamed, AsyncChatCompletionRunner[StreamingRunnerEvent])
    assert isinstance(async_streamed, AsyncChatCompletionRunner)
    for event in plain:
        if event.type == "content":
            assert_type(event, ContentEvent)
            assert event.content == "x"
        elif event.type == "function_tool_call_result":
            assert_type(event, FunctionToolCallResultEvent)
    stream_client, _ = memory_client(answers("x"), stream=True)
    for any_event in run_tools(
        stream_client, model=MODEL, messages=[USER], tools=tools, stream=True
    ):
        if any_event.type == "content.delta":
            assert_type(any_event, ContentDeltaEvent)
