"""Turn a :class:`~openai_proto.call.Call` and a :class:`~openai_proto.config.Config`
into a :class:`~openai_proto.http.Request` — a pure function.

Rules, one place each:
- path parameters are percent-encoded (``/`` included); empty values and ``.``/``..``
  segments are rejected;
- the query is ``default_query`` < call query < ``extra_query``, lists as ``k[]=v``,
  dicts as ``k[sub]=v``, booleans as ``true``/``false``, ``None`` dropped;
- JSON bodies are compact UTF-8 with ``extra_body`` merged on top; NaN and infinities
  are rejected;
- headers are defaults < auth < ``default_headers`` < call headers < ``extra_headers``
  (case-insensitive; the value ``OMIT`` removes a header); CR, LF and NUL are rejected.
"""

from __future__ import annotations

import functools
import json
import math
import platform
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from openai_proto._version import __version__
from openai_proto.call import Call
from openai_proto.config import Config, HeaderValue, resolve_timeout
from openai_proto.errors import InvalidRequestError, MissingCredentialsError
from openai_proto.http import Body, HeaderPairs, Request
from openai_proto.sentinels import OMIT, UNSET, UnsetType

PATH_SAFE = "!$&'()*+,;=:@"
PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
FORBIDDEN_IN_VALUE = re.compile(r"[\r\n\x00]")
METHODS_WITHOUT_BODY = frozenset({"GET", "HEAD"})


@functools.lru_cache(maxsize=32)
def user_agent(binding: str) -> str:
    """``openai-proto/<version> (<binding>; <implementation>/<python version>)``."""
    runtime = f"{platform.python_implementation()}/{platform.python_version()}"
    return f"openai-proto/{__version__} ({binding}; {runtime})"


def build_request(
    config: Config,
    call: Call[Any],
    *,
    api_key: str | None = None,
    boundary: str = "openai-proto-boundary",
    binding: str = "sans-io",
) -> Request:
    """The request for one attempt of ``call``.

    ``api_key`` overrides ``config.api_key`` (drivers pass the value a key provider
    returned for this attempt).  ``boundary`` is used by multipart bodies.
    """
    key = api_key if api_key is not None else config.api_key
    if key is not None and not isinstance(key, str):
        raise MissingCredentialsError("api_key is a provider: call it and pass api_key=...")
    method = call.method.upper()
    body, content_type = encode_body(call, boundary, method)
    merged = _base_layer(call, content_type, binding)
    _merge_into(merged, auth_headers(config, key))
    for layer in (config.default_headers, call.headers, call.options.extra_headers):
        if layer:
            _merge_into(merged, layer)
    return Request(
        method=method,
        url=build_url(config, call),
        headers=tuple(merged.values()),
        body=body,
        timeout=resolve_timeout(call.options.timeout, config.timeout),
    )


# -- URL ------------------------------------------------------------------------------


def build_url(config: Config, call: Call[Any]) -> str:
    path = fill_path(call.path, call.path_params)
    url = path if _is_absolute(path) else config.base_url + path.lstrip("/")
    extra_query = call.options.extra_query
    if not (config.default_query or call.query or extra_query):
        return url
    return with_query(url, {**config.default_query, **call.query, **extra_query})


def _is_absolute(path: str) -> bool:
    return path.startswith(("http://", "https://"))


def fill_path(template: str, params: Mapping[str, object]) -> str:
    """``template`` with each ``{name}`` replaced by its encoded value."""
    if "{" not in template:
        return template

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            raise InvalidRequestError(f"Missing path parameter `{name}` for {template}")
        return encode_path_param(name, params[name])

    return PARAM.sub(replace, template)


def encode_path_param(name: str, value: object) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (str, int)):
        text = str(value)
    else:
        raise InvalidRequestError(
            f"Expected a string for `{name}` but received {type(value).__name__}"
        )
    if not text:
        raise InvalidRequestError(f"Expected a non-empty value for `{name}` but received ''")
    if text in {".", ".."}:
        raise InvalidRequestError(f"`{name}` cannot be {text!r}: it would change the path")
    return quote(text, safe=PATH_SAFE)


def with_query(url: str, query: Mapping[str, object]) -> str:
    """``url`` with ``query`` encoded into it; keys already in the URL are replaced."""
    pairs = list(query_pairs(query))
    if not pairs:
        return url
    parts = urlsplit(url)
    given = {key for key, _ in pairs}
    kept = [
        pair
        for pair in _split_query(parts.query)
        if pair[0] not in given and pair[0].removesuffix("[]") not in given
    ]
    return urlunsplit(parts._replace(query=urlencode(kept + pairs)))


def _split_query(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


def query_pairs(query: Mapping[str, object], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Flatten ``query`` with brackets: ``{"a": [1, 2], "b": {"c": True}}`` ->
    ``a[]=1``, ``a[]=2``, ``b[c]=true``.  ``None``, ``UNSET`` and ``OMIT`` are dropped."""
    for key, value in query.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        yield from _query_value(name, value)


def _query_value(name: str, value: object) -> Iterator[tuple[str, str]]:
    if value is None or value is UNSET or value is OMIT:
        return
    if isinstance(value, Mapping):
        yield from query_pairs(value, name)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _query_value(f"{name}[]", item)
    else:
        yield name, _scalar_text(name, value)


def _scalar_text(name: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidRequestError(f"`{name}` must be a finite number")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


# -- body -----------------------------------------------------------------------------


def encode_body(call: Call[Any], boundary: str, method: str) -> tuple[Body, str | None]:
    """The body bytes (or stream) and its content type."""
    extra = call.options.extra_body
    if call.body_kind == "multipart":
        from openai_proto.multipart import encode_multipart

        fields = _merge_body(call.body, extra)
        if not isinstance(fields, Mapping):
            raise InvalidRequestError("a multipart body must be a mapping of form fields")
        content_type, body = encode_multipart(fields, boundary)
        return body, content_type
    if call.body_kind == "binary":
        if not isinstance(call.body, (bytes, bytearray)):
            raise InvalidRequestError("a binary body must be bytes")
        return bytes(call.body), None
    if call.body_kind == "json" or extra:
        if method in METHODS_WITHOUT_BODY and call.body_kind == "none":
            raise InvalidRequestError(f"extra_body cannot be sent with {method}")
        return dumps(_merge_body(call.body, extra)), "application/json"
    return b"", None


def _merge_body(body: object, extra: Mapping[str, object]) -> object:
    if not extra:
        return body
    if body is None:
        body = {}
    if not isinstance(body, Mapping):
        raise InvalidRequestError("extra_body can only be merged into a JSON object body")
    merged = {**body, **extra}
    return {key: value for key, value in merged.items() if value is not OMIT}


def _json_default(value: object) -> object:
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UnsetType):
        raise InvalidRequestError("UNSET cannot be sent: leave the key out instead")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise InvalidRequestError(f"Object of type {type(value).__name__} is not JSON serializable")


#: Made once: ``json.dumps`` with options builds a new encoder on every call.
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default
)


def _encode(value: object) -> str:
    """``_ENCODER.encode(value)``, calling the C encoder directly when there is one (what
    ``encode`` does after its own per-call set-up: the same arguments, the same text)."""
    if c_make_encoder is None:  # pragma: no cover - CPython always has it
        return _ENCODER.encode(value)
    # A new markers dict each time: circular references are detected, thread-safely.
    encoder = c_make_encoder(
        {}, _json_default, encode_basestring, None, ":", ",", False, False, False
    )
    return "".join(encoder(value, 0))


def dumps(value: object) -> bytes:
    """Compact UTF-8 JSON; NaN and infinities raise :class:`InvalidRequestError`."""
    try:
        text = _encode(value)
    except ValueError as exc:
        if isinstance(exc, InvalidRequestError):
            raise
        raise InvalidRequestError(f"The body cannot be sent as JSON: {exc}") from None
    return text.encode("utf-8")


# -- headers --------------------------------------------------------------------------


def _base_headers(accept: str, content_type: str | None, binding: str) -> dict[str, str]:
    headers = {"Accept": accept, "User-Agent": user_agent(binding)}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return headers


def _accept_for(call: Call[Any]) -> str:
    if call.response_kind == "events":
        return "text/event-stream"
    if call.response_kind == "binary":
        return "application/octet-stream"
    return "application/json"


def auth_headers(config: Config, key: str | UnsetType | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if isinstance(key, str) and key:
        headers["Authorization"] = f"Bearer {key}"
    if config.organization:
        headers["OpenAI-Organization"] = config.organization
    if config.project:
        headers["OpenAI-Project"] = config.project
    return headers


def merge_headers(*layers: Mapping[str, HeaderValue]) -> HeaderPairs:
    """Later layers win, names compared case-insensitively; ``OMIT`` removes."""
    merged: dict[str, tuple[str, str]] = {}
    for layer in layers:
        _merge_into(merged, layer)
    return tuple(merged.values())


#: Merged headers by lower-case name.
_Merged = dict[str, tuple[str, str]]


def _merge_into(merged: _Merged, layer: Mapping[str, HeaderValue]) -> None:
    """Check the headers of ``layer`` and merge them over ``merged``."""
    names = _CHECKED_NAMES
    for name, value in layer.items():
        if value is OMIT:
            merged.pop(name.lower(), None)
            continue
        key = names.get(name) if type(name) is str else None
        if key is None:
            key = _checked_name(name)
        if type(value) is not str or "\r" in value or "\n" in value or "\x00" in value:
            _check_value(name, value)  # raises for anything but a clean str subclass
        merged[key] = (name, value)


def _base_layer(call: Call[Any], content_type: str | None, binding: str) -> _Merged:
    """``Accept``, ``User-Agent`` and ``Content-Type``, checked and merged (a new dict:
    the caller adds to it)."""
    accept = _accept_for(call)
    if content_type is None or content_type == "application/json":
        return dict(_checked_base_layer(accept, content_type, binding))
    merged: _Merged = {}  # a multipart type: its boundary is new on every request
    _merge_into(merged, _base_headers(accept, content_type, binding))
    return merged


@functools.lru_cache(maxsize=64)
def _checked_base_layer(accept: str, content_type: str | None, binding: str) -> _Merged:
    """The same few base headers on every request: checked once (never changed)."""
    merged: _Merged = {}
    _merge_into(merged, _base_headers(accept, content_type, binding))
    return merged


#: Header names already found valid, with their lower-case form (most requests repeat
#: the same few names; values, which may be credentials, are never kept), bounded.
_CHECKED_NAMES: dict[str, str] = {}
_CHECKED_SIZE = 1024


def _checked_name(name: object) -> str:
    """The lower-case form of a valid header name; an invalid one raises."""
    if not isinstance(name, str) or not TOKEN.match(name):
        raise InvalidRequestError(f"Invalid header name: {name!r}")
    key = name.lower()
    if type(name) is str:
        if len(_CHECKED_NAMES) >= _CHECKED_SIZE:
            _CHECKED_NAMES.clear()
        _CHECKED_NAMES[name] = key
    return key


def _check_value(name: str, value: object) -> None:
    if not isinstance(value, str):
        raise InvalidRequestError(f"Header {name} must be a string, not {type(value).__name__}")
    if FORBIDDEN_IN_VALUE.search(value):
        raise InvalidRequestError(f"Header {name} contains CR, LF or NUL")
