"""``chat.completions`` helpers: ``stream()``.

:class:`ChatCompletionsHelpers` is a base of the generated ``ChatCompletions`` resource
(see :mod:`openai_proto.helpers`). One method per helper; each builds its request with the
endpoint's generated builder, so it takes exactly the parameters ``create`` takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, overload

from openai_proto.errors import InvalidRequestError
from openai_proto.helpers._modes import StreamPlan, kind_of
from openai_proto.helpers._sources import async_opener, sync_opener
from openai_proto.resource import Async, AsyncRaw, M, Resource, Sans, Sync, SyncRaw
from openai_proto.sentinels import UNSET, UnsetType

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from openai_proto.generated.models import CreateChatCompletionRequestResponseFormat
    from openai_proto.generated.resources.chat import ChatCompletionsStreamParams
    from openai_proto.streams.chat import ChatCompletionStreamState
    from openai_proto.streams.chat_stream import (
        AsyncChatCompletionStreamManager,
        ChatCompletionStreamManager,
    )

    ResponseFormat = CreateChatCompletionRequestResponseFormat | dict[str, Any] | UnsetType


def as_json(value: Any) -> Any:
    """A generated model as its JSON dict; anything else as it is."""
    from openai_proto.models import Model, unstructure

    return unstructure(value) if isinstance(value, Model) else value


def request_response_format(response_format: Any) -> tuple[Any, Any]:
    """What to send as ``response_format``, and what the stream state parses with.

    The one place a ``response_format`` is interpreted: a dict or a generated model is
    sent as it is (and JSON formats make the content parsed). A class is refused until
    the structured-output helpers turn classes into JSON schemas here.
    """
    if isinstance(response_format, UnsetType):
        return UNSET, None
    if isinstance(response_format, type):
        raise InvalidRequestError(
            "response_format must be a dict such as "
            '{"type": "json_schema", "json_schema": {...}}; classes are not supported yet'
        )
    return response_format, as_json(response_format)


def input_tools(tools: object) -> list[Mapping[str, Any]] | None:
    """The request's ``tools`` as dicts, for the state (strict tools get parsed arguments)."""
    if not isinstance(tools, list):
        return None
    return [as_json(tool) for tool in tools]


class ChatCompletionsHelpers(Resource[M]):
    """Hand-written methods of ``chat.completions``."""

    __slots__ = ()

    @overload
    def stream(
        self: ChatCompletionsHelpers[Sans],
        *,
        response_format: ResponseFormat = UNSET,
        **params: Unpack[ChatCompletionsStreamParams],
    ) -> StreamPlan[ChatCompletionStreamState]: ...
    @overload
    def stream(
        self: ChatCompletionsHelpers[Sync] | ChatCompletionsHelpers[SyncRaw],
        *,
        response_format: ResponseFormat = UNSET,
        **params: Unpack[ChatCompletionsStreamParams],
    ) -> ChatCompletionStreamManager: ...
    @overload
    def stream(
        self: ChatCompletionsHelpers[Async] | ChatCompletionsHelpers[AsyncRaw],
        *,
        response_format: ResponseFormat = UNSET,
        **params: Unpack[ChatCompletionsStreamParams],
    ) -> AsyncChatCompletionStreamManager: ...
    def stream(
        self,
        *,
        response_format: Any = UNSET,
        **params: Unpack[ChatCompletionsStreamParams],
    ) -> Any:
        """``create(stream=True, ...)`` read through the chat stream helper.

        On a client: a context manager that sends the request on entry and gives a
        :class:`~openai_proto.streams.chat_stream.ChatCompletionStream` (async: an
        :class:`~openai_proto.streams.chat_stream.AsyncChatCompletionStream`), closing
        the response on exit. On ``openai_proto.api``: a :class:`StreamPlan` whose state
        is a :class:`~openai_proto.streams.chat.ChatCompletionStreamState`.
        """
        from openai_proto.generated.resources.chat import _chat_completions_create_stream
        from openai_proto.streams.chat import ChatCompletionStreamState
        from openai_proto.streams.chat_stream import (
            AsyncChatCompletionStreamManager,
            ChatCompletionStreamManager,
        )

        wire_format, state_format = request_response_format(response_format)
        call = _chat_completions_create_stream(stream=True, response_format=wire_format, **params)
        options = {"response_format": state_format, "input_tools": input_tools(params.get("tools"))}
        kind = kind_of(self._runner)
        if kind == "sync":
            return ChatCompletionStreamManager(
                sync_opener(self._runner, call, data_only=True), **options
            )
        if kind == "async":
            return AsyncChatCompletionStreamManager(
                async_opener(self._runner, call, data_only=True), **options
            )
        return StreamPlan(call, lambda: ChatCompletionStreamState(**options))


__all__ = ["ChatCompletionsHelpers", "input_tools", "request_response_format"]
