"""Assistants streaming: ``thread.*`` events in, run / step / message snapshots and handler
callbacks out.

The pure core, :class:`AssistantAccumulator` (in
:mod:`openai_proto.streams.assistant_accumulator`, with an example), folds ``(event name,
data)`` pairs into snapshots and says which handler callbacks each event fires, as
:class:`HandlerCall` values.

:class:`AssistantEventHandler` (sync) and :class:`AsyncAssistantEventHandler` (async
callbacks) are the handlers users subclass, driven over an iterable of events by
:class:`AssistantStream` / :class:`AsyncAssistantStream`; the accumulator's snapshots are
plain dicts.

The handler gives what the official SDK's gives: callbacks receive the generated models
(``on_text_delta(delta: TextDelta, snapshot: Text)``, ``on_run_step_done(run_step:
RunStep)``; the familiar names are in :mod:`openai_proto.streams.assistant_types`),
iterating the handler gives ``AssistantStreamEvent`` models, and ``current_run``,
``current_message_snapshot``, ``current_run_step_snapshot``, ``get_final_run()``,
``get_final_run_steps()`` and ``get_final_messages()`` are ``Run`` / ``Message`` /
``RunStep`` models. The models are made when asked for: a callback the subclass does not
override is not called, so its arguments are never built, and the accumulator's dict
snapshots (``handler.accumulator``) are what the events fold into.

What differs from the official SDK's handler, on purpose:

* ``thread.run.step.completed`` / ``failed`` / ``cancelled`` / ``expired`` payloads replace
  the step's snapshot, so ``get_final_run_steps()`` has the final status, usage and
  timestamps (the official keeps the delta-built snapshot).
* The current tool call is reset when it is reported done, and on every new step: each tool
  call gets exactly one ``on_tool_call_created`` and one ``on_tool_call_done`` (the official
  repeats ``on_tool_call_done`` at the run's end and misses ``on_tool_call_created`` for the
  first tool call of a second step). ``on_tool_call_done`` receives the tool call from the
  step's final payload when there is one (with its ``output``).
* The current message content is reset per message; when a message moves to a new content
  block, ``on_text_done`` / ``on_image_file_done`` of the previous block comes first, then
  ``on_text_created`` of the new one, then its ``on_text_delta``.
* Deltas are merged by ``index`` (never by list position); only text fields that stream
  (``value``, ``arguments``, ``input``, ``logs``, ``refusal``) are concatenated — other
  fields are replaced, numbers are never summed. List entries in snapshots have no
  ``index`` key (as in the final objects).
* ``get_final_run_steps()`` / ``get_final_messages()`` return an empty list when the stream
  had none (the official raises).
"""

from __future__ import annotations

import typing
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from openai_proto.errors import LocalProtocolError, RemoteProtocolError
from openai_proto.streams import sources
from openai_proto.streams.assistant_accumulator import (
    ASSISTANT_TRANSITIONS,
    EVENT_INPUTS,
    TIMEOUT_ERRORS,
    AssistantAccumulator,
    AssistantInput,
    AssistantState,
    HandlerCall,
)
from openai_proto.streams.assistant_types import (
    CALLBACK_ARGUMENTS,
    as_model,
    typed_args,
    typed_event,
)
from openai_proto.streams.events import Payload

if TYPE_CHECKING:
    from openai_proto.streams.assistant_types import (
        AssistantStreamEvent,
        ImageFile,
        Message,
        MessageDelta,
        Run,
        RunStep,
        RunStepDelta,
        Text,
        TextDelta,
        ToolCall,
        ToolCallDelta,
    )

#: The callbacks a subclass may override (``on_event`` and those the accumulator fires).
CALLBACKS = ("on_event", *CALLBACK_ARGUMENTS)


def _as_event(item: Any) -> Payload:
    """What a stream yields (a Payload, or an ``(event name, data)`` pair) as a Payload."""
    if isinstance(item, Payload):
        return item
    if isinstance(item, tuple) and len(item) == 2:
        return Payload(item[0], item[1])
    raise LocalProtocolError(
        f"an Assistants stream yields Payload values or (event, data) pairs, not {item!r:.80}"
    )


def _overridden(handler: object, base: type) -> frozenset[str]:
    """The callbacks ``handler`` overrides (in its class or on itself) — the only ones
    worth calling, since the base class's do nothing."""
    cls = type(handler)
    found = {name for name in CALLBACKS if getattr(cls, name) is not getattr(base, name)}
    found.update(name for name in CALLBACKS if name in getattr(handler, "__dict__", {}))
    return frozenset(found)


class _HandlerBase:
    """State and accessors shared by the sync and async handlers."""

    def __init__(self) -> None:
        self._core = AssistantAccumulator()
        self._current_event: Payload | None = None
        self._event_model: tuple[Payload, Any] | None = None
        self._run_model: tuple[Any, Any] | None = None
        self._wanted: frozenset[str] = frozenset()
        self._source: Any = None
        self._close: Callable[[], Any] | None = None
        self._attached = False
        self._finished = False

    def _check_unattached(self) -> None:
        if self._attached:
            raise LocalProtocolError(
                "an event handler serves one stream; make a new handler for each stream"
            )

    def _attach(self, source: Any, close: Callable[[], Any] | None, base: type) -> None:
        self._check_unattached()
        self._attached = True
        self._source = source
        self._close = close
        self._wanted = _overridden(self, base)

    def _detach(self, names: tuple[str, ...]) -> Callable[[], Any] | None:
        """Let go of the source; what closes it the first time (``None`` after)."""
        source, self._source = self._source, None
        closer, self._close = self._close, None
        return closer or sources.source_closer(source, names)

    def _typed_event(self, event: Payload) -> Any:
        """The event's ``AssistantStreamEvent`` model (made once per event)."""
        cached = self._event_model
        if cached is not None and cached[0] is event:
            return cached[1]
        model = typed_event(event.event, event.data)
        self._event_model = (event, model)
        return model

    def _calls(self, event: Payload) -> list[tuple[Any, tuple[Any, ...]]]:
        """Fold ``event``; the overridden callbacks it fires, with their typed arguments."""
        wanted = self._wanted
        calls = self._core.feed(event.event, event.data)  # type: ignore[arg-type]
        return [
            (getattr(self, call.name), typed_args(call.name, call.args))
            for call in calls
            if call.name in wanted
        ]

    @property
    def current_event(self) -> AssistantStreamEvent | None:
        """The event whose callbacks are running (``None`` between events)."""
        event = self._current_event
        return None if event is None else self._typed_event(event)

    @property
    def current_run(self) -> Run | None:
        """The run as of the last run event (``None`` before the first)."""
        run = self._core.run
        if run is None:
            return None
        cached = self._run_model
        if cached is None or cached[0] is not run:
            cached = self._run_model = (run, as_model(run, "Run"))
        model: Run = cached[1]
        return model

    @property
    def current_message_snapshot(self) -> Message | None:
        """The message being streamed, so far (a new model on each read)."""
        message = self._core.current_message
        return None if message is None else as_model(message, "Message")

    @property
    def current_run_step_snapshot(self) -> RunStep | None:
        """The run step being streamed, so far (a new model on each read)."""
        step = self._core.current_run_step
        return None if step is None else as_model(step, "RunStep")

    @property
    def accumulator(self) -> AssistantAccumulator:
        """The pure state the events fold into (its snapshots are dicts)."""
        return self._core

    def _final_run(self) -> Run:
        run = self.current_run
        if run is None:
            raise RemoteProtocolError("the stream ended without a run object")
        return run

    def _final_run_steps(self) -> list[RunStep]:
        return [as_model(step, "RunStep") for step in self._core.run_steps]

    def _final_messages(self) -> list[Message]:
        return [as_model(message, "Message") for message in self._core.messages]

    def _not_started(self) -> LocalProtocolError:
        return LocalProtocolError("this handler has no stream; use it with AssistantStream(...)")


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TIMEOUT_ERRORS)


class AssistantEventHandler(_HandlerBase):
    """Subclass it and override the ``on_*`` callbacks you need (all do nothing here).

    Iterating the handler gives the stream's events as ``AssistantStreamEvent`` models
    (``.event``, ``.data``), firing the callbacks as it goes; ``text_deltas`` gives just
    the text.
    """

    def __init__(self) -> None:
        super().__init__()
        self._iterator: Iterator[Any] | None = None
        self.text_deltas: Iterator[str] = self._text_deltas()

    def _init(self, events: Iterable[Any], close: Callable[[], Any] | None = None) -> None:
        self._attach(events, close, AssistantEventHandler)
        self._iterator = iter(events)

    def __iter__(self) -> Iterator[AssistantStreamEvent]:
        return self

    def __next__(self) -> AssistantStreamEvent:
        event = self._next_payload()
        model: AssistantStreamEvent = self._typed_event(event)
        return model

    def _next_payload(self) -> Payload:
        """Read, fold and report the next event (StopIteration at the end)."""
        if self._iterator is None:
            raise self._not_started()
        if self._finished:
            raise StopIteration
        try:
            event = _as_event(next(self._iterator))
            self._emit(event)
            return event
        except StopIteration:
            self._end()
            raise
        except Exception as exc:
            if _is_timeout(exc):
                self.on_timeout()
            self.on_exception(exc)
            self._end()
            raise

    def _end(self) -> None:
        if not self._finished:
            self._finished = True
            self._core.close()
            self.on_end()

    def _emit(self, event: Payload) -> None:
        self._current_event = event
        if "on_event" in self._wanted:
            self.on_event(self._typed_event(event))
        for callback, args in self._calls(event):
            callback(*args)
        self._current_event = None

    def _text_deltas(self) -> Iterator[str]:
        while True:
            try:
                event = self._next_payload()
            except StopIteration:
                return
            yield from _text_values(event)

    def until_done(self) -> None:
        """Read the rest of the stream."""
        while True:
            try:
                self._next_payload()
            except StopIteration:
                return

    def get_final_run(self) -> Run:
        """Read the rest of the stream; the run as the last run event left it."""
        self.until_done()
        return self._final_run()

    def get_final_run_steps(self) -> list[RunStep]:
        """Read the rest of the stream; every run step (final payloads once done)."""
        self.until_done()
        return self._final_run_steps()

    def get_final_messages(self) -> list[Message]:
        """Read the rest of the stream; every message (final payloads once done)."""
        self.until_done()
        return self._final_messages()

    def close(self) -> None:
        """Close the source stream (idempotent)."""
        closer = self._detach(sources.SYNC_CLOSE)
        if closer is not None:
            closer()

    # -- callbacks -------------------------------------------------------------------------------

    def on_event(self, event: AssistantStreamEvent) -> None:
        """Every event, before the callbacks it fires."""

    def on_run_step_created(self, run_step: RunStep) -> None:
        """A run step started."""

    def on_run_step_delta(self, delta: RunStepDelta, snapshot: RunStep) -> None:
        """A run step changed: the delta, and the step so far."""

    def on_run_step_done(self, run_step: RunStep) -> None:
        """A run step ended (its final payload)."""

    def on_tool_call_created(self, tool_call: ToolCall) -> None:
        """A tool call started."""

    def on_tool_call_delta(self, delta: ToolCallDelta, snapshot: ToolCall) -> None:
        """A tool call changed: the delta, and the tool call so far."""

    def on_tool_call_done(self, tool_call: ToolCall) -> None:
        """A tool call ended."""

    def on_message_created(self, message: Message) -> None:
        """A message started."""

    def on_message_delta(self, delta: MessageDelta, snapshot: Message) -> None:
        """A message changed: the delta, and the message so far."""

    def on_message_done(self, message: Message) -> None:
        """A message ended (its final payload)."""

    def on_text_created(self, text: Text) -> None:
        """A text block started."""

    def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
        """Text arrived: the delta, and the block's text so far."""

    def on_text_done(self, text: Text) -> None:
        """A text block ended."""

    def on_image_file_done(self, image_file: ImageFile) -> None:
        """An image file block ended."""

    def on_end(self) -> None:
        """The stream ended: read to the end, or stopped by an exception."""

    def on_timeout(self) -> None:
        """Reading the stream timed out (``on_exception`` follows)."""

    def on_exception(self, exception: Exception) -> None:
        """Reading the stream, or a callback, raised ``exception`` (it is raised again)."""


class AsyncAssistantEventHandler(_HandlerBase):
    """The async handler: the same callbacks, as coroutines."""

    def __init__(self) -> None:
        super().__init__()
        self._iterator: AsyncIterator[Any] | None = None
        self.text_deltas: AsyncIterator[str] = _AsyncTextDeltas(self)

    def _init(self, events: AsyncIterable[Any], close: Callable[[], Any] | None = None) -> None:
        self._attach(events, close, AsyncAssistantEventHandler)
        self._iterator = events.__aiter__()

    def __aiter__(self) -> AsyncAssistantEventHandler:
        return self

    async def __anext__(self) -> AssistantStreamEvent:
        event = await self._next_payload()
        model: AssistantStreamEvent = self._typed_event(event)
        return model

    async def _next_payload(self) -> Payload:
        """Read, fold and report the next event (StopAsyncIteration at the end)."""
        if self._iterator is None:
            raise self._not_started()
        if self._finished:
            raise StopAsyncIteration
        try:
            event = _as_event(await self._iterator.__anext__())
            await self._emit(event)
            return event
        except StopAsyncIteration:
            await self._end()
            raise
        except Exception as exc:
            if _is_timeout(exc):
                await self.on_timeout()
            await self.on_exception(exc)
            await self._end()
            raise

    async def _end(self) -> None:
        if not self._finished:
            self._finished = True
            self._core.close()
            await self.on_end()

    async def _emit(self, event: Payload) -> None:
        self._current_event = event
        if "on_event" in self._wanted:
            await self.on_event(self._typed_event(event))
        for callback, args in self._calls(event):
            await callback(*args)
        self._current_event = None

    async def until_done(self) -> None:
        """Read the rest of the stream."""
        while True:
            try:
                await self._next_payload()
            except StopAsyncIteration:
                return

    async def get_final_run(self) -> Run:
        await self.until_done()
        return self._final_run()

    async def get_final_run_steps(self) -> list[RunStep]:
        await self.until_done()
        return self._final_run_steps()

    async def get_final_messages(self) -> list[Message]:
        await self.until_done()
        return self._final_messages()

    async def close(self) -> None:
        await sources.call_closer(self._detach(sources.ASYNC_CLOSE))

    async def on_event(self, event: AssistantStreamEvent) -> None:
        """Every event, before the callbacks it fires."""

    async def on_run_step_created(self, run_step: RunStep) -> None:
        """A run step started."""

    async def on_run_step_delta(self, delta: RunStepDelta, snapshot: RunStep) -> None:
        """A run step changed."""

    async def on_run_step_done(self, run_step: RunStep) -> None:
        """A run step ended."""

    async def on_tool_call_created(self, tool_call: ToolCall) -> None:
        """A tool call started."""

    async def on_tool_call_delta(self, delta: ToolCallDelta, snapshot: ToolCall) -> None:
        """A tool call changed."""

    async def on_tool_call_done(self, tool_call: ToolCall) -> None:
        """A tool call ended."""

    async def on_message_created(self, message: Message) -> None:
        """A message started."""

    async def on_message_delta(self, delta: MessageDelta, snapshot: Message) -> None:
        """A message changed."""

    async def on_message_done(self, message: Message) -> None:
        """A message ended."""

    async def on_text_created(self, text: Text) -> None:
        """A text block started."""

    async def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
        """Text arrived."""

    async def on_text_done(self, text: Text) -> None:
        """A text block ended."""

    async def on_image_file_done(self, image_file: ImageFile) -> None:
        """An image file block ended."""

    async def on_end(self) -> None:
        """The stream ended."""

    async def on_timeout(self) -> None:
        """Reading the stream timed out."""

    async def on_exception(self, exception: Exception) -> None:
        """Reading the stream, or a callback, raised ``exception``."""


def _text_values(event: Payload) -> Iterator[str]:
    if event.event != "thread.message.delta" or type(event.data) is not dict:
        return
    delta = event.data.get("delta")
    content = delta.get("content") if type(delta) is dict else None
    for block in content if type(content) is list else ():
        text = block.get("text") if type(block) is dict else None
        value = text.get("value") if type(text) is dict else None
        if block.get("type") == "text" and type(value) is str and value:
            yield value


class _AsyncTextDeltas:
    """``async for text in handler.text_deltas`` (a class: no async-generator finalizer)."""

    def __init__(self, handler: AsyncAssistantEventHandler) -> None:
        self._handler = handler
        self._pending: list[str] = []

    def __aiter__(self) -> _AsyncTextDeltas:
        return self

    async def __anext__(self) -> str:
        while not self._pending:
            event = await self._handler._next_payload()
            self._pending = list(_text_values(event))[::-1]
        return self._pending.pop()


class AssistantStream:
    """``with AssistantStream(events, handler) as handler:`` — drives a handler over events.

    ``events`` yields Payload values (``StreamedResponse.iter_events()``) or
    ``(event name, data)`` pairs; leaving the block closes it.
    """

    def __init__(
        self,
        events: Iterable[Any],
        handler: AssistantEventHandler | None = None,
        *,
        close: Callable[[], Any] | None = None,
    ) -> None:
        self.handler = handler if handler is not None else AssistantEventHandler()
        self.handler._init(events, close)

    def __enter__(self) -> Any:
        return self.handler

    def __exit__(self, *exc_info: object) -> None:
        self.handler.close()


class AsyncAssistantStream:
    """``async with AsyncAssistantStream(events, handler) as handler:``."""

    def __init__(
        self,
        events: AsyncIterable[Any],
        handler: AsyncAssistantEventHandler | None = None,
        *,
        close: Callable[[], Any] | None = None,
    ) -> None:
        self.handler = handler if handler is not None else AsyncAssistantEventHandler()
        self.handler._init(events, close)

    async def __aenter__(self) -> Any:
        return self.handler

    async def __aexit__(self, *exc_info: object) -> None:
        await self.handler.close()


H = TypeVar("H", bound=AssistantEventHandler)
AH = TypeVar("AH", bound=AsyncAssistantEventHandler)


class AssistantStreamManager(Generic[H]):
    """``with manager as handler:`` calls ``open_stream()`` (which starts the request) on
    entry, drives ``event_handler`` (a new :class:`AssistantEventHandler` if none is given)
    over the events, and closes the stream on exit, also when the block is left early."""

    @overload
    def __init__(
        self: AssistantStreamManager[AssistantEventHandler],
        open_stream: Callable[[], Iterable[Any]],
        *,
        event_handler: None = None,
    ) -> None: ...
    @overload
    def __init__(self, open_stream: Callable[[], Iterable[Any]], *, event_handler: H) -> None: ...
    def __init__(
        self, open_stream: Callable[[], Iterable[Any]], *, event_handler: Any = None
    ) -> None:
        self._open = open_stream
        handler = event_handler if event_handler is not None else AssistantEventHandler()
        self._handler: H = typing.cast(H, handler)

    def __enter__(self) -> H:
        self._handler._check_unattached()  # before the request is sent
        source = self._open()
        try:
            AssistantStream(source, self._handler)
        except BaseException:
            closer = sources.source_closer(source, sources.SYNC_CLOSE)  # not taken
            if closer is not None:
                closer()
            raise
        return self._handler

    def __exit__(self, *exc_info: object) -> None:
        self._handler.close()


class AsyncAssistantStreamManager(Generic[AH]):
    """``async with manager as handler:``; ``open_stream`` is an awaitable giving the
    source, or a function returning the source or an awaitable of it."""

    @overload
    def __init__(
        self: AsyncAssistantStreamManager[AsyncAssistantEventHandler],
        open_stream: sources.AsyncSource,
        *,
        event_handler: None = None,
    ) -> None: ...
    @overload
    def __init__(self, open_stream: sources.AsyncSource, *, event_handler: AH) -> None: ...
    def __init__(self, open_stream: sources.AsyncSource, *, event_handler: Any = None) -> None:
        self._open = open_stream
        handler = event_handler if event_handler is not None else AsyncAssistantEventHandler()
        self._handler: AH = typing.cast(AH, handler)

    async def __aenter__(self) -> AH:
        self._handler._check_unattached()  # before the request is sent
        source = await sources.open_async_source(self._open)
        try:
            AsyncAssistantStream(source, self._handler)
        except BaseException:
            closer = sources.source_closer(source, sources.ASYNC_CLOSE)  # not taken
            await sources.call_closer(closer)
            raise
        return self._handler

    async def __aexit__(self, *exc_info: object) -> None:
        await self._handler.close()


__all__ = [
    "ASSISTANT_TRANSITIONS",
    "CALLBACKS",
    "EVENT_INPUTS",
    "AssistantAccumulator",
    "AssistantEventHandler",
    "AssistantInput",
    "AssistantState",
    "AssistantStream",
    "AssistantStreamManager",
    "AsyncAssistantEventHandler",
    "AsyncAssistantStream",
    "AsyncAssistantStreamManager",
    "HandlerCall",
]
