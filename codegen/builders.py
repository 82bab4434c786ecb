"""Source text of builder functions: one ``def`` per endpoint returning a ``Call``.

A builder takes the endpoint's parameters (the last path parameter positional, everything
else keyword-only, optional ones defaulting to ``UNSET``) plus the options every method
accepts, and returns a :class:`~openai_proto.call.Call`.  Only given parameters go into the
query and the body: one ``if`` per optional parameter, the cheapest way to leave ``UNSET``
ones out.  The result type is read from the lazy ``lazy_models`` namespace
(:mod:`openai_proto.generated.resources._support`), so importing the resource tree does not
import the models and a call does not run an import statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from codegen.operations import Endpoint, Param
from codegen.types import split_none

INDENT = "    "
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

OPTION_PARAMS = (
    "extra_headers: Mapping[str, HeaderValue] | None = None",
    "extra_query: Mapping[str, object] | None = None",
    "extra_body: Mapping[str, object] | None = None",
    "timeout: TimeoutOption = UNSET",
    "max_retries: int | UnsetType = UNSET",
)
OPTIONS_CALL = (
    "make_options(extra_headers=extra_headers, extra_query=extra_query, "
    "extra_body=extra_body, timeout=timeout, max_retries=max_retries)"
)
#: Results that need no import to be used as ``cast_to``.
BUILTIN_RESULTS = {"bytes": "bytes", "str": "str", "None": "None", "Any": "object"}


def builder_name(endpoint: Endpoint, stream: bool = False) -> str:
    base = f"_{endpoint.resource.replace('.', '_')}_{endpoint.name}"
    return f"{base}_stream" if stream else base


def optional(annotation: str) -> str:
    """``T | UnsetType`` (``None`` kept last)."""
    base, nullable = split_none(annotation)
    if base == "None":
        return "UnsetType | None"
    return f"{base} | UnsetType | None" if nullable else f"{base} | UnsetType"


def signature(endpoint: Endpoint, stream: bool | None) -> list[str]:
    """The parameter list; ``stream`` is ``None`` (no stream parameter special-casing),
    ``False`` (the plain form) or ``True`` (the streamed form, ``stream: Literal[True]``)."""
    items: list[str] = []
    for param in endpoint.params:
        if param.positional:
            items.append(f"{param.name}: {param.annotation}")
    items.append("*")
    for param in endpoint.params:
        if not param.positional:
            items.append(_param_text(param, stream))
    items.extend(OPTION_PARAMS)
    return items


def _param_text(param: Param, stream: bool | None) -> str:
    if stream is not None and param.wire == "stream" and param.location in ("body", "query"):
        if stream:
            return f"{param.name}: Literal[True]"
        return f"{param.name}: Literal[False] | UnsetType | None = UNSET"
    if param.required:
        return f"{param.name}: {param.annotation}"
    return f"{param.name}: {optional(param.annotation)} = UNSET"


def result_type(endpoint: Endpoint, stream: bool) -> str:
    if stream:
        return f"Stream[{endpoint.stream_event}]"
    if endpoint.pagination is not None:
        return f"Page[{endpoint.result}]"
    return endpoint.result


def render_builder(endpoint: Endpoint, stream: bool, model_names: Iterable[str]) -> str:
    """The ``def`` of one builder; ``model_names`` are the generated names ``cast_to`` uses."""
    mode = None if endpoint.stream_event is None else stream
    params = ",\n".join(INDENT + item for item in signature(endpoint, mode))
    returns = f"Call[{result_type(endpoint, stream)}]"
    head = f"def {builder_name(endpoint, stream)}(\n{params},\n) -> {returns}:"
    body = [_docstring(endpoint)]
    body.extend(_statements(endpoint, stream, set(model_names)))
    lines = "\n".join(INDENT + line if line else "" for line in "\n".join(body).split("\n"))
    return head + "\n" + lines + "\n"


def cast_expression(endpoint: Endpoint, stream: bool, model_names: set[str]) -> str:
    """The ``cast_to`` value: a builtin, or the annotation with each generated name read
    from ``lazy_models``."""
    annotation = endpoint.stream_event if stream else endpoint.result
    assert annotation is not None
    if annotation in BUILTIN_RESULTS:
        return BUILTIN_RESULTS[annotation]
    return NAME.sub(lambda m: f"lazy_models.{m[0]}" if m[0] in model_names else m[0], annotation)


def _docstring(endpoint: Endpoint) -> str:
    lines = [f"The ``{endpoint.dotted}`` call.", "", f"``{endpoint.method} {endpoint.path}``"]
    if endpoint.link is not None:
        lines.append(f"Reference: {endpoint.link}")
    return '"""' + f"\n{INDENT}".join(lines) + f'\n{INDENT}"""'


def import_order(name: str) -> tuple[int, str, str]:
    """isort's order of imported names: constants, classes, then the rest, case-insensitive."""
    rank = 0 if name.isupper() and len(name) > 1 else 1 if name[0].isupper() else 2
    return rank, name.lower(), name


def _statements(endpoint: Endpoint, stream: bool, model_names: set[str]) -> list[str]:
    lines: list[str] = []
    headers = _header_lines(endpoint, lines)
    cast = cast_expression(endpoint, stream, model_names)
    if endpoint.body_kind == "sdp_or_multipart":
        lines.extend(_sdp_lines(endpoint, stream, headers, cast))
    query = [p for p in endpoint.params if p.location == "query"]
    query_name = None
    if query:
        query_name = _given_lines(lines, local_name("query", endpoint), query, stream)
    body = [p for p in endpoint.params if p.location == "body"]
    body_name = None
    if endpoint.body_kind != "none":
        # After the SDP form's early return, mypy has narrowed the parameters it tested.
        narrowed = endpoint.body_kind == "sdp_or_multipart"
        name = local_name("body", endpoint)
        body_name = _given_lines(lines, name, body, stream, narrowed=narrowed)
    lines.append("return Call(")
    args = _call_args(endpoint, stream, headers, cast, query_name, body_name)
    lines.extend(INDENT + arg + "," for arg in args)
    lines.append(")")
    return lines


def local_name(base: str, endpoint: Endpoint) -> str:
    """``base``, or ``base_`` (and so on) when a parameter already has that name."""
    taken = {p.name for p in endpoint.params}
    while base in taken:
        base += "_"
    return base


def _header_lines(endpoint: Endpoint, lines: list[str]) -> str | None:
    """Statements building the call's headers into ``lines``; the expression to pass."""
    static: dict[str, str] = {}
    if endpoint.beta is not None:
        static["OpenAI-Beta"] = endpoint.beta
    if endpoint.accept is not None:
        static["Accept"] = endpoint.accept
    dynamic = [p for p in endpoint.params if p.location == "header"]
    if not dynamic:
        return _dict_text(static) if static else None
    lines.append(f"headers: dict[str, HeaderValue] = {_dict_text(static)}")
    for param in dynamic:
        listed = param.annotation.startswith(("list[", "Sequence["))
        value = f'",".join({param.name})' if listed else param.name
        lines.append(f"if {param.name} is not UNSET:")
        lines.append(f"{INDENT}headers[{param.wire!r}] = {value}")
    return "headers"


def _sdp_lines(endpoint: Endpoint, stream: bool, headers: str | None, cast: str) -> list[str]:
    """The raw ``application/sdp`` form, used when only the SDP offer is given."""
    raw = next(p for p in endpoint.params if p.part_type == "application/sdp")
    others = [p for p in endpoint.params if p.location == "body" and p is not raw]
    condition = " and ".join(f"{p.name} is UNSET" for p in others) or "True"
    content_type = '"Content-Type": "application/sdp"'
    if headers is None:
        sdp_headers = f"{{{content_type}}}"
    elif headers.startswith("{"):
        sdp_headers = f"{headers[:-1]}, {content_type}}}"
    else:
        sdp_headers = f"{{**{headers}, {content_type}}}"
    args = [
        f"method={endpoint.method!r}",
        f"path={endpoint.path!r}",
        *_path_args(endpoint),
        f"body={raw.name}.encode()",
        'body_kind="binary"',
        f"headers={sdp_headers}",
        *_response_args(endpoint, stream, cast),
        f"options={OPTIONS_CALL}",
    ]
    return [
        f"if {condition}:",
        INDENT + "return Call(",
        *(INDENT * 2 + arg + "," for arg in args),
        INDENT + ")",
    ]


def _call_args(
    endpoint: Endpoint,
    stream: bool,
    headers: str | None,
    cast: str,
    query: str | None,
    body: str | None,
) -> list[str]:
    args = [f"method={endpoint.method!r}", f"path={endpoint.path!r}", *_path_args(endpoint)]
    if query is not None:
        args.append(f"query={query}")
    if body is not None:
        body_params = [p for p in endpoint.params if p.location == "body"]
        args.append(f"body={body}")
        args.append(f"body_kind={_body_kind(endpoint, body_params)}")
    if headers is not None:
        args.append(f"headers={headers}")
    args.extend(_response_args(endpoint, stream, cast))
    args.append(f"options={OPTIONS_CALL}")
    return args


def _path_args(endpoint: Endpoint) -> list[str]:
    params = [p for p in endpoint.params if p.location == "path"]
    if not params:
        return []
    return [f"path_params={{{', '.join(f'{p.wire!r}: {p.name}' for p in params)}}}"]


def _response_args(endpoint: Endpoint, stream: bool, cast: str) -> list[str]:
    args = []
    if cast != "object":
        args.append(f"cast_to={cast}")
    kind = "events" if stream else endpoint.response_kind
    if kind != "json":
        args.append(f"response_kind={kind!r}")
    if endpoint.pagination is not None and not stream:
        args.append(f"pagination={endpoint.pagination!r}")
    return args


def _body_kind(endpoint: Endpoint, body: list[Param]) -> str:
    if endpoint.body_kind in ("json", "multipart"):
        return repr(endpoint.body_kind)
    if endpoint.body_kind == "sdp_or_multipart":
        return repr("multipart")
    files = " or ".join(f"{p.name} is not UNSET" for p in body if p.is_file)
    return f'"multipart" if {files} else "json"'


def _given_lines(
    lines: list[str], name: str, params: list[Param], stream: bool, *, narrowed: bool = False
) -> str:
    """Statements building the dict ``name`` of the parameters given (``UNSET`` ones left
    out, in parameter order) into ``lines``; the expression to pass."""
    if all(p.required or _is_stream_true(p, stream) for p in params):
        return "{" + ", ".join(f"{p.wire!r}: {_value(p, stream)}" for p in params) + "}"
    lines.append(f"{name}: dict[str, object] = {{}}")
    for param in params:
        store = f"{name}[{param.wire!r}] = {_value(param, stream)}"
        if _is_stream_true(param, stream):
            lines.append(store)
        else:
            # A required (or narrowed) parameter's type has no UnsetType: compare as objects.
            unset = "UNSET_OBJECT" if param.required or narrowed else "UNSET"
            lines.append(f"if {param.name} is not {unset}:")
            lines.append(INDENT + store)
    return name


def _value(param: Param, stream: bool) -> str:
    if _is_stream_true(param, stream):
        return "True"
    if param.part_type == "application/json":
        return f"json_part({param.name})"
    return param.name


def _is_stream_true(param: Param, stream: bool) -> bool:
    return stream and param.wire == "stream" and param.location in ("body", "query")


def _dict_text(items: dict[str, str]) -> str:
    return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in items.items()) + "}"
