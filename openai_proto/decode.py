"""Turn a response into the value a call promises, or raise the typed error — pure."""

from __future__ import annotations

import functools
import json
import re
import typing
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

from openai_proto.call import Call
from openai_proto.errors import APIResponseValidationError, status_error
from openai_proto.http import Request, Response

T = TypeVar("T")

PLAIN_JSON_TYPES: tuple[Any, ...] = (object, Any, dict, list)


def decode(call: Call[T], response: Response, request: Request | None = None) -> T:
    """The decoded body of a response to ``call``; a non-2xx status raises its error."""
    if not response.head.is_success:
        raise status_error(request, response)
    kind = call.response_kind
    if kind == "empty":
        return None  # type: ignore[return-value]
    if kind == "binary":
        return response.body  # type: ignore[return-value]
    if kind == "text":
        return response_text(response)  # type: ignore[return-value]
    data = parse_json(response, request)
    if not isinstance(data, dict) and call.pagination is None and _expects_object(call.cast_to):
        raise APIResponseValidationError(
            f"Expected a JSON object for {call.cast_to.__name__}, got {type(data).__name__}",
            request,
            response=response,
            body=data,
        )
    return typing.cast(T, decode_json(call, data, response.request_id))


def _expects_object(cast_to: Any) -> bool:
    """Whether ``cast_to`` is a model class (whose instances only come from JSON objects)."""
    return isinstance(cast_to, type) and issubclass(cast_to, _models().Model)


@functools.cache
def _models() -> ModuleType:
    """:mod:`openai_proto.models`, imported on first use (decoding JSON needs it only then)."""
    from openai_proto import models

    return models


def decode_json(call: Call[T], data: Any, request_id: str | None) -> Any:
    """Decoded JSON as the call's result: a page of items, or one value."""
    if call.pagination is not None:
        from openai_proto.pages import decode_page

        return decode_page(data, call)
    if call.decode_with is not None:
        value = call.decode_with(data)
        if request_id is not None:
            _attach_request_id(value, request_id)
        return value
    return cast_value(data, call.cast_to, request_id)


def response_text(response: Response) -> str:
    return response.body.decode(_charset(response), "replace")


def _charset(response: Response) -> str:
    content_type = response.header("content-type") or ""
    for param in content_type.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip('"')
    return "utf-8"


#: First bytes of a JSON object or array: no byte order mark, not UTF-16/32 (whose
#: second byte would be NUL), so ``json.loads`` would decode the bytes as UTF-8.
_JSON_STARTS = (b"{", b"[")
#: The C scanner under ``json.loads``, and what ``json.loads`` lets follow a value.
_SCAN: Callable[[str, int], tuple[Any, int]]
_SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_TRAILING_SPACE = re.compile(r"[ \t\n\r]*")


def loads(body: bytes) -> Any:
    """``json.loads(body)``: the same value, or the same error.

    A body that starts as a JSON object or array is decoded as UTF-8 and handed to the
    scanner directly, skipping ``json.loads``' encoding detection and set-up; anything
    else, or anything the scanner rejects, goes through ``json.loads`` itself."""
    if body[:1] not in _JSON_STARTS or body[1:2] == b"\x00":
        return json.loads(body)
    text = body.decode("utf-8", "surrogatepass")
    try:
        value, end = _SCAN(text, 0)
    except (StopIteration, ValueError):
        return json.loads(text)  # raises json's own error for it
    size = len(text)
    if end != size and _TRAILING_SPACE.match(text, end).end() != size:  # type: ignore[union-attr]
        return json.loads(text)  # "Extra data"
    return value


def parse_json(response: Response, request: Request | None = None) -> Any:
    """The body as JSON; a body that is not JSON raises :class:`APIResponseValidationError`."""
    body = response.body
    try:
        return loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        preview = body[:200].decode("utf-8", "replace")
        raise APIResponseValidationError(
            f"Expected a JSON body but could not decode it ({exc}): {preview!r}",
            request,
            response=response,
            body=preview,
        ) from None


def cast_value(data: Any, cast_to: Any, request_id: str | None = None) -> Any:
    """``data`` as ``cast_to``: plain JSON is returned as is, models are structured leniently."""
    if cast_to in PLAIN_JSON_TYPES:
        return data
    value = _models().structure(data, cast_to)
    if request_id is not None:
        _attach_request_id(value, request_id)
    return value


def _attach_request_id(value: object, request_id: str) -> None:
    try:  # not contextlib.suppress: this runs on every call, and try costs nothing
        value._request_id = request_id  # type: ignore[attr-defined]
    except AttributeError:  # a value that takes no attributes (a list, a str)
        return
