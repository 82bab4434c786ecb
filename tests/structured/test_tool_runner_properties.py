"""Properties of the tool runner, for any script of rounds the model might play.

A script is a list of rounds; each round is the model's completion: calls (of a tool that
adds, one that raises, one the runner lacks; with good or malformed arguments) or a final
answer. The properties, checked against a small reference model of the loop:

* the runner asks for ``min(rounds up to the first answer, max_rounds)`` completions, and
  ``all_chat_completions()`` are exactly the completions replayed, in order;
* request ``k`` carries the first messages, then for each earlier round its assistant
  message followed by one tool message per call, with the call's id, in call order;
* the conversation the runner holds is the last request's plus what the last round added;
* sync, asyncio, trio and streamed runs send the same conversations.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import trio
from hypothesis import given
from hypothesis import strategies as st

from openai_proto.models import unstructure
from openai_proto.structured.tool_runner import run_tools, runnable_tool
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

Json = dict[str, Any]


def add(args: dict[str, int]) -> int:
    return args["a"] + args["b"]


def fail(args: dict[str, int]) -> int:
    raise ArithmeticError(f"cannot {args['a']}")


TOOLS = [runnable_tool(add), runnable_tool(fail)]

calls = st.tuples(
    st.sampled_from(["add", "fail", "missing"]),
    st.integers(-50, 50),
    st.integers(-50, 50),
    st.booleans(),  # well-formed arguments
)
rounds = st.lists(st.lists(calls, max_size=3), min_size=1, max_size=5)


def script_of(drawn: list[list[tuple[str, int, int, bool]]]) -> list[Json]:
    """The completions: each round's calls (an empty round is an answer), then an answer."""
    bodies = []
    for number, round_calls in enumerate(drawn, start=1):
        if not round_calls:
            bodies.append(answers(f"answer {number}", number=number))
            continue
        made = [
            function_call(
                f"call_{number}_{index}",
                name,
                {"a": a, "b": b} if good else '{"a": ' + str(a),
            )
            for index, (name, a, b, good) in enumerate(round_calls)
        ]
        bodies.append(asks(*made, number=number))
    return [*bodies, answers("the end", number=len(bodies) + 1)]


def expected_answer(call: Json) -> str:
    """What the reference loop sends back for one call."""
    name, text = call["function"]["name"], call["function"]["arguments"]
    if name == "missing":
        return (
            'Invalid tool_call: "missing". Available options are: "add", "fail". Please try again'
        )
    try:
        args = json.loads(text)
    except json.JSONDecodeError as error:
        return (
            f'Invalid arguments for tool_call "{name}": JSONDecodeError: {error}. Please try again'
        )
    if name == "fail":
        return f'Error running tool_call "fail": ArithmeticError: cannot {args["a"]}'
    return str(args["a"] + args["b"])


def added_by(body: Json) -> list[Json]:
    """The messages a round adds: the assistant's, then one per call."""
    calls = body["choices"][0]["message"].get("tool_calls") or []
    return [assistant(body)] + [tool_message(c["id"], expected_answer(c)) for c in calls]


def expected_run(script: list[Json], max_rounds: int) -> tuple[int, list[list[Json]], list[Json]]:
    """Completions asked for, the messages of each request, and the final conversation."""
    first_answer = next(
        i for i, body in enumerate(script) if body["choices"][0]["finish_reason"] == "stop"
    )
    count = min(first_answer + 1, max_rounds)
    conversation: list[Json] = [USER]
    requests = []
    for body in script[:count]:
        requests.append(list(conversation))
        conversation += added_by(body)
    return count, requests, conversation


def check_alternation(messages: list[Json]) -> None:
    """Every assistant message with calls is followed by one tool message per call, in order."""
    position = 1
    while position < len(messages):
        message = messages[position]
        assert message["role"] == "assistant"
        ids = [call["id"] for call in message.get("tool_calls", [])]
        answered = messages[position + 1 : position + 1 + len(ids)]
        assert [(m["role"], m["tool_call_id"]) for m in answered] == [("tool", i) for i in ids]
        position += 1 + len(ids)


@given(rounds, st.integers(1, 6))
def test_any_script_replays_as_a_well_formed_conversation(
    drawn: list[list[tuple[str, int, int, bool]]], max_rounds: int
) -> None:
    script = script_of(drawn)
    count, requests, conversation = expected_run(script, max_rounds)
    client, transport = memory_client(*script)
    runner = run_tools(client, model=MODEL, messages=[USER], tools=TOOLS, max_rounds=max_rounds)

    assert [unstructure(c) for c in runner.all_chat_completions()] == script[:count]
    assert [body["messages"] for body in sent(transport)] == requests
    assert runner.messages == conversation
    check_alternation(runner.messages)
    answered = script[count - 1]["choices"][0]["finish_reason"] == "stop"
    assert runner.stop_reason == ("answered" if answered else "max_rounds")
    results = runner.all_function_tool_call_results()
    assert [r.content for r in results] == [
        m["content"] for m in conversation if m["role"] == "tool"
    ]
    assert all((r.error is None) == (r.status in ("ok", "invalid_tool")) for r in results)


@given(rounds, st.integers(1, 4), st.sampled_from(["asyncio", "trio", "stream"]))
def test_every_driver_sends_the_same_conversations(
    drawn: list[list[tuple[str, int, int, bool]]], max_rounds: int, driver: str
) -> None:
    script = script_of(drawn)
    client, transport = memory_client(*script)
    expected = run_tools(client, model=MODEL, messages=[USER], tools=TOOLS, max_rounds=max_rounds)
    expected.until_done()

    other_transport: Any
    if driver == "stream":
        other, other_transport = memory_client(*script, stream=True)
        runner = run_tools(
            other, model=MODEL, messages=[USER], tools=TOOLS, max_rounds=max_rounds, stream=True
        )
        messages = runner.until_done().messages
    else:
        aclient, other_transport = async_memory_client(*script)

        async def main() -> list[Any]:
            runner = run_tools(
                aclient, model=MODEL, messages=[USER], tools=TOOLS, max_rounds=max_rounds
            )
            return (await runner.until_done()).messages

        messages = asyncio.run(main()) if driver == "asyncio" else trio.run(main)

    assert messages == expected.messages
    assert [b["messages"] for b in sent(other_transport)] == [
        b["messages"] for b in sent(transport)
    ]
