"""Types to strict JSON schemas, and the ``response_format`` / ``text.format`` params.

Rules (the API's strict mode, https://platform.openai.com/docs/guides/structured-outputs):

- The top level is an object: an attrs class, dataclass, TypedDict or pydantic model.
- Every object lists all its properties in ``required`` and has
  ``additionalProperties: false``. A field with a default is still required and typed as
  declared (strict mode has no ``default``): the model always sends it, so the default is
  never used when parsing. A ``NotRequired`` TypedDict key is required and nullable;
  ``null`` leaves the key out when parsing.
- Optional values and unions are ``anyOf`` (never ``oneOf``); ``X | None`` adds
  ``{"type": "null"}``.
- Classes other than the top-level one go to ``$defs`` and are used by ``$ref``; a
  reference back to the top-level class is ``{"$ref": "#"}``. A ``$ref`` never has
  sibling keywords: a described reference is the referenced schema inlined, one level.
- Enums and literals are ``{"type": ..., "enum": [...]}`` (``anyOf`` of those when the
  values have several JSON types).
- ``tuple[X, Y]`` (fixed length) is an object ``{"item_0": X, "item_1": Y}``, since strict
  mode has no ``prefixItems``; the converters read and write that shape.
- ``dict[str, X]`` is refused (strict mode allows no ``additionalProperties`` schema).
- Descriptions come from ``metadata={"description": ...}`` (attrs, dataclasses),
  ``Annotated[X, "text"]`` / ``Annotated[X, Description("text")]``, and the docstring of a
  class (when one is written).

Schemas are built once per type and checked against the strict-mode rules
(:func:`~openai_proto.structured.strict.check_strict_schema`); each call returns a fresh
copy.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from typing import Any

from openai_proto.errors import SchemaError
from openai_proto.structured.shapes import FORMATS, Kind, Node, accepts_null, analyse
from openai_proto.structured.strict import check_strict_schema

#: Names the API accepts for a response format or a function.
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_NAME_BAD = re.compile(r"[^a-zA-Z0-9_-]+")

JSON = dict[str, Any]

_JSON_TYPES: dict[type, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    type(None): "null",
}

#: Schema JSON text by type (copied out with ``json.loads`` on each call).
_CACHE: dict[Any, str] = {}


def strict_json_schema(tp: Any) -> JSON:
    """The strict JSON schema of ``tp`` (a fresh dict; built once per type).

    >>> import attrs
    >>> @attrs.define
    ... class Step:
    ...     explanation: str
    ...     output: str
    >>> strict_json_schema(Step)["required"]
    ['explanation', 'output']
    """
    text = _CACHE.get(tp)
    if text is None:
        text = json.dumps(_build(tp), ensure_ascii=False)
        _CACHE[tp] = text
    schema: JSON = json.loads(text)
    return schema


def _build(tp: Any) -> JSON:
    node = analyse(tp)
    path = getattr(tp, "__name__", repr(tp))
    if node.kind is Kind.PYDANTIC:
        from openai_proto.structured.pydantic_support import pydantic_strict_schema

        schema = pydantic_strict_schema(node.cls, path)
    elif node.kind is Kind.OBJECT:
        schema = _Writer(node).document()
    else:
        raise SchemaError(
            f"the top level of a structured output must be an object, not {node.name}: "
            "wrap it in a class",
            path,
        )
    check_strict_schema(schema)
    return schema


def schema_name(tp: Any, name: str | None = None) -> str:
    """``name``, or the type's name, made to fit the API's ``^[a-zA-Z0-9_-]{1,64}$``."""
    raw = name if name is not None else getattr(tp, "__name__", None) or repr(tp)
    cleaned = _NAME_BAD.sub("_", raw).strip("_") or "response"
    return cleaned[:64]


def response_format(tp: Any, name: str | None = None, description: str | None = None) -> JSON:
    """The Chat Completions ``response_format`` for ``tp`` (a dict is returned unchanged).

    ``{"type": "json_schema", "json_schema": {"name", "schema", "strict": True}}``.
    """
    if isinstance(tp, Mapping):
        return dict(tp)
    spec: JSON = {"name": schema_name(tp, name)}
    if description is not None:
        spec["description"] = description
    spec["schema"] = strict_json_schema(tp)
    spec["strict"] = True
    return {"type": "json_schema", "json_schema": spec}


def text_format(tp: Any, name: str | None = None, description: str | None = None) -> JSON:
    """The Responses API ``text.format`` for ``tp`` (a dict is returned unchanged).

    ``{"type": "json_schema", "name", "schema", "strict": True}``.
    """
    if isinstance(tp, Mapping):
        return dict(tp)
    param: JSON = {"type": "json_schema", "name": schema_name(tp, name)}
    if description is not None:
        param["description"] = description
    param["schema"] = strict_json_schema(tp)
    param["strict"] = True
    return param


class _Writer:
    """Writes one document: the root object inline, other classes in ``$defs``."""

    def __init__(self, root: Node) -> None:
        self.root = root
        self.defs: dict[str, JSON] = {}
        self.names: dict[int, str] = {}
        #: Names of the ``$defs`` entries being written.
        self.open: set[str] = set()

    def document(self) -> JSON:
        schema = self.object_body(self.root, self.root.name)
        if self.defs:
            schema["$defs"] = self.defs
        return schema

    def write(self, node: Node, path: str) -> JSON:
        kind = node.kind
        if kind in _PLAIN:
            return {"type": _PLAIN[kind]}
        if kind is Kind.FORMAT:
            return {"type": "string", "format": FORMATS[node.cls]}
        if kind is Kind.LIST:
            return {"type": "array", "items": self.write(node.items[0], path + "[]")}
        if kind is Kind.UNION:
            return {"anyOf": [self.write(member, path) for member in node.items]}
        if kind is Kind.ENUM:
            return values_schema([member.value for member in node.values])
        if kind is Kind.LITERAL:
            return values_schema([_json_value(v) for v in node.values])
        if kind is Kind.TUPLE:
            items = enumerate(node.items)
            return _object({f"item_{i}": self.write(item, f"{path}[{i}]") for i, item in items})
        if kind is Kind.DESCRIBED:
            return self.described(self.write(node.items[0], path), node.description or "")
        if kind is Kind.OBJECT:
            return self.reference(node, path)
        raise SchemaError(
            f"{node.name} is a pydantic model: one is supported only as the top-level type "
            "(pydantic writes and reads its own schema); use attrs classes or dataclasses here",
            path,
        )

    def reference(self, node: Node, path: str) -> JSON:
        if node is self.root:
            return {"$ref": "#"}
        name = self.names.get(id(node))
        if name is None:
            name = self.names[id(node)] = self.def_name(node)
            body: JSON = {}
            self.defs[name] = body  # reserved first: keeps first-seen order, ends cycles
            self.open.add(name)
            body.update(self.object_body(node, path))
            self.open.discard(name)
        return {"$ref": f"#/$defs/{name}"}

    def def_name(self, node: Node) -> str:
        base = schema_name(node.cls)
        name, count = base, 1
        while name in self.defs:
            count += 1
            name = f"{base}_{count}"
        return name

    def object_body(self, node: Node, path: str) -> JSON:
        properties = {}
        for field in node.fields:
            schema = self.write(field.node, f"{path}.{field.key}")
            if field.optional and not accepts_null(field.node):
                schema = _nullable(schema)
            if field.description is not None:
                schema = self.described(schema, field.description)
            properties[field.key] = schema
        body = _object(properties)
        if node.description:
            body = {"type": "object", "description": node.description, **body}
        return body

    def described(self, schema: JSON, text: str) -> JSON:
        """``schema`` with a description; a ``$ref`` is inlined (no sibling keywords),
        unless its class is still being written (a cycle): then it is wrapped in anyOf."""
        ref = schema.get("$ref")
        if ref is None:
            return {**schema, "description": text}
        name = ref.rsplit("/", 1)[-1]
        if ref == "#" or name in self.open:
            return {"anyOf": [schema], "description": text}
        return {**self.defs[name], "description": text}


_PLAIN = {
    Kind.STR: "string",
    Kind.INT: "integer",
    Kind.FLOAT: "number",
    Kind.BOOL: "boolean",
    Kind.NULL: "null",
}


def _object(properties: JSON) -> JSON:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _nullable(schema: JSON) -> JSON:
    if list(schema) == ["anyOf"]:
        return {"anyOf": [*schema["anyOf"], {"type": "null"}]}
    return {"anyOf": [schema, {"type": "null"}]}


def _json_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def values_schema(values: list[Any]) -> JSON:
    """``{"type": T, "enum": values}``; ``anyOf`` of those when the JSON types differ."""
    groups: dict[str, list[Any]] = {}
    for value in values:
        groups.setdefault(_JSON_TYPES[type(value)], []).append(value)
    schemas = [
        {"type": "null"} if kind == "null" else {"type": kind, "enum": items}
        for kind, items in groups.items()
    ]
    return schemas[0] if len(schemas) == 1 else {"anyOf": schemas}


__all__ = [
    "NAME_PATTERN",
    "response_format",
    "schema_name",
    "strict_json_schema",
    "text_format",
    "values_schema",
]
