"""The types an Assistants event handler hands out, under the names users know.

The official SDK's handler passes its models to the callbacks (``on_text_delta(delta:
TextDelta, snapshot: Text)``, ``on_tool_call_done(tool_call: ToolCall)``, ...); ours
passes the generated models, which have longer names. This module gives them the familiar
ones, for annotating handler subclasses::

    from openai_proto.streams.assistant_types import Text, TextDelta

    class Printer(AssistantEventHandler):
        def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
            print(delta.value, end="")

Nothing is imported until a name is used (the generated models load on first use).
:func:`typed_args` turns the JSON arguments of a
:class:`~openai_proto.streams.assistants.HandlerCall` into those models, and
:func:`typed_event` an event into its ``AssistantStreamEvent`` model.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openai_proto.generated.models.assistants import (
        AssistantStreamEvent as AssistantStreamEvent,  # noqa: PLC0414
    )
    from openai_proto.generated.models.assistants import (
        MessageDeltaContentTextObjectText as TextDelta,
    )
    from openai_proto.generated.models.assistants import MessageDeltaObjectDelta as MessageDelta
    from openai_proto.generated.models.assistants import RunStepDeltaObjectDelta as RunStepDelta
    from openai_proto.generated.models.assistants import (
        RunStepDeltaStepDetailsToolCallsObjectToolCallsItem as ToolCallDelta,
    )
    from openai_proto.generated.models.threads import (
        MessageContentImageFileObjectImageFile as ImageFile,
    )
    from openai_proto.generated.models.threads import MessageContentTextObjectText as Text
    from openai_proto.generated.models.threads import MessageObject as Message
    from openai_proto.generated.models.threads import Run as Run  # noqa: PLC0414
    from openai_proto.generated.models.threads import RunStep as RunStep  # noqa: PLC0414
    from openai_proto.generated.models.threads import (
        RunStepDetailsToolCallsObjectToolCallsItem as ToolCall,
    )

#: Familiar name -> (generated module, generated name).
NAMES: dict[str, tuple[str, str]] = {
    "AssistantStreamEvent": ("assistants", "AssistantStreamEvent"),
    "ImageFile": ("threads", "MessageContentImageFileObjectImageFile"),
    "Message": ("threads", "MessageObject"),
    "MessageDelta": ("assistants", "MessageDeltaObjectDelta"),
    "Run": ("threads", "Run"),
    "RunStep": ("threads", "RunStep"),
    "RunStepDelta": ("assistants", "RunStepDeltaObjectDelta"),
    "Text": ("threads", "MessageContentTextObjectText"),
    "TextDelta": ("assistants", "MessageDeltaContentTextObjectText"),
    "ToolCall": ("threads", "RunStepDetailsToolCallsObjectToolCallsItem"),
    "ToolCallDelta": ("assistants", "RunStepDeltaStepDetailsToolCallsObjectToolCallsItem"),
}

#: Callback -> the familiar names of its arguments' types, in order.
CALLBACK_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "on_run_step_created": ("RunStep",),
    "on_run_step_delta": ("RunStepDelta", "RunStep"),
    "on_run_step_done": ("RunStep",),
    "on_tool_call_created": ("ToolCall",),
    "on_tool_call_delta": ("ToolCallDelta", "ToolCall"),
    "on_tool_call_done": ("ToolCall",),
    "on_message_created": ("Message",),
    "on_message_delta": ("MessageDelta", "Message"),
    "on_message_done": ("Message",),
    "on_text_created": ("Text",),
    "on_text_delta": ("TextDelta", "Text"),
    "on_text_done": ("Text",),
    "on_image_file_done": ("ImageFile",),
}


@functools.cache
def resolve(name: str) -> Any:
    """The generated type a familiar name stands for."""
    import importlib

    module, generated = NAMES[name]
    return getattr(importlib.import_module(f"openai_proto.generated.models.{module}"), generated)


def __getattr__(name: str) -> Any:
    if name not in NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = resolve(name)
    globals()[name] = value
    return value


def as_model(data: Any, name: str) -> Any:
    """``data`` (JSON) as the type ``name`` stands for (leniently: never raises)."""
    from openai_proto.models import structure

    return structure(data, resolve(name))


def typed_args(callback: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """A callback's JSON arguments as the models the callback is annotated with."""
    names = CALLBACK_ARGUMENTS.get(callback)
    if names is None:
        return args
    return tuple(as_model(arg, name) for arg, name in zip(args, names, strict=True))


def typed_event(event: str | None, data: Any) -> Any:
    """An event as its ``AssistantStreamEvent`` model (an ``UnknownAssistantStreamEvent``
    for names this version does not know)."""
    return as_model({"event": event, "data": data}, "AssistantStreamEvent")


__all__ = [
    "CALLBACK_ARGUMENTS",
    "NAMES",
    "AssistantStreamEvent",
    "ImageFile",
    "Message",
    "MessageDelta",
    "Run",
    "RunStep",
    "RunStepDelta",
    "Text",
    "TextDelta",
    "ToolCall",
    "ToolCallDelta",
    "as_model",
    "resolve",
    "typed_args",
    "typed_event",
]
