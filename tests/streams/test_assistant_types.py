"""The Assistants event handler hands out models, as the official SDK's does.

Callbacks receive the generated models (the official SDK's names are in
``openai_proto.streams.assistant_types``), iterating the handler gives
``AssistantStreamEvent`` models, and ``current_*`` / ``get_final_*`` are ``Run``,
``RunStep`` and ``Message`` models — each equal, as JSON, to the dict the accumulator holds
at that moment. Models are built only for the callbacks a subclass overrides.
"""

from __future__ import annotations

import copy
import typing
from typing import Any

import pytest
from hypothesis import given

from openai_proto import AsyncClient, Client, Config
from openai_proto.models import Model
from openai_proto.streams import assistant_types
from openai_proto.streams.assistant_types import (
    CALLBACK_ARGUMENTS,
    NAMES,
    AssistantStreamEvent,
    ImageFile,
    Message,
    MessageDelta,
    RunStep,
    RunStepDelta,
    Text,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    resolve,
)
from openai_proto.streams.assistants import (
    CALLBACKS,
    AssistantAccumulator,
    AssistantEventHandler,
    AssistantStream,
    AsyncAssistantEventHandler,
)
from openai_proto.testing.memory import AsyncMemoryTransport, MemoryTransport, replay
from tests.helpers import run_now
from tests.stream_transcripts import memory_reply, sse_body, transcript
from tests.streams.test_assistants_accumulator import CUTS, ENDS, runs, stream_of

Json = dict[str, Any]


def members(name: str) -> tuple[type, ...]:
    """The classes a familiar name stands for (the members of a union)."""
    tp = resolve(name)
    return typing.get_args(tp) or (tp,)


class Everything(AssistantEventHandler):
    """Overrides every callback; records each call's arguments as JSON."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.events: list[Json] = []

    def record(self, name: str, *args: Any) -> None:
        for arg, kind in zip(args, CALLBACK_ARGUMENTS[name], strict=True):
            assert isinstance(arg, members(kind)), (name, kind, type(arg))
        self.calls.append((name, tuple(arg.to_dict() for arg in args)))

    def on_event(self, event: AssistantStreamEvent) -> None:
        assert isinstance(event, members("AssistantStreamEvent"))
        assert self.current_event is event
        self.events.append(event.to_dict())

    def on_run_step_created(self, run_step: RunStep) -> None:
        self.record("on_run_step_created", run_step)

    def on_run_step_delta(self, delta: RunStepDelta, snapshot: RunStep) -> None:
        self.record("on_run_step_delta", delta, snapshot)

    def on_run_step_done(self, run_step: RunStep) -> None:
        self.record("on_run_step_done", run_step)

    def on_tool_call_created(self, tool_call: ToolCall) -> None:
        self.record("on_tool_call_created", tool_call)

    def on_tool_call_delta(self, delta: ToolCallDelta, snapshot: ToolCall) -> None:
        self.record("on_tool_call_delta", delta, snapshot)

    def on_tool_call_done(self, tool_call: ToolCall) -> None:
        self.record("on_tool_call_done", tool_call)

    def on_message_created(self, message: Message) -> None:
        self.record("on_message_created", message)

    def on_message_delta(self, delta: MessageDelta, snapshot: Message) -> None:
        self.record("on_message_delta", delta, snapshot)

    def on_message_done(self, message: Message) -> None:
        self.record("on_message_done", message)

    def on_text_created(self, text: Text) -> None:
        self.record("on_text_created", text)

    def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
        self.record("on_text_delta", delta, snapshot)

    def on_text_done(self, text: Text) -> None:
        self.record("on_text_done", text)

    def on_image_file_done(self, image_file: ImageFile) -> None:
        self.record("on_image_file_done", image_file)


def pure_calls(events: list[tuple[str, Any]]) -> list[tuple[str, tuple[Any, ...]]]:
    """The callbacks the pure accumulator fires, with their arguments as they were then."""
    core = AssistantAccumulator()
    return [
        (call.name, copy.deepcopy(call.args))
        for name, data in events
        for call in core.feed(name, data)
    ]


@given(runs(), CUTS, ENDS)
def test_callbacks_receive_models_equal_to_the_accumulated_json(
    steps: list[Any], cuts: list[int], end: str
) -> None:
    events = stream_of(steps, cuts, end)
    handler = Everything()
    AssistantStream(events, handler).handler.until_done()
    assert handler.calls == pure_calls(events)
    assert handler.events == [{"event": name, "data": data} for name, data in events]
    run = handler.get_final_run()
    assert isinstance(run, resolve("Run"))
    assert run.to_dict() == events[-1][1]
    assert [s.to_dict() for s in handler.get_final_run_steps()] == handler.accumulator.run_steps
    assert [m.to_dict() for m in handler.get_final_messages()] == handler.accumulator.messages
    assert all(isinstance(m, resolve("Message")) for m in handler.get_final_messages())


@given(runs(), CUTS)
def test_iterating_gives_the_event_models(steps: list[Any], cuts: list[int]) -> None:
    events = stream_of(steps, cuts, "thread.run.completed")
    received = list(AssistantStream(events).handler)
    assert [e.to_dict() for e in received] == [{"event": n, "data": d} for n, d in events]
    assert all(isinstance(e, members("AssistantStreamEvent")) for e in received)


def test_only_overridden_callbacks_build_models(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    real = assistant_types.as_model

    def counting(data: Any, name: str) -> Any:
        built.append(name)
        return real(data, name)

    monkeypatch.setattr(assistant_types, "as_model", counting)

    class TextOnly(AssistantEventHandler):
        def __init__(self) -> None:
            super().__init__()
            self.text: list[str] = []

        def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
            assert isinstance(delta.value, str)
            self.text.append(delta.value)

    events = transcript("createRun")
    handler = TextOnly()
    AssistantStream(events, handler).handler.until_done()
    deltas = sum(1 for name, _ in events if name == "thread.message.delta")
    assert "".join(handler.text) != ""
    assert built == ["TextDelta", "Text"] * deltas  # nothing for the other callbacks
    built.clear()
    assert "".join(AssistantStream(events).handler.text_deltas) == "".join(handler.text)
    assert built == []  # the plain handler builds nothing at all


def test_a_callback_set_on_the_instance_is_called() -> None:
    seen: list[str] = []
    handler = AssistantEventHandler()
    handler.on_message_done = lambda message: seen.append(message.status)  # type: ignore[method-assign]
    AssistantStream(transcript("createRun"), handler).handler.until_done()
    assert seen == ["completed"]


def test_current_snapshots_are_models_of_the_live_state() -> None:
    snapshots: list[tuple[Any, Any, Any]] = []

    class Watcher(AssistantEventHandler):
        def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
            snapshots.append(
                (self.current_run, self.current_message_snapshot, self.current_run_step_snapshot)
            )

    events = transcript("createRun")
    handler = AssistantStream(events, Watcher()).handler
    handler.until_done()
    assert snapshots
    for run, message, step in snapshots:
        assert isinstance(run, resolve("Run"))
        assert run.status == "in_progress"
        assert isinstance(message, resolve("Message"))
        assert isinstance(step, resolve("RunStep"))
        assert step.type == "message_creation"
    texts = [message.content[0].text.value for _, message, _ in snapshots]
    pieces = [
        block["text"]["value"]
        for name, data in events
        if name == "thread.message.delta"
        for block in data["delta"]["content"]
    ]
    assert texts == ["".join(pieces[: n + 1]) for n in range(len(pieces))]


def test_current_run_is_made_once_per_run_event() -> None:
    handler = AssistantStream(transcript("createRun")).handler
    assert handler.current_run is None
    handler.until_done()
    assert handler.current_run is handler.current_run
    assert handler.current_run is handler.get_final_run()
    assert handler.current_message_snapshot is not handler.current_message_snapshot  # live


def test_familiar_names_resolve_lazily() -> None:
    assert set(NAMES) >= {"Run", "RunStep", "Message", "Text", "TextDelta", "ToolCall"}
    assert assistant_types.Text is resolve("Text")
    assert set(CALLBACKS) == {"on_event", *CALLBACK_ARGUMENTS}
    with pytest.raises(AttributeError):
        _ = assistant_types.Nothing


# -- client-made streams -----------------------------------------------------------------------


def test_client_stream_finals_are_models() -> None:
    events = transcript("submitToolOuputsToRun")
    transport = MemoryTransport(replay(memory_reply(sse_body(events), pieces=5)))
    client = Client(transport, Config(api_key="sk-test"))
    with client.beta.threads.runs.submit_tool_outputs_stream(
        "run_123", thread_id="thread_123", tool_outputs=[]
    ) as handler:
        run = handler.get_final_run()
        steps = handler.get_final_run_steps()
        messages = handler.get_final_messages()
    assert isinstance(run, resolve("Run"))
    assert run.status == "completed"
    assert [type(s).__name__ for s in steps] == ["RunStep"] * len(steps) != []
    assert steps[-1].status == "completed"
    assert isinstance(messages[0], resolve("Message"))
    assert messages[0].content[0].text.value
    finals = [d for n, d in events if n == "thread.message.completed"]
    assert [m.to_dict() for m in messages] == finals
    assert transport.open_responses == 0


def test_async_client_stream_finals_are_models() -> None:
    events = transcript("createThreadAndRun")
    done: list[Text] = []

    class Collector(AsyncAssistantEventHandler):
        async def on_text_done(self, text: Text) -> None:
            done.append(text)

    async def main() -> tuple[Any, Any]:
        transport = AsyncMemoryTransport(replay(memory_reply(sse_body(events), pieces=3)))
        client = AsyncClient(transport, Config(api_key="sk-test"))
        async with client.beta.threads.create_and_run_stream(
            assistant_id="asst_123", event_handler=Collector()
        ) as handler:
            received = [event async for event in handler]
            return received, await handler.get_final_messages()

    received, messages = run_now(main())
    assert [e.event for e in received] == [name for name, _ in events]
    assert isinstance(received[0].data, Model)
    assert [t.to_dict() for t in done] == [m.content[0].text.to_dict() for m in messages]
