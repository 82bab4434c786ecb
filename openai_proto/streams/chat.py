"""Chat completions streams: chunk dicts in, the stream helper's events and a snapshot out — pure.

:class:`ChatCompletionStreamState` folds the chunks of ``POST /chat/completions`` with
``"stream": true`` (each one a JSON object, as :func:`json.loads` gives it) into the
completion a non-streamed call would have returned, and tells what each chunk changed with
the events users of the official SDK's ``client.chat.completions.stream()`` know
(``chunk``, ``content.delta``, ``content.done``, ``refusal.*``,
``tool_calls.function.arguments.*``, ``logprobs.content.*``, ``logprobs.refusal.*``), each
with the index of its choice (``choice_index``), so that ``n > 1`` streams are unambiguous.

Merging rules (stated once, here):

1. Choices are merged by their ``index`` and tool calls by theirs, never by position in a
   list; the snapshot lists them in index order.
2. Inside a ``delta`` (the message), a string is text that streams: ``content``,
   ``refusal``, ``function.arguments``, ``audio.transcript``, and any string field the API
   or a compatible server adds (``reasoning_content``) are appended. Names are not text:
   ``id``, ``type``, ``name``, ``role``, ``status`` take the latest non-empty value. Numbers
   and booleans take the latest value (never summed). Lists of objects with an ``index``
   are merged by index; other lists are extended. Nested objects merge by these rules.
3. Outside the delta (choice and chunk fields: ``finish_reason``, ``usage``,
   ``system_fingerprint``, ``service_tier``, Azure's ``content_filter_results``, ...), a
   field holds the latest non-null value sent: a later ``null`` (or a chunk without the
   field) never erases it. Choice ``logprobs`` lists (``content``, ``refusal``) are
   extended. The chunk's ``obfuscation`` padding is dropped.
4. A JSON object whose ``object`` is present and is not ``"chat.completion.chunk"`` (Azure's
   asynchronous content filter sends such pseudo-chunks, with ``object: ""``) is not
   merged: the official stream helper skips it silently; here it comes out as an
   :class:`UnknownChunkEvent` holding the raw object, so nothing the server sent is lost.
   A chunk with no ``object`` key at all (some compatible servers) is merged.

So :attr:`~ChatCompletionStreamState.current_completion_snapshot` is, at any moment, a
plain ``chat.completion`` dict — ``message`` with ``role``, ``content``, ``refusal`` and
(when any) ``tool_calls``; ``logprobs``; ``finish_reason`` (``None`` until sent); ``usage``
and ``system_fingerprint`` (``None`` until sent) — equal to what a non-streamed call with
the same output returns.

Parsing: when a ``response_format`` (a ``json_schema`` or ``json_object`` dict, or a class)
is given, the content is read as JSON by an incremental
:class:`~openai_proto.streams.partial_json.PartialJSON` (one per choice), and so are the
arguments of each call of a ``strict`` function tool in ``input_tools`` (one parser per
call): each text is parsed once, so the total work is linear in its length whatever the
chunking and however often ``parsed`` is read. Delta events carry the partial value
(``parsed`` / ``parsed_arguments``: unfinished strings shown as far as they go, unfinished
numbers and literals left out, ``None`` before the value starts — see
``docs/partial-json.md``); done events and :meth:`~ChatCompletionStreamState.get_final_completion`
carry the complete value, passed through the ``parse`` / ``parse_arguments`` hooks (identity
by default). Content that is not valid JSON raises
:class:`~openai_proto.errors.RemoteProtocolError` (the model wrote it) when the bad delta
arrives. A choice that stops with ``finish_reason`` ``"length"`` or ``"content_filter"``
raises :class:`~openai_proto.errors.LengthFinishReasonError` /
:class:`~openai_proto.errors.ContentFilterFinishReasonError` only when something was to be
parsed; a plain completion is simply returned.

Event order for each chunk: one :class:`ChunkEvent`; then for each choice in the chunk, in
chunk order, its delta events (content, refusal, tool-call arguments, logprobs) followed by
its done events — the content group (content, refusal, logprobs content, logprobs refusal;
each at most once) when the choice finishes or its first tool call starts, and a tool
call's ``arguments.done`` when the next tool call starts or the choice finishes. This is
the official SDK's order.

Costs: events are cheap to make; what they show is computed when read. A delta event's
``snapshot`` / ``arguments`` (the text so far) is built on read from the pieces and cached,
so reading it on every event and dropping it costs amortised O(delta) (CPython extends a
string it alone holds in place). Logprobs lists are kept as one :mod:`marshal` blob per
chunk (:class:`_FrozenList`: no objects for the garbage collector to walk while the stream
runs) and read back when a logprobs ``snapshot``, a done event's list or a snapshot is read
(then kept; each read copies the list). ``parsed`` is
computed when the event is made (it must not change later): O(depth + items of the open
containers + the unfinished string). :class:`ChunkEvent`'s ``snapshot`` is built when first
read: read before the next chunk is handled, it is this chunk's snapshot; read later, it
is the snapshot of that later moment (the official SDK hands out one live object that
every chunk mutates; ours, once read, never changes).

The state (:class:`ChatStreamState`) moves by one table, :data:`CHAT_STREAM_TRANSITIONS`.
"""

from __future__ import annotations

import enum
import marshal
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar, Union, get_args

from openai_proto.errors import (
    ContentFilterFinishReasonError,
    LengthFinishReasonError,
    LocalProtocolError,
    RemoteProtocolError,
)
from openai_proto.lines import refused
from openai_proto.sentinels import UNSET
from openai_proto.streams.partial_json import PartialJSON

if TYPE_CHECKING:
    from openai_proto.generated.models.chat import ChatCompletion, ChatCompletionChunk

C = TypeVar("C")
S = TypeVar("S")

#: The ``object`` of a chunk.
CHUNK_OBJECT = "chat.completion.chunk"
#: The ``object`` of the completion the chunks add up to.
COMPLETION_OBJECT = "chat.completion"

#: Delta keys whose strings name something (a later non-empty value replaces the value).
NAME_KEYS = frozenset({"id", "type", "name", "role", "status", "object"})
#: Chunk keys that are not fields of the completion.
CHUNK_ONLY_KEYS = frozenset({"choices", "object", "obfuscation"})
#: Choice keys handled apart from the "latest non-null value" rule.
CHOICE_OWN_KEYS = frozenset({"index", "delta", "logprobs"})
#: ``response_format`` types whose content is JSON.
JSON_FORMATS = frozenset({"json_schema", "json_object"})

Parse = Callable[[Any], Any]
ParseArguments = Callable[[str, Any], Any]


# -- text and fields --------------------------------------------------------------------------


class _Text:
    """A string that grows by appends; joined when read, and the join kept."""

    __slots__ = ("_joined", "_pending", "length")

    def __init__(self) -> None:
        self._joined = ""
        self._pending: list[str] = []
        self.length = 0

    def append(self, piece: str) -> None:
        self._pending.append(piece)
        self.length += len(piece)

    def value(self) -> str:
        pending = self._pending
        if pending:
            joined = self._joined
            self._joined = ""  # held only by the local now: += can extend it in place
            joined += pending[0] if len(pending) == 1 else "".join(pending)
            self._joined = joined
            pending.clear()
        return self._joined

    def prefix(self, length: int) -> str:
        """The text as it was when it was ``length`` characters long."""
        text = self.value()
        return text if len(text) == length else text[:length]


class _FrozenList:
    """A list that only grows (a choice's ``logprobs.content`` / ``.refusal``), kept as one
    :mod:`marshal` blob per ``extend`` until it is read.

    Logprobs are many small dicts and lists (nine per token with three top logprobs); held
    as they came they are objects the garbage collector walks at every full collection,
    scattered between the chunks' dead objects, which made long streams cost more per
    chunk than short ones. A blob is one ``bytes`` the collector does not track. Reading
    (:meth:`prefix`) turns the blobs not read yet back into lists and dicts (equal to
    what was sent, including key order and ``int`` / ``float`` / ``bool``) and keeps them,
    so reading again costs only the copy. Items ``marshal`` cannot write (not JSON values)
    are kept as they are.
    """

    __slots__ = ("_blobs", "_read", "_thawed", "length")

    def __init__(self) -> None:
        self._blobs: list[bytes | list[Any]] = []
        self._thawed: list[Any] = []
        self._read = 0
        self.length = 0

    def extend(self, items: list[Any]) -> None:
        if not items:
            return
        try:
            blob: bytes | list[Any] = marshal.dumps(items)
        except ValueError:  # something that is not a JSON value: kept as it is
            blob = list(items)
        self._blobs.append(blob)
        self.length += len(items)

    def prefix(self, length: int) -> list[Any]:
        """The first ``length`` items (a new list)."""
        thawed = self._thawed
        if len(thawed) < length:
            blobs, read = self._blobs, self._read
            while len(thawed) < length:
                blob = blobs[read]
                read += 1
                thawed.extend(marshal.loads(blob) if type(blob) is bytes else blob)
            self._read = read
        return thawed[:length]

    def decoded(self, load: Callable[[Any], Any]) -> list[Any]:
        """Every item through ``load``, read back blob by blob and not kept."""
        result = [load(item) for item in self._thawed]
        for blob in self._blobs[self._read :]:
            result += [
                load(item) for item in (marshal.loads(blob) if type(blob) is bytes else blob)
            ]
        return result


class _Items:
    """A streamed list: objects with an ``index`` merged by it, anything else appended."""

    __slots__ = ("by_index", "items")

    def __init__(self) -> None:
        self.by_index: dict[int, _Fields] = {}
        self.items: list[Any] = []

    def merge(self, delta: list[Any]) -> None:
        if delta and all(_indexed(item) for item in delta):
            for item in delta:
                entry = self.by_index.get(item["index"])
                if entry is None:
                    entry = self.by_index[item["index"]] = _Fields()
                entry.merge(item)
        else:
            self.items.extend(delta)

    def build(self, drop_index: bool = False) -> list[Any]:
        built = [self.by_index[i].build(drop_index) for i in sorted(self.by_index)]
        return built + self.items if self.items else built


class _Fields:
    """A streamed object: merged by rule 2 of this module."""

    __slots__ = ("values",)

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def merge(self, delta: Mapping[str, Any]) -> None:
        values = self.values
        for key, value in delta.items():
            if value is None:
                continue
            kind = type(value)
            current = values.get(key)
            if kind is str:
                if key in NAME_KEYS:
                    if value or current is None:
                        values[key] = value
                elif type(current) is _Text:
                    current.append(value)
                else:
                    text = values[key] = _Text()
                    text.append(value)
            elif kind is dict:
                if type(current) is not _Fields:
                    current = values[key] = _Fields()
                current.merge(value)
            elif kind is list:
                if type(current) is not _Items:
                    current = values[key] = _Items()
                current.merge(value)
            else:
                values[key] = value

    def text(self, key: str) -> _Text | None:
        value = self.values.get(key)
        return value if type(value) is _Text else None

    def fields(self, key: str) -> _Fields | None:
        value = self.values.get(key)
        return value if type(value) is _Fields else None

    def build(self, drop_index: bool = False) -> dict[str, Any]:
        return {
            key: _build(value)
            for key, value in self.values.items()
            if not (drop_index and key == "index")
        }


def _build(value: Any) -> Any:
    kind = type(value)
    if kind is _Text:
        return value.value()
    if kind is _Fields:
        return value.build()
    if kind is _Items:
        return value.build()
    return value


def _indexed(item: Any) -> bool:
    return type(item) is dict and type(item.get("index")) is int


# -- events -----------------------------------------------------------------------------------


class ChatCompletionStreamEvent:
    """Base of the events; ``type`` names the event, ``choice_index`` its choice."""

    __slots__ = ("choice_index",)
    type: ClassVar[str] = ""
    #: The public fields, in order (``repr``, ``==``, :meth:`to_dict`).
    FIELDS: ClassVar[tuple[str, ...]] = ()

    choice_index: int | None

    def to_dict(self) -> dict[str, Any]:
        """The event as a dict (``type`` first)."""
        return {"type": self.type, **{name: getattr(self, name) for name in self.FIELDS}}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ChatCompletionStreamEvent) or type(other) is not type(self):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{type(self).__name__}({fields})"


class ChunkEvent(ChatCompletionStreamEvent, Generic[C, S]):
    """Every chunk: ``chunk``, the chunk as sent, and ``snapshot``, the completion so far
    (see the module doc). A plain state gives dicts; a ``typed`` one gives a
    :class:`TypedChunkEvent` (models, decoded when first read)."""

    __slots__ = ("_chunk", "_snapshot", "_state")
    type: ClassVar[Literal["chunk"]] = "chunk"
    FIELDS = ("choice_index", "chunk", "snapshot")

    def __init__(self, chunk: dict[str, Any], state: ChatCompletionStreamState) -> None:
        self.choice_index = None
        self._chunk: Any = chunk
        self._state = state
        self._snapshot: Any = None

    @property
    def chunk(self) -> C:
        """The chunk as sent."""
        chunk: C = self._chunk
        return chunk

    @property
    def snapshot(self) -> S:
        """The completion so far (a fresh dict; never changed afterwards)."""
        if self._snapshot is None:
            self._snapshot = self._state.current_completion_snapshot
        snapshot: S = self._snapshot
        return snapshot


class TypedChunkEvent(ChunkEvent["ChatCompletionChunk", "ChatCompletion"]):
    """A :class:`ChunkEvent` of a ``typed`` state: ``chunk`` is a ``ChatCompletionChunk``
    and ``snapshot`` a ``ChatCompletion`` (the generated models), each decoded from the
    dict when first read and kept — an event nobody looks at costs no decoding."""

    __slots__ = ()

    @property
    def chunk(self) -> ChatCompletionChunk:
        """The chunk as sent, as a ``ChatCompletionChunk``."""
        chunk = self._chunk
        if type(chunk) is dict:
            from openai_proto.generated.models.chat import ChatCompletionChunk
            from openai_proto.models import structure

            chunk = self._chunk = structure(chunk, ChatCompletionChunk)
        model: ChatCompletionChunk = chunk
        return model

    @property
    def snapshot(self) -> ChatCompletion:
        """The completion so far, as a ``ChatCompletion`` (never changed afterwards)."""
        if self._snapshot is None:
            self._snapshot = self._state.typed_snapshot()
        snapshot: ChatCompletion = self._snapshot
        return snapshot


class UnknownChunkEvent(ChatCompletionStreamEvent):
    """A JSON object in the stream that is not a chat completion chunk (rule 4)."""

    __slots__ = ("chunk",)
    type: ClassVar[Literal["unknown_chunk"]] = "unknown_chunk"
    FIELDS = ("choice_index", "chunk")

    def __init__(self, chunk: Any) -> None:
        self.choice_index = None
        self.chunk = chunk


class ContentDeltaEvent(ChatCompletionStreamEvent):
    """A chunk carried content: ``delta``; ``snapshot`` the content so far; ``parsed``."""

    __slots__ = ("_length", "_text", "delta", "parsed")
    type: ClassVar[Literal["content.delta"]] = "content.delta"
    FIELDS = ("choice_index", "delta", "snapshot", "parsed")

    def __init__(self, choice_index: int, delta: str, text: _Text, parsed: Any) -> None:
        self.choice_index = choice_index
        self.delta = delta
        self._text = text
        self._length = text.length
        self.parsed = parsed

    @property
    def snapshot(self) -> str:
        return self._text.prefix(self._length)


class ContentDoneEvent(ChatCompletionStreamEvent):
    """The content of a choice is complete: ``content``; ``parsed`` (complete JSON)."""

    __slots__ = ("content", "parsed")
    type: ClassVar[Literal["content.done"]] = "content.done"
    FIELDS = ("choice_index", "content", "parsed")

    def __init__(self, choice_index: int, content: str, parsed: Any) -> None:
        self.choice_index = choice_index
        self.content = content
        self.parsed = parsed


class RefusalDeltaEvent(ChatCompletionStreamEvent):
    """A chunk carried refusal text: ``delta``; ``snapshot`` the refusal so far."""

    __slots__ = ("_length", "_text", "delta")
    type: ClassVar[Literal["refusal.delta"]] = "refusal.delta"
    FIELDS = ("choice_index", "delta", "snapshot")

    def __init__(self, choice_index: int, delta: str, text: _Text) -> None:
        self.choice_index = choice_index
        self.delta = delta
        self._text = text
        self._length = text.length

    @property
    def snapshot(self) -> str:
        return self._text.prefix(self._length)


class RefusalDoneEvent(ChatCompletionStreamEvent):
    """The refusal of a choice is complete."""

    __slots__ = ("refusal",)
    type: ClassVar[Literal["refusal.done"]] = "refusal.done"
    FIELDS = ("choice_index", "refusal")

    def __init__(self, choice_index: int, refusal: str) -> None:
        self.choice_index = choice_index
        self.refusal = refusal


class FunctionToolCallArgumentsDeltaEvent(ChatCompletionStreamEvent):
    """A chunk carried (part of) a function call: ``index`` of the call, ``name``,
    ``arguments_delta``, ``arguments`` so far, ``parsed_arguments`` (strict tools)."""

    __slots__ = ("_length", "_text", "arguments_delta", "index", "name", "parsed_arguments")
    type: ClassVar[Literal["tool_calls.function.arguments.delta"]] = (
        "tool_calls.function.arguments.delta"
    )
    FIELDS = (
        "choice_index",
        "index",
        "name",
        "arguments",
        "parsed_arguments",
        "arguments_delta",
    )

    def __init__(
        self,
        choice_index: int,
        index: int,
        name: str | None,
        text: _Text | None,
        parsed_arguments: Any,
        arguments_delta: str,
    ) -> None:
        self.choice_index = choice_index
        self.index = index
        self.name = name
        self._text = text
        self._length = 0 if text is None else text.length
        self.parsed_arguments = parsed_arguments
        self.arguments_delta = arguments_delta

    @property
    def arguments(self) -> str:
        return "" if self._text is None else self._text.prefix(self._length)


class FunctionToolCallArgumentsDoneEvent(ChatCompletionStreamEvent):
    """A function call is complete: ``arguments``; ``parsed_arguments`` (strict tools)."""

    __slots__ = ("arguments", "index", "name", "parsed_arguments")
    type: ClassVar[Literal["tool_calls.function.arguments.done"]] = (
        "tool_calls.function.arguments.done"
    )
    FIELDS = ("choice_index", "index", "name", "arguments", "parsed_arguments")

    def __init__(
        self, choice_index: int, index: int, name: str | None, arguments: str, parsed: Any
    ) -> None:
        self.choice_index = choice_index
        self.index = index
        self.name = name
        self.arguments = arguments
        self.parsed_arguments = parsed


class LogprobsContentDeltaEvent(ChatCompletionStreamEvent):
    """A chunk carried content logprobs: ``content`` (new), ``snapshot`` (all so far)."""

    __slots__ = ("_count", "_items", "content")
    type: ClassVar[Literal["logprobs.content.delta"]] = "logprobs.content.delta"
    FIELDS = ("choice_index", "content", "snapshot")

    def __init__(self, choice_index: int, content: list[Any], items: _FrozenList) -> None:
        self.choice_index = choice_index
        self.content = content
        self._items = items
        self._count = items.length

    @property
    def snapshot(self) -> list[Any]:
        return self._items.prefix(self._count)


class LogprobsContentDoneEvent(ChatCompletionStreamEvent):
    """The content logprobs of a choice are complete."""

    __slots__ = ("_content", "_count", "_items")
    type: ClassVar[Literal["logprobs.content.done"]] = "logprobs.content.done"
    FIELDS = ("choice_index", "content")

    def __init__(self, choice_index: int, content: list[Any] | _FrozenList) -> None:
        self.choice_index = choice_index
        self._content, self._items, self._count = _list_or_later(content)

    @property
    def content(self) -> list[Any]:
        """All the content logprobs of the choice (read from the state when first asked)."""
        value = self._content
        if value is None:
            assert self._items is not None
            value = self._content = self._items.prefix(self._count)
        return value


class LogprobsRefusalDeltaEvent(ChatCompletionStreamEvent):
    """A chunk carried refusal logprobs: ``refusal`` (new), ``snapshot`` (all so far)."""

    __slots__ = ("_count", "_items", "refusal")
    type: ClassVar[Literal["logprobs.refusal.delta"]] = "logprobs.refusal.delta"
    FIELDS = ("choice_index", "refusal", "snapshot")

    def __init__(self, choice_index: int, refusal: list[Any], items: _FrozenList) -> None:
        self.choice_index = choice_index
        self.refusal = refusal
        self._items = items
        self._count = items.length

    @property
    def snapshot(self) -> list[Any]:
        return self._items.prefix(self._count)


class LogprobsRefusalDoneEvent(ChatCompletionStreamEvent):
    """The refusal logprobs of a choice are complete."""

    __slots__ = ("_count", "_items", "_refusal")
    type: ClassVar[Literal["logprobs.refusal.done"]] = "logprobs.refusal.done"
    FIELDS = ("choice_index", "refusal")

    def __init__(self, choice_index: int, refusal: list[Any] | _FrozenList) -> None:
        self.choice_index = choice_index
        self._refusal, self._items, self._count = _list_or_later(refusal)

    @property
    def refusal(self) -> list[Any]:
        """All the refusal logprobs of the choice (read from the state when first asked)."""
        value = self._refusal
        if value is None:
            assert self._items is not None
            value = self._refusal = self._items.prefix(self._count)
        return value


def _list_or_later(
    items: list[Any] | _FrozenList,
) -> tuple[list[Any] | None, _FrozenList | None, int]:
    """A done event's ``(list, source, count)``: a list as it is, or the state's list to
    read when the event is looked at."""
    if isinstance(items, _FrozenList):
        return None, items, items.length
    return items, None, 0


def _set_aside_logprobs(
    choices: list[dict[str, Any]],
) -> list[tuple[int, str, Callable[[Any], Any], _FrozenList]]:
    """Put each kept logprobs list of the final ``choices`` (fresh dicts) back as a list,
    except those the typed choice's logprobs model decodes item by item: those become
    ``[]`` and are returned as ``(position, attribute, item decoder, items)``, to be
    decoded into the model once the rest is decoded."""
    later = []
    logprobs_class = _choice_logprobs_class()
    for position, choice in enumerate(choices):
        logprobs = choice.get("logprobs")
        if type(logprobs) is not dict:
            continue
        for key, items in logprobs.items():
            if type(items) is not _FrozenList:
                continue
            plan = None if logprobs_class is None else _list_items(logprobs_class, key)
            if plan is None:
                logprobs[key] = items.prefix(items.length)
            else:
                logprobs[key] = []
                later.append((position, plan[0], plan[1], items))
    return later


def _choice_logprobs_class() -> Any:
    from openai_proto._models.lenient import model_field_class
    from openai_proto.structured.parsed_chat import ParsedChoice

    return model_field_class(ParsedChoice, "logprobs")


def _list_items(cls: Any, key: str) -> tuple[str, Callable[[Any], Any]] | None:
    from openai_proto._models.lenient import list_field_items

    return list_field_items(cls, key)


#: The events that follow from a chunk (every event but the chunk event itself).
_DerivedEvent = Union[
    UnknownChunkEvent,
    ContentDeltaEvent,
    ContentDoneEvent,
    RefusalDeltaEvent,
    RefusalDoneEvent,
    FunctionToolCallArgumentsDeltaEvent,
    FunctionToolCallArgumentsDoneEvent,
    LogprobsContentDeltaEvent,
    LogprobsContentDoneEvent,
    LogprobsRefusalDeltaEvent,
    LogprobsRefusalDoneEvent,
]

#: Every event class, by ``type``.
EVENT_TYPES: dict[str, type[ChatCompletionStreamEvent]] = {
    cls.type: cls for cls in (ChunkEvent, *get_args(_DerivedEvent))
}

#: Any event (a union: ``event.type == "content.delta"`` narrows it for type checkers).
ChatEvent = Union[ChunkEvent[dict[str, Any], dict[str, Any]], _DerivedEvent]

#: Any event of a ``typed`` state (what the client's stream helpers give): the chunk event
#: is a :class:`TypedChunkEvent`.
TypedChatEvent = Union[TypedChunkEvent, _DerivedEvent]


# -- per choice -------------------------------------------------------------------------------


class _ToolCall:
    """One tool call of a choice: its fields, and its arguments parser (strict tools)."""

    __slots__ = ("done", "fields", "final", "parser", "strict_checked")

    def __init__(self, fields: _Fields) -> None:
        self.fields = fields
        self.parser: PartialJSON | None = None
        self.strict_checked = False
        self.done = False
        self.final: Any = UNSET

    def function(self) -> _Fields | None:
        return self.fields.fields("function")

    def name(self) -> str | None:
        function = self.function()
        name = None if function is None else function.values.get("name")
        return name if isinstance(name, str) else None

    def arguments(self) -> _Text | None:
        function = self.function()
        return None if function is None else function.text("arguments")


class _Choice:
    """One choice: the merged message and fields, and what its events have said."""

    __slots__ = (
        "content_done",
        "content_parser",
        "current_tool",
        "extra",
        "final_parsed",
        "finish_reason",
        "index",
        "logprobs",
        "logprobs_content_done",
        "logprobs_refusal_done",
        "message",
        "refusal_done",
        "tools",
    )

    def __init__(self, index: int) -> None:
        self.index = index
        self.message = _Fields()
        self.extra: dict[str, Any] = {}
        self.finish_reason: Any = None
        self.logprobs: dict[str, Any] | None = None
        self.tools: dict[int, _ToolCall] = {}
        self.current_tool: int | None = None
        self.content_parser: PartialJSON | None = None
        self.final_parsed: Any = UNSET
        self.content_done = False
        self.refusal_done = False
        self.logprobs_content_done = False
        self.logprobs_refusal_done = False

    def build(self, thaw: bool = True) -> dict[str, Any]:
        """The choice as a dict; ``thaw=False`` leaves the logprobs lists as they are kept
        (:class:`_FrozenList`), for a caller that decodes them apart."""
        values = self.message.values
        message: dict[str, Any] = {
            "role": values.get("role", "assistant"),
            "content": None,
            "refusal": None,
        }
        for key, value in values.items():
            if key == "tool_calls":
                if type(value) is _Items:
                    message[key] = value.build(drop_index=True)
            else:
                message[key] = _build(value)
        logprobs = self.logprobs
        return {
            "index": self.index,
            "message": message,
            "logprobs": None if logprobs is None else _copy_logprobs(logprobs, thaw),
            "finish_reason": self.finish_reason,
            **self.extra,
        }


def _copy_logprobs(logprobs: dict[str, Any], thaw: bool) -> dict[str, Any]:
    if not thaw:
        return dict(logprobs)
    return {
        key: items.prefix(items.length) if type(items) is _FrozenList else items
        for key, items in logprobs.items()
    }


# -- the state machine ------------------------------------------------------------------------


class ChatStreamState(enum.Enum):
    """Where a :class:`ChatCompletionStreamState` is."""

    #: No chunk yet.
    WAITING = "waiting"
    #: At least one chunk was merged.
    STREAMING = "streaming"
    #: ``close()`` was called; the snapshot and final completion stay readable.
    CLOSED = "closed"
    #: Handling a chunk raised: it broke the protocol, parsing was asked for and a choice
    #: stopped early, or a ``parse`` / ``parse_arguments`` hook raised (a
    #: ContentParseError, ...); every later ``handle_chunk``/``close`` raises that error
    #: again.
    FAILED = "failed"

    __hash__ = object.__hash__


class ChatStreamInput(enum.Enum):
    """What the state reacts to."""

    #: A chat completion chunk (``object`` is ``"chat.completion.chunk"`` or absent).
    CHUNK = "chunk"
    #: A JSON object with another ``object`` (rule 4 of this module).
    OTHER = "other object"
    #: Anything that is not a JSON object.
    BAD = "not an object"
    #: ``close()``.
    END = "end"

    __hash__ = object.__hash__


Events = list[ChatEvent]
ChatStreamHandler = Callable[["ChatCompletionStreamState", Any], Events]


class ChatCompletionStreamState:
    """Chunks in, events out: ``handle_chunk(chunk) -> list[event]`` (also ``feed``).

    >>> state = ChatCompletionStreamState()
    >>> chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
    ...          "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"},
    ...                       "finish_reason": "stop"}]}
    >>> [event.type for event in state.handle_chunk(chunk)]
    ['chunk', 'content.delta', 'content.done']
    >>> state.current_completion_snapshot["choices"][0]["message"]["content"]
    'Hi'

    ``response_format``: the request's ``response_format`` (a dict, or a class); JSON
    formats make the content parsed. ``input_tools``: the request's ``tools``; calls of
    ``strict`` function tools get ``parsed_arguments``. ``parse`` / ``parse_arguments``
    turn the complete JSON into your type (identity by default; ``parse_arguments`` gets
    the tool's name too).

    ``typed``: what the client's stream helpers use. Chunk events are
    :class:`TypedChunkEvent` (``chunk`` and ``snapshot`` as models, decoded when read),
    and :meth:`get_final_completion` gives a ``ParsedChatCompletion`` in which every
    message has ``parsed`` and every function call ``parsed_arguments`` (``None`` when
    nothing was parsed); the errors for ``length`` / ``content_filter`` hold a
    ``ParsedChatCompletion`` too. Everything else is the same: events and
    :attr:`current_completion_snapshot` stay as they are.
    """

    def __init__(
        self,
        *,
        response_format: Any = None,
        input_tools: Iterable[Mapping[str, Any]] | None = None,
        parse: Parse | None = None,
        parse_arguments: ParseArguments | None = None,
        typed: bool = False,
    ) -> None:
        self.typed = typed
        self._chunk_event: type[ChunkEvent[Any, Any]] = TypedChunkEvent if typed else ChunkEvent
        self._parse_content = _is_json_format(response_format)
        self._strict_tools = _strict_tool_names(input_tools)
        self._parseable = self._parse_content or bool(self._strict_tools)
        self._parse = parse
        self._parse_arguments = parse_arguments
        self._state = ChatStreamState.WAITING
        self._error: Exception | None = None
        self._top: dict[str, Any] = {}
        self._choices: dict[int, _Choice] = {}
        self._version = 0
        self._snapshot: dict[str, Any] | None = None
        self._snapshot_version = -1

    # -- public -------------------------------------------------------------------------

    @property
    def state(self) -> ChatStreamState:
        return self._state

    def handle_chunk(self, chunk: Any) -> Events:
        """Merge one chunk (a dict from :func:`json.loads`); the events it causes."""
        return self._step(_classify(chunk), chunk)

    feed = handle_chunk

    def close(self) -> Events:
        """End of the stream (no events: done events come with ``finish_reason``)."""
        return self._step(ChatStreamInput.END, None)

    @property
    def current_completion_snapshot(self) -> dict[str, Any]:
        """The completion so far, as a fresh ``chat.completion`` dict (rules in the module
        doc); built when read, cached until the next chunk."""
        if self._version == 0:
            raise LocalProtocolError("no chat completion chunk has been handled yet")
        if self._snapshot_version != self._version:
            self._snapshot = self._build_snapshot()
            self._snapshot_version = self._version
        assert self._snapshot is not None
        return self._snapshot

    def typed_snapshot(self) -> ChatCompletion:
        """:attr:`current_completion_snapshot` decoded into a ``ChatCompletion`` model."""
        from openai_proto.generated.models.chat import ChatCompletion
        from openai_proto.models import structure

        snapshot: ChatCompletion = structure(self.current_completion_snapshot, ChatCompletion)
        return snapshot

    def get_final_completion(self, as_type: Any = None) -> Any:
        """The completion: the snapshot plus ``parsed`` on each message and
        ``parsed_arguments`` on each strict function call when parsing was asked for.

        Call it when the stream has ended. ``as_type`` (a model class) decodes it with
        :func:`openai_proto.models.structure`; by default it is a dict (a
        ``ParsedChatCompletion`` for a ``typed`` state). Raises the error that failed the
        stream, if any, and, when parsing was asked for, LengthFinishReasonError /
        ContentFilterFinishReasonError for a choice that stopped early.
        """
        if self._state is ChatStreamState.FAILED:
            self._raise_again()
        if as_type is None and self.typed:
            return self._typed_final()
        completion = self.current_completion_snapshot
        if self._parseable:
            for choice in completion["choices"]:
                self._check_finish(choice["finish_reason"], completion)
        if self._parseable or self.typed:
            completion = self._with_parsed(completion)
        if as_type is None:
            return completion
        from openai_proto.models import structure

        return structure(completion, as_type)

    def _typed_final(self) -> Any:
        """The ``ParsedChatCompletion`` of a typed state.

        Same as decoding the final dict, but the logprobs lists are decoded piece by piece
        from what the state keeps (:class:`_FrozenList`): the dicts read back live one
        chunk's worth at a time, so a long stream's final completion does not hold two
        copies of every logprob while it is being built (which made the collector walk
        them all, and the cost per token grow with the stream).
        """
        from openai_proto.models import structure
        from openai_proto.structured.parsed_chat import ParsedChatCompletion

        if self._version == 0:
            raise LocalProtocolError("no chat completion chunk has been handled yet")
        if self._parseable:
            for index in sorted(self._choices):
                self._check_finish(self._choices[index].finish_reason, None)
        completion = self._with_parsed(self._build_snapshot(thaw=False))
        later = _set_aside_logprobs(completion["choices"])
        final = structure(completion, ParsedChatCompletion)
        for position, name, load, items in later:
            target = final.choices[position].logprobs
            object.__setattr__(target, name, items.decoded(load))
        return final

    # -- the machine --------------------------------------------------------------------

    def _step(self, kind: ChatStreamInput, chunk: Any) -> Events:
        if self._state is ChatStreamState.FAILED:
            self._raise_again()
        row = CHAT_STREAM_TRANSITIONS.get((self._state, kind))
        if row is None:
            raise refused("ChatCompletionStreamState", self._state, kind)
        handler, next_state = row
        try:
            events = handler(self, chunk)
        except Exception as exc:  # the chunk was half merged: nothing can follow it
            self._error = exc
            self._state = ChatStreamState.FAILED
            raise
        self._state = next_state
        return events

    def _raise_again(self) -> None:
        error = self._error
        assert error is not None
        raise error.with_traceback(None)

    # -- handlers -----------------------------------------------------------------------

    def _nothing(self, _: Any) -> Events:
        return []

    def _other(self, chunk: Any) -> Events:
        return [UnknownChunkEvent(chunk)]

    def _bad(self, chunk: Any) -> Events:
        raise RemoteProtocolError(
            f"a chat completion chunk must be a JSON object, not {type(chunk).__name__}"
        )

    def _chunk(self, chunk: dict[str, Any]) -> Events:
        choices = chunk.get("choices")
        if choices is None:
            choices = ()
        elif type(choices) is not list:
            raise RemoteProtocolError("a chunk's choices must be a list")
        for choice in choices:
            _check_choice(choice)
        self._version += 1
        top = self._top
        for key, value in chunk.items():
            if value is not None and key not in CHUNK_ONLY_KEYS:
                top[key] = value
        events: Events = [self._chunk_event(chunk, self)]
        for choice in choices:
            self._merge_choice(choice, events)
        return events

    def _merge_choice(self, choice: dict[str, Any], events: Events) -> None:
        index = choice["index"]
        state = self._choices.get(index)
        if state is None:
            state = self._choices[index] = _Choice(index)
        delta = choice.get("delta")
        tool_deltas: Any = ()
        if delta:  # a dict: _check_choice saw every choice of the chunk first
            message = state.message
            message.merge(delta)
            content = delta.get("content")
            if content is not None:
                self._content_delta(state, content, events)
            refusal = delta.get("refusal")
            if refusal is not None:
                text = message.text("refusal")
                if text is not None:
                    events.append(RefusalDeltaEvent(index, refusal, text))
            tool_deltas = delta.get("tool_calls") or ()
            if tool_deltas:
                self._tool_deltas(state, tool_deltas, events)
        for key, value in choice.items():
            if value is not None and key not in CHOICE_OWN_KEYS:
                if key == "finish_reason":
                    state.finish_reason = value
                    self._check_finish(value, None)
                else:
                    state.extra[key] = value
        logprobs = choice.get("logprobs")
        if logprobs is not None:
            self._logprobs(state, logprobs, events)
        self._done_events(state, tool_deltas, events)

    def _content_delta(self, state: _Choice, content: Any, events: Events) -> None:
        text = state.message.text("content")
        if text is None:
            return
        parsed = None
        if self._parse_content:
            if state.final_parsed is not UNSET and content:
                raise RemoteProtocolError(
                    f"choice {state.index}: content arrived after its content.done event"
                )
            parser = state.content_parser
            if parser is None:
                parser = state.content_parser = PartialJSON()
            parser.feed(content)
            value = parser.value
            parsed = None if value is UNSET else value
        events.append(ContentDeltaEvent(state.index, content, text, parsed))

    def _tool_deltas(self, state: _Choice, deltas: list[Any], events: Events) -> None:
        # _check_choice made sure every delta is an object with an integer index, so the
        # message merged them into an _Items by index.
        items: _Items = state.message.values["tool_calls"]
        for delta in deltas:
            index = delta["index"]
            call = state.tools.get(index)
            if call is None:
                call = state.tools[index] = _ToolCall(items.by_index[index])
            function = delta.get("function")
            if function is None and call.fields.values.get("type", "function") != "function":
                continue  # a custom tool call: no function events
            piece = function.get("arguments") if type(function) is dict else None
            piece = piece if type(piece) is str else ""
            parsed = self._feed_arguments(call, piece)
            events.append(
                FunctionToolCallArgumentsDeltaEvent(
                    state.index, index, call.name(), call.arguments(), parsed, piece
                )
            )

    def _feed_arguments(self, call: _ToolCall, piece: str) -> Any:
        if call.final is not UNSET and call.parser is not None and piece:
            raise RemoteProtocolError(
                f"tool call {call.fields.values.get('index')}: arguments arrived after its "
                "arguments.done event (tool calls must not interleave)"
            )
        parser = call.parser
        if parser is None:
            parser = self._arguments_parser(call)  # fed with the arguments so far
            if parser is None:
                return None
        elif piece:
            parser.feed(piece)
        value = parser.value
        return None if value is UNSET else value

    def _arguments_parser(self, call: _ToolCall) -> PartialJSON | None:
        """The call's parser, once its name shows a strict tool; ``None`` otherwise."""
        if call.strict_checked:
            return call.parser
        name = call.name()
        if name is None:
            return None  # not known yet: decide when the name arrives
        call.strict_checked = True
        if name in self._strict_tools:
            call.parser = PartialJSON()
            text = call.arguments()
            call.parser.feed("" if text is None else text.value())
        return call.parser

    def _logprobs(self, state: _Choice, logprobs: Any, events: Events) -> None:
        if type(logprobs) is not dict:
            raise RemoteProtocolError(f"choice {state.index}: logprobs must be an object")
        acc = state.logprobs
        if acc is None:
            acc = state.logprobs = {"content": None, "refusal": None}
        for key, value in logprobs.items():
            if value is None:
                continue
            if key not in ("content", "refusal"):
                acc[key] = value
                continue
            if type(value) is not list:
                raise RemoteProtocolError(f"choice {state.index}: logprobs.{key} must be a list")
            items = acc.get(key)
            if items is None:
                items = acc[key] = _FrozenList()
            items.extend(value)
            if value:
                event_type = (
                    LogprobsContentDeltaEvent if key == "content" else LogprobsRefusalDeltaEvent
                )
                events.append(event_type(state.index, value, items))

    # -- done events --------------------------------------------------------------------

    def _done_events(self, state: _Choice, tool_deltas: Any, events: Events) -> None:
        if state.finish_reason:
            self._content_done_events(state, events)
            if state.current_tool is not None:
                self._tool_done_event(state, state.current_tool, events)
        for delta in tool_deltas:
            index = delta["index"]
            if state.current_tool != index:
                self._content_done_events(state, events)
                if state.current_tool is not None:
                    self._tool_done_event(state, state.current_tool, events)
            state.current_tool = index

    def _content_done_events(self, state: _Choice, events: Events) -> None:
        message = state.message
        if not state.content_done:
            text = message.text("content")
            if text is not None and text.length:
                state.content_done = True
                content = text.value()
                events.append(ContentDoneEvent(state.index, content, self._final_parsed(state)))
        if not state.refusal_done:
            refusal = message.text("refusal")
            if refusal is not None:
                state.refusal_done = True
                events.append(RefusalDoneEvent(state.index, refusal.value()))
        logprobs = state.logprobs
        if logprobs is None:
            return
        content_items = logprobs.get("content")
        if content_items is not None and not state.logprobs_content_done:
            state.logprobs_content_done = True
            events.append(LogprobsContentDoneEvent(state.index, content_items))
        refusal_items = logprobs.get("refusal")
        if refusal_items is not None and not state.logprobs_refusal_done:
            state.logprobs_refusal_done = True
            events.append(LogprobsRefusalDoneEvent(state.index, refusal_items))

    def _tool_done_event(self, state: _Choice, index: int, events: Events) -> None:
        call = state.tools.get(index)
        if call is None or call.done:
            return
        call.done = True
        text = call.arguments()
        arguments = "" if text is None else text.value()
        events.append(
            FunctionToolCallArgumentsDoneEvent(
                state.index, index, call.name(), arguments, self._final_arguments(call)
            )
        )

    # -- parsing ------------------------------------------------------------------------

    def _final_parsed(self, state: _Choice) -> Any:
        """The complete parsed content (``None`` when not parsing, or refused)."""
        if state.final_parsed is not UNSET:
            return state.final_parsed
        result = None
        text = state.message.text("content")
        if self._parse_content and text is not None and not state.message.text("refusal"):
            parser = state.content_parser
            if parser is None:  # pragma: no cover - content always goes through the parser
                parser = state.content_parser = PartialJSON()
                parser.feed(text.value())
            value = parser.close()
            result = self._parse(value) if self._parse is not None else value
        state.final_parsed = result
        return result

    def _final_arguments(self, call: _ToolCall) -> Any:
        """The complete parsed arguments (``None`` unless the tool is strict)."""
        if call.final is not UNSET:
            return call.final
        parser = call.parser or self._arguments_parser(call)
        result = None
        if parser is not None:
            value = parser.close()
            parse = self._parse_arguments
            result = value if parse is None else parse(call.name() or "", value)
        call.final = result
        return result

    def _check_finish(self, reason: Any, completion: dict[str, Any] | None) -> None:
        if not self._parseable or reason not in ("length", "content_filter"):
            return
        held = self._error_completion(completion or self._build_snapshot())
        if reason == "length":
            raise LengthFinishReasonError(completion=held)
        raise ContentFilterFinishReasonError(completion=held)

    def _error_completion(self, completion: dict[str, Any]) -> Any:
        """What a finish-reason error holds: the snapshot (a model for a typed state)."""
        if not self.typed:
            return completion
        from openai_proto.models import structure
        from openai_proto.structured.parsed_chat import ParsedChatCompletion

        return structure(completion, ParsedChatCompletion)

    def _with_parsed(self, completion: dict[str, Any]) -> dict[str, Any]:
        choices = []
        for built in completion["choices"]:
            state = self._choices[built["index"]]
            message = dict(built["message"])
            if self._parse_content:
                message["parsed"] = self._final_parsed(state) if message["content"] else None
            elif self.typed:
                message["parsed"] = None
            if "tool_calls" in message:
                message["tool_calls"] = [
                    self._call_with_parsed(state, index, call)
                    for index, call in zip(sorted(state.tools), message["tool_calls"], strict=True)
                ]
            choices.append({**built, "message": message})
        return {**completion, "choices": choices}

    def _call_with_parsed(self, state: _Choice, index: int, call: dict[str, Any]) -> Any:
        function = call.get("function")
        if type(function) is not dict:
            return call
        parsed = self._final_arguments(state.tools[index])
        return {**call, "function": {**function, "parsed_arguments": parsed}}

    # -- snapshot -----------------------------------------------------------------------

    def _build_snapshot(self, thaw: bool = True) -> dict[str, Any]:
        snapshot: dict[str, Any] = {"object": COMPLETION_OBJECT, **self._top}  # no "object"
        snapshot["choices"] = [self._choices[i].build(thaw) for i in sorted(self._choices)]
        snapshot.setdefault("usage", None)
        snapshot.setdefault("system_fingerprint", None)
        return snapshot


def _classify(chunk: Any) -> ChatStreamInput:
    if type(chunk) is not dict:
        return ChatStreamInput.BAD
    kind = chunk.get("object", CHUNK_OBJECT)
    return ChatStreamInput.CHUNK if kind == CHUNK_OBJECT else ChatStreamInput.OTHER


def _check_choice(choice: Any) -> None:
    if type(choice) is not dict:
        raise RemoteProtocolError("each of a chunk's choices must be a JSON object")
    index = choice.get("index")
    if type(index) is not int:
        raise RemoteProtocolError(f"a choice's index must be an integer, not {index!r}")
    delta = choice.get("delta")
    if delta is not None and type(delta) is not dict:
        raise RemoteProtocolError(f"choice {index}: delta must be an object")
    if delta:
        for key in ("content", "refusal"):
            value = delta.get(key)
            if value is not None and type(value) is not str:
                raise RemoteProtocolError(f"choice {index}: delta.{key} must be a string")
        calls = delta.get("tool_calls")
        if calls is not None and (type(calls) is not list or not all(map(_indexed, calls))):
            raise RemoteProtocolError(
                f"choice {index}: tool_calls must be objects with an integer index"
            )


def _is_json_format(response_format: Any) -> bool:
    if response_format is None:
        return False
    if isinstance(response_format, Mapping):
        return response_format.get("type") in JSON_FORMATS
    return isinstance(response_format, type)


def _strict_tool_names(tools: Iterable[Mapping[str, Any]] | None) -> frozenset[str]:
    names = set()
    for tool in tools or ():
        function = tool.get("function") if isinstance(tool, Mapping) else None
        if isinstance(function, Mapping) and function.get("strict"):
            name = function.get("name")
            if isinstance(name, str):
                names.add(name)
    return frozenset(names)


_S = ChatStreamState
_I = ChatStreamInput
_C = ChatCompletionStreamState

#: ``(state, input) -> (handler, next state)``; anything missing is a LocalProtocolError.
CHAT_STREAM_TRANSITIONS: dict[
    tuple[ChatStreamState, ChatStreamInput], tuple[ChatStreamHandler, ChatStreamState]
] = {
    (_S.WAITING, _I.CHUNK): (_C._chunk, _S.STREAMING),
    (_S.WAITING, _I.OTHER): (_C._other, _S.WAITING),
    (_S.WAITING, _I.BAD): (_C._bad, _S.FAILED),
    (_S.WAITING, _I.END): (_C._nothing, _S.CLOSED),
    (_S.STREAMING, _I.CHUNK): (_C._chunk, _S.STREAMING),
    (_S.STREAMING, _I.OTHER): (_C._other, _S.STREAMING),
    (_S.STREAMING, _I.BAD): (_C._bad, _S.FAILED),
    (_S.STREAMING, _I.END): (_C._nothing, _S.CLOSED),
}


__all__ = [
    "CHAT_STREAM_TRANSITIONS",
    "CHUNK_OBJECT",
    "COMPLETION_OBJECT",
    "EVENT_TYPES",
    "ChatCompletionStreamEvent",
    "ChatCompletionStreamState",
    "ChatEvent",
    "ChatStreamInput",
    "ChatStreamState",
    "ChunkEvent",
    "ContentDeltaEvent",
    "ContentDoneEvent",
    "FunctionToolCallArgumentsDeltaEvent",
    "FunctionToolCallArgumentsDoneEvent",
    "LogprobsContentDeltaEvent",
    "LogprobsContentDoneEvent",
    "LogprobsRefusalDeltaEvent",
    "LogprobsRefusalDoneEvent",
    "RefusalDeltaEvent",
    "RefusalDoneEvent",
    "UnknownChunkEvent",
]
