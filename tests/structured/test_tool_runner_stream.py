"""The streaming tool runner (``stream=True``) over a sync client and the in-memory transport."""

from __future__ import annotations

from typing import Any

import pytest

from openai_proto import Client, Config
from openai_proto.errors import RemoteProtocolError, StreamError
from openai_proto.models import unstructure
from openai_proto.structured.tool_runner import run_tools
from openai_proto.testing import memory
from tests.structured.test_tool_runner import SCRIPT, weather_tools
from tests.structured.test_tool_runner_helpers import MODEL, USER, memory_client, sent


def run(client: Client, **kwargs: Any) -> Any:
    return run_tools(
        client, model=MODEL, messages=[USER], tools=weather_tools(), stream=True, **kwargs
    )


def test_a_streamed_run_holds_the_same_conversation_as_a_plain_one() -> None:
    plain_client, plain_transport = memory_client(*SCRIPT)
    plain = run_tools(plain_client, model=MODEL, messages=[USER], tools=weather_tools())
    client, transport = memory_client(*SCRIPT, stream=True)
    streamed = run(client, stream_options={"include_usage": True})

    assert streamed.final_content() == plain.final_content()
    assert streamed.messages == plain.messages
    assert streamed.all_chat_completions() == plain.all_chat_completions()
    assert [unstructure(c) for c in streamed.all_chat_completions()] == SCRIPT
    assert streamed.total_usage() == plain.total_usage()
    bodies = sent(transport)
    assert [b["messages"] for b in bodies] == [b["messages"] for b in sent(plain_transport)]
    assert all(b["stream"] is True for b in bodies)
    assert all(b["stream_options"] == {"include_usage": True} for b in bodies)
    assert transport.open_responses == 0


def test_a_streamed_run_yields_the_stream_events_before_each_rounds_own() -> None:
    client, _ = memory_client(*SCRIPT, stream=True)
    kinds = [event.type for event in run(client)]
    first_round = kinds[: kinds.index("function_tool_call_result") + 1]
    assert first_round == [
        "chunk",  # the role
        "chunk",  # the call, and the first half of its arguments
        "tool_calls.function.arguments.delta",
        "chunk",  # the other half
        "tool_calls.function.arguments.delta",
        "chunk",  # the finish reason
        "tool_calls.function.arguments.done",
        "chunk",  # the usage
        "chat_completion",
        "message",
        "function_tool_call",
        "message",
        "function_tool_call_result",
    ]
    last_round = kinds[kinds.index("content.delta") - 1 :]
    assert last_round == [
        "chunk",  # the role, with empty content
        "content.delta",
        "chunk",
        "content.delta",
        "chunk",
        "content.delta",
        "chunk",  # the finish reason
        "content.done",
        "chunk",  # the usage
        "chat_completion",
        "message",
        "content",
    ]
    assert kinds.count("chat_completion") == 3


def test_argument_events_carry_each_call() -> None:
    client, _ = memory_client(*SCRIPT, stream=True)
    done = [
        (event.index, event.name, event.arguments)
        for event in run(client)
        if event.type == "tool_calls.function.arguments.done"
    ]
    assert done == [
        (0, "get_location", "{}"),
        (0, "get_weather", '{"city": "Paris"}'),
        (1, "get_weather", '{"city": "Rome"}'),
    ]


def test_content_delta_snapshots_grow() -> None:
    client, _ = memory_client(*SCRIPT, stream=True)
    snapshots = [event.snapshot for event in run(client) if event.type == "content.delta"]
    assert snapshots == ["", "18°C in Paris,", "18°C in Paris, 24°C in Rome."]


def test_a_stream_without_chunks_is_a_protocol_error() -> None:
    reply = memory.Reply(200, (("content-type", "text/event-stream"),), (b"data: [DONE]\n\n",))
    transport = memory.MemoryTransport(memory.replay(reply))
    client = Client(transport, Config(api_key="sk-test"))
    with pytest.raises(RemoteProtocolError, match="before its first chat completion chunk"):
        run(client).until_done()
    assert transport.open_responses == 0


def test_an_error_event_in_the_stream_ends_the_run() -> None:
    error = b'data: {"error": {"message": "overloaded", "type": "server_error"}}\n\n'
    reply = memory.Reply(200, (("content-type", "text/event-stream"),), (error,))
    transport = memory.MemoryTransport(memory.replay(reply))
    client = Client(transport, Config(api_key="sk-test"))
    runner = run(client)
    with pytest.raises(StreamError, match="overloaded"):
        runner.final_content()
    assert transport.open_responses == 0


def test_leaving_a_streamed_run_early_closes_the_response() -> None:
    client, transport = memory_client(*SCRIPT, stream=True)
    with run(client) as runner:
        for event in runner:
            if event.type == "chunk":
                break
        assert transport.open_responses == 1
    assert transport.open_responses == 0
    assert len(transport.requests) == 1
