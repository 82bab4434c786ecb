"""Checked by mypy --strict (not run): the Assistants handler deals in models, as the
official SDK's does — callbacks annotated with them, finals and snapshots typed.

The ``# type: ignore[...]`` lines must NOT type-check (mypy's ``warn_unused_ignores`` in
strict mode fails if one of them ever does).
"""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from openai_proto import AsyncClient, Client
from openai_proto.generated.models.threads import MessageObject, Run, RunStep
from openai_proto.sentinels import UnsetType
from openai_proto.streams.assistant_types import (
    AssistantStreamEvent,
    Message,
    Text,
    TextDelta,
    ToolCall,
)
from openai_proto.streams.assistants import AssistantEventHandler, AsyncAssistantEventHandler


class Printer(AssistantEventHandler):
    def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
        assert_type(delta.value, str | UnsetType)
        print(snapshot.value)

    def on_tool_call_done(self, tool_call: ToolCall) -> None:
        print(tool_call.type)

    def on_message_done(self, message: Message) -> None:
        assert_type(message, MessageObject)


class WrongPrinter(AssistantEventHandler):
    def on_text_delta(self, delta: dict[str, Any], snapshot: dict[str, Any]) -> None:  # type: ignore[override]
        pass


class AsyncPrinter(AsyncAssistantEventHandler):
    async def on_event(self, event: AssistantStreamEvent) -> None:
        print(event.event)


def sync(client: Client) -> None:
    with client.beta.threads.runs.stream("t", assistant_id="a", event_handler=Printer()) as h:
        assert_type(h.get_final_run(), Run)
        assert_type(h.get_final_run_steps(), list[RunStep])
        assert_type(h.get_final_messages(), list[MessageObject])
        assert_type(h.current_run, Run | None)
        assert_type(h.current_message_snapshot, MessageObject | None)
        assert_type(h.current_run_step_snapshot, RunStep | None)
        for event in h:
            assert_type(event, AssistantStreamEvent)


async def asynchronous(client: AsyncClient) -> None:
    async with client.beta.threads.create_and_run_stream(
        assistant_id="a", event_handler=AsyncPrinter()
    ) as handler:
        assert_type(await handler.get_final_run(), Run)
        assert_type(await handler.get_final_messages(), list[MessageObject])
        async for event in handler:
            assert_type(event, AssistantStreamEvent)
