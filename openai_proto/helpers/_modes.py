"""What the helper mixins share: which mode a resource is in, the Sans-mode result, and
:func:`as_json` for arguments that may be generated models.

A resource's runner is :data:`~openai_proto.resource.SANS` (``openai_proto.api``), a sync
client (``Client``, ``RawClient`` and the bindings' clients) or an async one. Helpers
look at it once per call with :func:`kind_of`; their static types come from self-type
overloads on the mode: ``self: X[Sans]``, ``self: X[Sync] | X[SyncRaw]`` and
``self: X[Async] | X[AsyncRaw]`` (a helper gives the same on ``client`` and
``client.with_raw_response``). A union, not a constrained ``TypeVar``: mypy matches a
constrained self-type against every mode once the mixin is inherited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Literal, TypeVar

import attrs

from openai_proto.call import Call

S = TypeVar("S")

Kind = Literal["sans", "sync", "async"]


def kind_of(runner: object) -> Kind:
    """``"sync"`` or ``"async"`` for a client, ``"sans"`` for anything else."""
    from openai_proto.client import _AsyncClient, _SyncClient

    if isinstance(runner, _AsyncClient):
        return "async"
    if isinstance(runner, _SyncClient):
        return "sync"
    return "sans"


def as_json(value: Any) -> Any:
    """A generated model as its JSON dict; anything else as it is."""
    from openai_proto.models import Model, unstructure

    return unstructure(value) if isinstance(value, Model) else value


@attrs.frozen
class StreamPlan(Generic[S]):
    """What a stream helper gives on ``openai_proto.api``: no client, no IO.

    ``call`` is the streamed request, as the endpoint's ``create(stream=True)`` builds it
    (send it with :func:`~openai_proto.build_request` and your own IO); ``new_state()``
    makes the pure state the client's helper folds the events with, configured from the
    same arguments (``response_format``, ``tools``, ``starting_after``, ...). Feed it the
    JSON data of each event (:class:`~openai_proto.streams.events.EventStreamDecoder`
    gives them): ``ChatCompletionStreamState.handle_chunk(data)``,
    ``ResponseAccumulator.feed(data)``, ``AssistantAccumulator.feed(event, data)``.
    """

    call: Call[Any]
    new_state: Callable[[], S]


__all__ = ["Kind", "StreamPlan", "as_json", "kind_of"]
