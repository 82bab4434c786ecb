"""What each operation of the spec becomes: an :class:`Endpoint` (names, parameters, kinds).

This module reads the spec and ``resource-map.json``; it writes no code.  Rules, one place
each:

- names come from ``resource-map.json`` (an operation may have two); an operation the map does
  not name gets :func:`conventional_name` (the map's own CRUD conventions);
- the last path parameter is positional (``files.retrieve(file_id)``), every other parameter is
  keyword-only; query names drop a ``[]`` suffix (the request builder adds it for lists);
- a request body offering JSON and multipart is multipart when it carries files;
- the response kind and pagination follow the map's ``returns`` (``SyncCursorPage[...]``,
  ``HttpxBinaryResponseContent``, ``str``, ``None``) and the spec's response content types;
- ``stream=True`` (body or query parameter ``stream``) selects the event stream.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from codegen.spec import Operation, Spec, ref_name
from codegen.types import (
    AliasDef,
    ClassDef,
    TypeRegistry,
    join_union,
    pascal,
    split_none,
    split_top,
)

Schema = dict[str, Any]

#: The annotation of a file upload (``format: binary``), defined in ``resources/_types.py``.
FILE_INPUT = "FileInput"

#: What a request parameter accepts besides model instances: the plain JSON object.
PLAIN_OBJECT = "dict[str, Any]"

#: Pagination by the page class the official SDK returns.
PAGE_CLASSES = {
    "SyncPage": "page",
    "SyncCursorPage": "cursor",
    "SyncConversationCursorPage": "conversation_cursor",
    "SyncNextCursorPage": "next_cursor",
}

#: Static ``OpenAI-Beta`` headers by resource prefix (BEHAVIOURS.md §1.3).
BETA_HEADERS = (
    ("beta.assistants", "assistants=v2"),
    ("beta.threads", "assistants=v2"),
    ("vector_stores", "assistants=v2"),
    ("beta.chatkit", "chatkit_beta=v1"),
    ("beta.realtime", "realtime=v1"),
)

#: Event types of streamed operations whose spec lists no ``text/event-stream`` schema.
STREAM_EVENTS = {
    "createCompletion": "CreateCompletionResponse",
    "createThreadAndRun": "AssistantStreamEvent",
    "createRun": "AssistantStreamEvent",
    "submitToolOuputsToRun": "AssistantStreamEvent",
    "getResponse": "ResponseStreamEvent",
    "beta_getResponse": "BetaResponseStreamEvent",
}

BINARY_ACCEPT = "application/binary"
#: Response content types answered as raw bytes, with the ``Accept`` header sent for them.
BINARY_TYPES = {
    "application/sdp": "application/sdp",
    "application/octet-stream": "application/octet-stream",
    "application/zip": BINARY_ACCEPT,
    "video/mp4": BINARY_ACCEPT,
    "image/webp": BINARY_ACCEPT,
}
EMPTY_ACCEPT = "*/*"
OPTION_NAMES = frozenset({"extra_headers", "extra_query", "extra_body", "timeout", "max_retries"})


class EndpointError(Exception):
    """The spec or the resource map says something this generator cannot express."""


@attrs.frozen
class Param:
    """One argument of a builder: Python ``name``, ``wire`` name, where it goes."""

    name: str
    wire: str
    location: str  # "path" | "query" | "body" | "header"
    annotation: str
    required: bool
    positional: bool = False
    #: ``True`` for file uploads (they make a JSON-or-multipart body multipart).
    is_file: bool = False
    #: The content type the spec gives for this multipart part (``encoding.contentType``).
    part_type: str | None = None


@attrs.frozen
class Endpoint:
    """One callable name of one operation."""

    operation_id: str
    method: str
    path: str
    resource: str
    name: str
    mapped: bool
    params: tuple[Param, ...]
    #: "none" | "json" | "multipart" | "json_or_multipart" | "sdp_or_multipart"
    body_kind: str
    #: "json" | "binary" | "text" | "empty"
    response_kind: str
    #: The decoded result (``bytes``, ``str``, ``None`` or a model annotation); for pages
    #: the item type.
    result: str
    pagination: str | None
    #: The event type when ``stream=True`` is accepted, else ``None``.
    stream_event: str | None
    beta: str | None
    accept: str | None
    link: str | None

    @property
    def dotted(self) -> str:
        return f"{self.resource}.{self.name}"


# -- names ----------------------------------------------------------------------------


def conventional_name(method: str, path: str) -> tuple[str, str]:
    """``(resource, name)`` by the map's conventions: resource = the literal path segments,
    name = list/create (collection) or retrieve/update/delete (one item)."""
    segments = path.split("?", maxsplit=1)[0].strip("/").split("/")
    item = segments[-1].startswith("{")
    resource = ".".join(s for s in segments if not s.startswith("{"))
    names = {
        ("GET", False): "list",
        ("POST", False): "create",
        ("GET", True): "retrieve",
        ("POST", True): "update",
        ("DELETE", True): "delete",
    }
    return resource, names.get((method, item), method.lower())


def names_for(op: Operation, resource_map: Mapping[str, Any]) -> list[tuple[str, str, str | None]]:
    """``[(resource, name, returns)]`` for ``op``: the map's entries, else the convention."""
    entries = [
        e
        for e in resource_map.get("endpoints", [])
        if e["method"] == op.method and e["path"] == op.path
    ]
    if not entries:
        resource, name = conventional_name(op.method, op.path)
        return [(resource, name, None)]
    return sorted((e["resource"], e["name"], e.get("returns")) for e in entries)


# -- schema helpers -------------------------------------------------------------------


class Analyser:
    """Builds :class:`Endpoint` values for the operations of ``spec``."""

    def __init__(self, spec: Spec, types: TypeRegistry, resource_map: Mapping[str, Any]) -> None:
        self.spec = spec
        self.types = types
        self.resource_map = resource_map

    def endpoints(self) -> list[Endpoint]:
        found = [endpoint for op in self.spec.operations() for endpoint in self.endpoints_of(op)]
        return sorted(found, key=lambda e: (e.resource, e.name))

    def endpoints_of(self, op: Operation) -> list[Endpoint]:
        names = names_for(op, self.resource_map)
        mapped = names[0][2] is not None
        params, body_kind = self.params(op)
        return [
            self.endpoint(op, resource, name, returns, mapped, params, body_kind)
            for resource, name, returns in names
        ]

    def endpoint(
        self,
        op: Operation,
        resource: str,
        name: str,
        returns: str | None,
        mapped: bool,
        params: tuple[Param, ...],
        body_kind: str,
    ) -> Endpoint:
        response_kind, accept = self.response_kind(op, returns)
        pagination = self.pagination(op, returns, response_kind)
        result = self.result(op, response_kind, pagination)
        streams = any(p.wire == "stream" and p.location in ("body", "query") for p in params)
        return Endpoint(
            operation_id=op.operation_id,
            method=op.method,
            path=op.path,
            resource=resource,
            name=name,
            mapped=mapped,
            params=_order(params),
            body_kind=body_kind,
            response_kind=response_kind,
            result=result,
            pagination=pagination,
            stream_event=self.stream_event(op) if streams and response_kind == "json" else None,
            beta=beta_header(resource),
            accept=accept,
            link=reference_link(op.raw),
        )

    # -- parameters -------------------------------------------------------------------

    def params(self, op: Operation) -> tuple[tuple[Param, ...], str]:
        declared = self.declared_params(op)
        body, body_kind = self.body_params(op)
        taken = {p.name for p in declared}
        renamed = [attrs.evolve(p, name=_free(p.name, taken)) for p in body]
        return (*declared, *renamed), body_kind

    def declared_params(self, op: Operation) -> list[Param]:
        item = self.spec.raw["paths"][op.path]
        declared = [*item.get("parameters", []), *op.raw.get("parameters", [])]
        raw = [self.spec.deref(p) for p in declared]
        path_names = [p["name"] for p in raw if p["in"] == "path"]
        context = pascal(op.operation_id) + "Params"
        params = []
        for prm in raw:
            location = prm["in"]
            wire = prm["name"].removesuffix("[]") if location == "query" else prm["name"]
            schema = prm.get("schema") or {}
            name = python_name(
                prm.get("x-stainless-param") or schema.get("x-stainless-param") or wire
            )
            annotation = self.accepting(self.types.annotation(schema, context=f"{context}.{name}"))
            params.append(
                Param(
                    name=name,
                    wire=wire,
                    location=location,
                    annotation=annotation,
                    required=location == "path" or prm.get("required") is True,
                    positional=location == "path" and prm["name"] == path_names[-1],
                )
            )
        return params

    def body_params(self, op: Operation) -> tuple[list[Param], str]:
        body = op.raw.get("requestBody")
        if body is None:
            return [], "none"
        content = self.spec.deref(body).get("content", {})
        kind, media = self.choose_body(content)
        schema = content[media]["schema"]
        encoding = content[media].get("encoding") or {}
        params = self.properties_as_params(schema, op, encoding)
        if kind == "json_or_multipart" and not any(p.is_file for p in params):
            kind = "json"
        if kind == "json_or_multipart" and any(p.is_file and p.required for p in params):
            kind = "multipart"
        return params, kind

    def choose_body(self, content: Mapping[str, Any]) -> tuple[str, str]:
        """The body kind and the media type whose schema gives the parameters."""
        types = set(content)
        if types == {"application/json"}:
            return "json", "application/json"
        if types == {"multipart/form-data"}:
            return "multipart", "multipart/form-data"
        if types == {"multipart/form-data", "application/sdp"}:
            return "sdp_or_multipart", "multipart/form-data"
        if types == {"application/json", "multipart/form-data"}:
            same = content["application/json"]["schema"] == content["multipart/form-data"]["schema"]
            if same:
                return "json_or_multipart", "multipart/form-data"
            if self.has_files(content["multipart/form-data"]["schema"]):
                return "multipart", "multipart/form-data"
            return "json", "application/json"
        raise EndpointError(f"unsupported request body types {sorted(types)}")

    def properties_as_params(
        self, schema: Schema, op: Operation, encoding: Mapping[str, Any]
    ) -> list[Param]:
        properties, required = self.merged_properties(schema)
        component = ref_name(schema)
        context = component or pascal(op.operation_id) + "Body"
        params = []
        for key, prop in properties.items():
            is_file = self.has_files(prop)
            annotation = self.body_annotation(prop, f"{context}.{key}")
            params.append(
                Param(
                    name=python_name(key),
                    wire=key,
                    location="body",
                    annotation=annotation,
                    required=key in required,
                    is_file=is_file,
                    part_type=(encoding.get(key) or {}).get("contentType"),
                )
            )
        return params

    def merged_properties(self, schema: Schema) -> tuple[dict[str, Schema], set[str]]:
        resolved = self.spec.deref(schema)
        properties: dict[str, Schema] = {}
        required: set[str] = set()
        for part in resolved.get("allOf", []):
            sub, sub_required = self.merged_properties(part)
            properties.update(sub)
            required |= sub_required
        properties.update(resolved.get("properties") or {})
        required |= set(resolved.get("required") or [])
        return properties, required

    def body_annotation(self, schema: Schema, context: str) -> str:
        """The annotation of a body property; file uploads become :data:`FILE_INPUT`."""
        resolved = self.spec.deref(schema)
        members = resolved.get("oneOf") or resolved.get("anyOf")
        if members and self.has_files(resolved):
            parts = [
                self.body_annotation(member, f"{context}.variant{index + 1}")
                for index, member in enumerate(members)
            ]
            return join_union(parts)
        return self.accepting(self.types.annotation(schema, context=context, binary=FILE_INPUT))

    def accepting(self, annotation: str, depth: int = 0) -> str:
        """``annotation`` where every model also accepts a plain JSON object, as users pass
        ``messages=[{"role": "user", ...}]``; aliases that contain models are expanded."""

        def widen(match: re.Match[str]) -> str:
            name = match.group(0)
            target = self.types.aliases.get(name, name)
            definition = self.types.definitions.get(target)
            if definition is None:
                return name
            if not self.holds_objects(target):
                return name
            if not isinstance(definition, AliasDef):
                return f"{name} | {PLAIN_OBJECT}"
            if depth > 5:
                return name
            expanded = self.accepting(definition.annotation, depth + 1)
            return name if expanded == definition.annotation else expanded

        widened = re.sub(r"(?<!['\w])[A-Za-z_]\w*(?!['\w])", widen, annotation)
        if depth == 0:  # arrays given as any sequence: a list[dict[str, str]] variable fits
            widened = re.sub(r"(?<![\w.])list\[", "Sequence[", widened)
        base, nullable = split_none(widened)
        return join_union(split_top(base), nullable)

    def holds_objects(self, name: str, seen: frozenset[str] = frozenset()) -> bool:
        """Whether definition ``name`` is, or may hold, a model class (not only scalars)."""
        definition = self.types.definitions.get(name)
        if definition is None or name in seen:
            return False
        if isinstance(definition, ClassDef):
            return True
        texts = [definition.annotation] if isinstance(definition, AliasDef) else definition.members
        inner = {n for text in texts for n in self.types.names_in(text)}
        return any(self.holds_objects(self.types.aliases.get(n, n), seen | {name}) for n in inner)

    def has_files(self, schema: Schema, depth: int = 0) -> bool:
        """Whether ``schema`` (or an array item or union member of it) is a binary string."""
        resolved = self.spec.deref(schema)
        if depth > 3:
            return False
        if resolved.get("format") == "binary":
            return True
        members = [*resolved.get("oneOf", []), *resolved.get("anyOf", [])]
        if "items" in resolved:
            members.append(resolved["items"])
        return any(self.has_files(m, depth + 1) for m in members)

    # -- responses --------------------------------------------------------------------

    def success_content(self, op: Operation) -> dict[str, Any]:
        for code in sorted(op.raw.get("responses", {})):
            if code.startswith("2"):
                response = self.spec.deref(op.raw["responses"][code])
                content: dict[str, Any] = response.get("content") or {}
                return content
        return {}

    def response_kind(self, op: Operation, returns: str | None) -> tuple[str, str | None]:
        """``(response kind, Accept header or None)``."""
        content = self.success_content(op)
        binary = [BINARY_TYPES[t] for t in sorted(content) if t in BINARY_TYPES]
        if returns == "str":
            return "text", None
        if returns == "None" or not content:
            if returns == "HttpxBinaryResponseContent":
                return "binary", BINARY_ACCEPT
            return "empty", EMPTY_ACCEPT
        if returns == "HttpxBinaryResponseContent" or (binary and returns is None):
            return "binary", binary[0] if binary else BINARY_ACCEPT
        return "json", None

    def response_schema(self, op: Operation) -> Schema:
        content = self.success_content(op)
        media = content.get("application/json") or {}
        schema: Schema = media.get("schema") or {}
        return schema

    def pagination(self, op: Operation, returns: str | None, kind: str) -> str | None:
        if kind != "json":
            return None
        if returns is not None:
            page_class = returns.split("[")[0]
            return PAGE_CLASSES.get(page_class)
        properties, _ = self.merged_properties(self.response_schema(op))
        if op.method == "GET" and "data" in properties and "has_more" in properties:
            return "cursor"
        return None

    def result(self, op: Operation, kind: str, pagination: str | None) -> str:
        if kind != "json":
            return {"binary": "bytes", "text": "str", "empty": "None"}[kind]
        schema = self.response_schema(op)
        if not schema:
            return "Any"
        context = ref_name(schema) or pascal(op.operation_id) + "Response"
        if pagination is None:
            return self.types.annotation(schema, context=context)
        properties, _ = self.merged_properties(schema)
        data = self.spec.deref(properties["data"])
        return self.types.annotation(data.get("items", {}), context=f"{context}.data.item")

    def stream_event(self, op: Operation) -> str:
        event_schema = (self.success_content(op).get("text/event-stream") or {}).get("schema")
        if event_schema is not None:
            return self.types.annotation(event_schema, context=pascal(op.operation_id) + "Event")
        component = STREAM_EVENTS.get(op.operation_id)
        if component is None:
            return "dict[str, Any]"
        return self.types.class_name(component)


# -- small helpers --------------------------------------------------------------------


def python_name(wire: str) -> str:
    """A parameter name: ``openai-beta`` -> ``openai_beta``, ``from`` -> ``from_``."""
    name = re.sub(r"[^0-9A-Za-z_]+", "_", wire).strip("_") or "value"
    if name[0].isdigit():
        name = f"n_{name}"
    if keyword.iskeyword(name) or name in OPTION_NAMES:
        name = f"{name}_"
    return name


def _free(name: str, taken: set[str]) -> str:
    while name in taken:
        name = f"{name}_"
    taken.add(name)
    return name


def _order(params: Sequence[Param]) -> tuple[Param, ...]:
    """Positional first, then required keyword-only, then optional, each in spec order."""
    positional = [p for p in params if p.positional]
    required = [p for p in params if not p.positional and p.required]
    optional = [p for p in params if not p.positional and not p.required]
    return (*positional, *required, *optional)


def beta_header(resource: str) -> str | None:
    for prefix, value in BETA_HEADERS:
        if resource == prefix or resource.startswith(prefix + "."):
            return value
    return None


def reference_link(op: Mapping[str, Any]) -> str | None:
    meta = op.get("x-oaiMeta") or {}
    group = meta.get("group")
    if not isinstance(group, str):
        return None
    page = meta.get("path")
    words = page.split() if isinstance(page, str) else []
    suffix = f"/{words[0]}" if words and re.fullmatch(r"[a-z0-9/_-]+", words[0]) else ""
    return f"https://platform.openai.com/docs/api-reference/{group}{suffix}"
