"""Plausible arguments for every generated endpoint, from the spec's schemas and examples.

Tests call each endpoint by its familiar name with these arguments: the required
parameters get a value drawn from their schema (first enum value, first union member,
the required keys of objects, ``b"data"`` for files), and documented example request
bodies (``examples.json``) are passed back as keyword arguments.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from openai_proto.generated.endpoints import ENDPOINTS, Endpoint

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "openapi"
SPEC_PATH = SHARED / "openapi.json"
EXAMPLES_PATH = SHARED / "examples.json"
RESOURCE_MAP_PATH = SHARED / "resource-map.json"
PATH_VALUE = "id_123"
MAX_DEPTH = 6


def require_inputs() -> None:
    if not SPEC_PATH.exists():
        pytest.skip(f"the spec is not at {SPEC_PATH}")


@cache
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


@cache
def examples() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(EXAMPLES_PATH.read_text(encoding="utf-8"))
    return loaded


@cache
def resource_map() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(RESOURCE_MAP_PATH.read_text(encoding="utf-8"))
    return loaded


def deref(schema: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        node: Any = spec()
        for part in schema["$ref"][2:].split("/"):
            node = node[part]
        schema = node
    return schema


def sample(schema: Any, depth: int = 0) -> Any:
    """A value that conforms to ``schema`` (as far as a simple walk can tell)."""
    schema = deref(schema)
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return "x"
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return next((v for v in schema["enum"] if v is not None), None)
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            members = [m for m in schema[key] if deref(m).get("type") != "null"]
            return sample(members[0] if members else schema[key][0], depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = sample(part, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    return _sample_typed(schema, kind, depth)


def _sample_typed(schema: dict[str, Any], kind: Any, depth: int) -> Any:
    if kind == "string":
        return b"data" if schema.get("format") == "binary" else "x"
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "array":
        count = schema.get("minItems", 0)
        return [sample(schema.get("items", {}), depth + 1) for _ in range(count)]
    if kind == "null":
        return None
    properties, required = object_properties(schema)
    return {key: sample(properties[key], depth + 1) for key in properties if key in required}


def object_properties(schema: Any) -> tuple[dict[str, Any], set[str]]:
    """Properties and required keys of an object schema, ``allOf`` parts merged."""
    schema = deref(schema)
    properties: dict[str, Any] = {}
    required: set[str] = set()
    for part in schema.get("allOf", []):
        sub, sub_required = object_properties(part)
        properties.update(sub)
        required |= sub_required
    properties.update(schema.get("properties") or {})
    required |= set(schema.get("required") or [])
    return properties, required


def operation(endpoint: Endpoint) -> dict[str, Any]:
    op: dict[str, Any] = spec()["paths"][endpoint.path][endpoint.method.lower()]
    return op


def param_schemas(endpoint: Endpoint) -> dict[tuple[str, str], Any]:
    """``(location, wire name) -> schema`` of every parameter of ``endpoint``."""
    op = operation(endpoint)
    item = spec()["paths"][endpoint.path]
    found: dict[tuple[str, str], Any] = {}
    for raw in [*item.get("parameters", []), *op.get("parameters", [])]:
        prm = deref(raw)
        found[prm["in"], prm["name"].removesuffix("[]")] = prm.get("schema", {})
    body = deref(op.get("requestBody") or {}).get("content", {})
    media = "application/json" if endpoint.body_kind == "json" else "multipart/form-data"
    if media in body:
        properties, _ = object_properties(body[media]["schema"])
        found.update({("body", key): value for key, value in properties.items()})
    return found


def required_arguments(endpoint: Endpoint) -> dict[str, Any]:
    """Keyword arguments with a plausible value for every required parameter."""
    schemas = param_schemas(endpoint)
    arguments: dict[str, Any] = {}
    for param in endpoint.params:
        if param.location == "path":
            arguments[param.name] = PATH_VALUE
        elif param.required:
            arguments[param.name] = sample(schemas.get((param.location, param.wire), {}))
    return arguments


def arguments_from_body(endpoint: Endpoint, body: Mapping[str, Any]) -> dict[str, Any]:
    """``required_arguments`` with the documented body's keys passed by their Python names;
    keys the endpoint does not declare go into ``extra_body``."""
    by_wire = {p.wire: p.name for p in endpoint.params if p.location == "body"}
    arguments = required_arguments(endpoint)
    extra = {}
    for key, value in body.items():
        if key in by_wire:
            arguments[by_wire[key]] = value
        else:
            extra[key] = value
    if extra:
        arguments["extra_body"] = extra
    return arguments


def endpoints_by_operation() -> dict[str, list[Endpoint]]:
    found: dict[str, list[Endpoint]] = {}
    for endpoint in ENDPOINTS:
        found.setdefault(endpoint.operation_id, []).append(endpoint)
    return found


def documented_bodies() -> dict[str, dict[str, Any]]:
    """The first documented JSON request body of each operation that has one."""
    found: dict[str, dict[str, Any]] = {}
    for record in examples():
        body = record.get("request_json_or_null")
        if record.get("request_kind") in ("json", "json_lenient") and isinstance(body, dict):
            found.setdefault(record["operationId"], body)
    return dict(sorted(found.items()))
