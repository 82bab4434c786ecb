"""A :class:`Call` says what to send and how to read the answer, as a plain value.

Resource methods (and the raw ``client.get/post/...`` API) return calls; drivers
run them.  Nothing here does IO or knows about transports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, Literal, TypeVar, Union

import attrs

from openai_proto.config import HeaderValue
from openai_proto.http import Timeout
from openai_proto.sentinels import UNSET, UnsetType

T = TypeVar("T")

#: How the request body is encoded.
BodyKind = Literal["none", "json", "multipart", "binary"]

#: What the response body holds: decoded JSON, raw bytes, text, an event stream, or nothing.
ResponseKind = Literal["json", "binary", "text", "events", "empty"]

TimeoutOption = Union[float, Timeout, None, UnsetType]

#: How a list endpoint finds its next page (None: the endpoint is not paged).
#: ``page``: never; ``cursor``: ``after`` = id of the last item; ``conversation_cursor``:
#: ``after`` = ``last_id``; ``next_cursor``: ``after`` = ``next``.
Pagination = Literal["page", "cursor", "conversation_cursor", "next_cursor"]


@attrs.frozen(kw_only=True)
class Options:
    """Per-request overrides, as users know them from the official SDK."""

    extra_headers: Mapping[str, HeaderValue] = attrs.field(factory=dict)
    extra_query: Mapping[str, object] = attrs.field(factory=dict)
    extra_body: Mapping[str, object] = attrs.field(factory=dict)
    timeout: TimeoutOption = UNSET
    max_retries: int | UnsetType = UNSET


NO_OPTIONS = Options()


def make_options(
    *,
    extra_headers: Mapping[str, HeaderValue] | None = None,
    extra_query: Mapping[str, object] | None = None,
    extra_body: Mapping[str, object] | None = None,
    timeout: TimeoutOption = UNSET,
    max_retries: int | UnsetType = UNSET,
) -> Options:
    """Options from the keyword arguments every endpoint method accepts."""
    if (
        not (extra_headers or extra_query or extra_body)
        and timeout is UNSET
        and max_retries is UNSET
    ):
        return NO_OPTIONS
    return Options(
        extra_headers=extra_headers or {},
        extra_query=extra_query or {},
        extra_body=extra_body or {},
        timeout=timeout,
        max_retries=max_retries,
    )


@attrs.frozen(kw_only=True)
class Call(Generic[T]):
    """One API operation with its arguments.

    ``path`` is a template such as ``/files/{file_id}`` filled from ``path_params``
    (each value percent-encoded), or an absolute URL.  ``cast_to`` is the type the
    response decodes to: a model class, ``object`` for plain JSON, ``bytes``,
    ``str`` or ``None``.  For a paged call (``pagination`` set) ``cast_to`` is the
    item type and the call decodes to a :class:`~openai_proto.pages.Page` of items;
    for an event stream it is the event type.

    ``decode_with``, when set, makes the result from the decoded JSON instead of
    ``cast_to`` (a pure function, such as the parser of ``chat.completions.parse``);
    ``cast_to`` still says what the JSON must be (a model class: a JSON object).
    """

    method: str
    path: str
    cast_to: Any = object
    path_params: Mapping[str, object] = attrs.field(factory=dict)
    query: Mapping[str, object] = attrs.field(factory=dict)
    body: object = None
    body_kind: BodyKind = "none"
    headers: Mapping[str, HeaderValue] = attrs.field(factory=dict)
    response_kind: ResponseKind = "json"
    pagination: Pagination | None = None
    options: Options = NO_OPTIONS
    decode_with: Callable[[Any], T] | None = None

    @property
    def streams(self) -> bool:
        """Whether the response is handed over open (event streams), not read whole."""
        return self.response_kind == "events"

    def with_options(self, options: Options) -> Call[T]:
        return attrs.evolve(self, options=options)


def raw_call(
    method: str,
    path: str,
    *,
    cast_to: Any = object,
    body: object = None,
    files: Mapping[str, object] | None = None,
    content: bytes | None = None,
    query: Mapping[str, object] | None = None,
    headers: Mapping[str, HeaderValue] | None = None,
    stream: bool = False,
    options: Options = NO_OPTIONS,
) -> Call[Any]:
    """A call for any path, for endpoints or parameters this version does not know yet."""
    body_kind: BodyKind = "none"
    payload: object = None
    if files is not None:
        body_kind, payload = "multipart", {**(body if isinstance(body, Mapping) else {}), **files}
    elif content is not None:
        body_kind, payload = "binary", content
    elif body is not None:
        body_kind, payload = "json", body
    kind: ResponseKind = "events" if stream else _kind_for(cast_to)
    return Call(
        method=method.upper(),
        path=path,
        cast_to=cast_to,
        query=query or {},
        body=payload,
        body_kind=body_kind,
        headers=headers or {},
        response_kind=kind,
        options=options,
    )


def _kind_for(cast_to: Any) -> ResponseKind:
    if cast_to is bytes:
        return "binary"
    if cast_to is str:
        return "text"
    if cast_to is None or cast_to is type(None):
        return "empty"
    return "json"
