"""The stream helpers over every binding and the loopback server.

``chat.completions.stream()``, ``responses.stream()`` and ``beta.threads.runs.stream()``:
the final object equals the one replayed, and leaving the ``with`` block early closes the
connection while the client stays open. Each case is written once; on the sync binding it
runs the sync helper (``with``), on the others the async one (``async with``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from openai_proto.structured import parse_response
from openai_proto.testing import fixtures
from openai_proto.testing.script import Reply, Script, SSEEvent, demo_script, sse_reply
from openai_proto.testing.server import LoopbackServer
from tests.bindings.conftest import Serve
from tests.bindings.harness import CHAT, Binding, SyncAsAsync, run, sleep
from tests.stream_transcripts import transcript

pytestmark = pytest.mark.filterwarnings("ignore:Async generator 'httpcore\\.:ResourceWarning")


async def final_of(client: Any, helper: str, arguments: dict[str, Any], reader: str) -> Any:
    """Enter ``client.<helper>(**arguments)`` and return ``<stream>.<reader>()``."""

    def resolve(root: Any) -> Any:
        target = root
        for name in helper.split("."):
            target = getattr(target, name)
        return target(**arguments)

    if isinstance(client, SyncAsAsync):
        with resolve(client.client) as stream:
            return getattr(stream, reader)()
    async with resolve(client) as stream:
        return await getattr(stream, reader)()


def expected_completion() -> dict[str, Any]:
    completion = fixtures.chat_completion()
    del completion["choices"][0]["message"]["annotations"]  # streams carry none
    return completion


_CHOICE = expected_completion()["choices"][0]
PARSED_CHOICE = {**_CHOICE, "message": {**_CHOICE["message"], "parsed": None}}


def test_chat_stream_helper(binding: Binding, serve: Serve) -> None:
    server = serve(demo_script())
    arguments = {**CHAT, "stream_options": {"include_usage": True}}

    async def case(client: Any) -> Any:
        return await final_of(client, "chat.completions.stream", arguments, "get_final_completion")

    final = run(binding, server, case)  # a ParsedChatCompletion: parsed is None here
    assert final.to_dict() == {**expected_completion(), "choices": [PARSED_CHOICE]}
    sent = server.requests[0].json()
    assert isinstance(sent, dict)
    assert sent["stream"] is True


def test_responses_stream_helper(binding: Binding, serve: Serve) -> None:
    events = transcript("createResponse")
    reply = sse_reply([data for _, data in events], done=False)
    server = serve(Script().enqueue("POST", "/v1/responses", reply))
    arguments = {"model": "gpt-4.1", "input": "Hi"}

    async def case(client: Any) -> Any:
        return await final_of(client, "responses.stream", arguments, "get_final_response")

    assert run(binding, server, case) == parse_response(events[-1][1]["response"])


def test_runs_stream_helper(binding: Binding, serve: Serve) -> None:
    events = transcript("createRun")
    rendered = [SSEEvent(json.dumps(data), name) for name, data in events]
    server = serve(Script().enqueue("POST", "/v1/threads/thread_123/runs", sse_reply(rendered)))
    arguments = {"thread_id": "thread_123", "assistant_id": "asst_123"}

    async def case(client: Any) -> Any:
        return await final_of(client, "beta.threads.runs.stream", arguments, "get_final_run")

    runs = [data for _, data in events if data.get("object") == "thread.run"]
    assert run(binding, server, case).to_dict() == runs[-1]


def _slow_chat_stream() -> Reply:
    chunks = fixtures.chat_completion_chunks(tokens=tuple(f"w{n} " for n in range(60)))
    return sse_reply(chunks, delay_between_chunks=0.05)


async def _no_connection_left(binding: Binding, server: LoopbackServer) -> bool:
    for _ in range(100):  # the client is still open
        if server.open_connections == 0:
            return True
        await sleep(binding, 0.05)
    return False


@pytest.mark.parametrize("how", ["break", "unread"])
def test_leaving_a_stream_helper_early_closes_the_connection(
    binding: Binding, serve: Serve, how: str
) -> None:
    server = serve(Script().enqueue("POST", "/v1/chat/completions", _slow_chat_stream()))

    async def case(client: Any) -> tuple[list[str], bool]:
        kinds: list[str] = []
        if isinstance(client, SyncAsAsync):
            with client.client.chat.completions.stream(**CHAT) as stream:
                for event in stream if how == "break" else ():
                    kinds.append(event.type)
                    break
        else:
            async with client.chat.completions.stream(**CHAT) as stream:
                if how == "break":
                    async for event in stream:
                        kinds.append(event.type)
                        break
        return kinds, await _no_connection_left(binding, server)

    kinds, closed = run(binding, server, case)
    assert kinds == (["chunk"] if how == "break" else [])
    assert closed
