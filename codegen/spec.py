"""Loading the OpenAPI spec: schemas, operations, ``$ref`` resolution."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

#: The spec version this generator is written for, and the commit it was published at
#: (the commit is not recorded in the spec itself).
SPEC_VERSION = "2.3.0"
SPEC_COMMIT = "f85dbe2"

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SCHEMA_PREFIX = "#/components/schemas/"


class SpecError(Exception):
    """The spec is not one this generator can read."""


@attrs.frozen
class Operation:
    """One operation of the spec: ``method`` is upper case, ``raw`` the operation object."""

    method: str
    path: str
    operation_id: str
    raw: dict[str, Any] = attrs.field(eq=False, repr=False)


@attrs.frozen
class Spec:
    """A loaded spec; ``raw`` is the whole JSON document."""

    raw: dict[str, Any] = attrs.field(repr=False)
    version: str
    commit: str

    @property
    def schemas(self) -> dict[str, dict[str, Any]]:
        """Component schemas by name."""
        found: dict[str, dict[str, Any]] = self.raw.get("components", {}).get("schemas", {})
        return found

    def operations(self) -> list[Operation]:
        """Every operation, sorted by path then method."""
        found = [
            Operation(method.upper(), path, op.get("operationId", ""), op)
            for path, item in self.raw.get("paths", {}).items()
            for method, op in item.items()
            if method in HTTP_METHODS
        ]
        return sorted(found, key=lambda op: (op.path, op.method))

    def deref(self, obj: dict[str, Any]) -> dict[str, Any]:
        """``obj`` with ``$ref`` chains followed (any local JSON pointer)."""
        seen: set[str] = set()
        while isinstance(obj, dict) and "$ref" in obj:
            ref = obj["$ref"]
            if ref in seen:
                raise SpecError(f"circular $ref {ref}")
            seen.add(ref)
            obj = self.resolve_pointer(ref)
        return obj

    def resolve_pointer(self, ref: str) -> dict[str, Any]:
        """The object a local ``#/...`` reference points to."""
        if not ref.startswith("#/"):
            raise SpecError(f"only local references are supported: {ref}")
        node: Any = self.raw
        for part in ref[2:].split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or key not in node:
                raise SpecError(f"dangling reference {ref}")
            node = node[key]
        if not isinstance(node, dict):
            raise SpecError(f"{ref} does not point to an object")
        return node


def ref_name(schema: dict[str, Any]) -> str | None:
    """The component schema name of ``{"$ref": "#/components/schemas/X"}``, else ``None``."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
        return ref[len(SCHEMA_PREFIX) :]
    return None


def load(path: str | Path) -> Spec:
    """Read and check the spec at ``path``."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise SpecError("the spec is not a JSON object")
    version = str(raw.get("info", {}).get("version", ""))
    if version != SPEC_VERSION:
        raise SpecError(f"expected spec version {SPEC_VERSION}, got {version!r}")
    return Spec(raw=raw, version=version, commit=SPEC_COMMIT)
