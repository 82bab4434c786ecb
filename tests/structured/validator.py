"""A tiny JSON schema validator for the strict-mode subset (tests only; no dependency).

Supports ``type`` (a name or a list), ``enum``, ``const``, ``anyOf``, ``$ref`` (``#`` and
``#/...`` pointers), ``properties`` / ``required`` / ``additionalProperties: false``,
``items`` and the ``format`` values our schemas write. Booleans are not numbers.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from openai_proto.structured.strict import resolve_ref

_TYPE_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: type(v) is int,
    "number": lambda v: type(v) in (int, float),
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def _iso_datetime(text: str) -> object:
    return datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)


_FORMAT_CHECKS = {
    "date-time": _iso_datetime,
    "date": datetime.date.fromisoformat,
    "time": datetime.time.fromisoformat,
    "uuid": uuid.UUID,
}


def schema_errors(instance: Any, schema: dict[str, Any]) -> list[str]:
    """Where ``instance`` breaks ``schema`` (empty when it conforms)."""
    errors: list[str] = []
    _check(instance, schema, schema, "$", errors)
    return errors


def _check(
    value: Any, schema: dict[str, Any], root: dict[str, Any], path: str, out: list[str]
) -> None:
    if "$ref" in schema:
        target = resolve_ref(root, schema["$ref"])
        if target is None:
            out.append(f"{path}: unresolvable $ref {schema['$ref']}")
            return
        _check(value, target, root, path, out)
        return
    if "anyOf" in schema:
        if not any(not _errors(value, variant, root, path) for variant in schema["anyOf"]):
            out.append(f"{path}: matches no anyOf variant")
        return
    kinds = schema.get("type")
    if kinds is not None:
        names = kinds if isinstance(kinds, list) else [kinds]
        if not any(_TYPE_CHECKS[name](value) for name in names):
            out.append(f"{path}: {value!r} is not of type {kinds}")
            return
    if "enum" in schema and not any(_same(value, x) for x in schema["enum"]):
        out.append(f"{path}: {value!r} not in enum {schema['enum']}")
    if "const" in schema and not _same(value, schema["const"]):
        out.append(f"{path}: {value!r} is not {schema['const']!r}")
    fmt = schema.get("format")
    if fmt in _FORMAT_CHECKS and isinstance(value, str):
        try:
            _FORMAT_CHECKS[fmt](value)
        except ValueError:
            out.append(f"{path}: {value!r} is not a {fmt}")
    if isinstance(value, dict) and "properties" in schema:
        _check_object(value, schema, root, path, out)
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], root, f"{path}[{index}]", out)


def _check_object(
    value: dict[str, Any], schema: dict[str, Any], root: dict[str, Any], path: str, out: list[str]
) -> None:
    properties = schema["properties"]
    for key in schema.get("required", ()):
        if key not in value:
            out.append(f"{path}: missing {key!r}")
    if schema.get("additionalProperties") is False:
        for key in value:
            if key not in properties:
                out.append(f"{path}: unexpected {key!r}")
    for key, item in value.items():
        if key in properties:
            _check(item, properties[key], root, f"{path}.{key}", out)


def _errors(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str) -> list[str]:
    out: list[str] = []
    _check(value, schema, root, path, out)
    return out


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b
